#pragma once
// `keyhaven role ...`: least privilege from the command line. Role assignments go through ARM's
// Microsoft.Authorization API at a vault's (or one secret's) scope. Output is JSON.
#include <optional>
#include <string>

#include "cli/session.h"
#include "core/status.h"

namespace kh::cli {

struct RoleAssignArgs {
  std::string role;      // a built-in role's name ("Key Vault Secrets User") or its GUID
  std::string assignee;  // the principal's object id
  std::string vault;
  std::optional<std::string> secret;  // narrows the scope to one secret
};
Status AssignRole(const Session& session, const RoleAssignArgs& args);
// The assignments at a vault's scope (and above it).
Status ListRoleAssignments(const Session& session, const std::string& vault);

}  // namespace kh::cli
