#pragma once
// RoleDefinitionService: Azure RBAC custom role definitions (a named set of actions, not-actions,
// data actions and not-data-actions, assignable at the listed scopes), stored in the barrier's
// system scope and held in memory: every request may be authorized through one, so reads never
// touch storage. Thread-safe. Readers take an immutable snapshot (a shared pointer; no copy per
// request); writers replace it.
//
// This keeps the records and their own rules (limits, syntax of actions and scopes, names unique
// among custom roles). What belongs to the caller: built-in role ids and names (authz), scopes
// relative to the server's subscription, who may write, and whether assignments still use a role.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "core/status_or.h"

namespace kh::domain {

// Azure's documented limits (custom-roles.md) and Keyhaven's on sizes Azure leaves open.
constexpr size_t kMaxCustomRoles = 5000;                // per tenant
constexpr size_t kMaxRoleNameLength = 512;              // characters
constexpr size_t kMaxRoleDescriptionLength = 2048;      // characters
constexpr size_t kMaxAssignableScopes = 2000;           // per role
constexpr size_t kMaxPermissionEntries = 1000;          // per list (actions, notActions, ...)
constexpr size_t kMaxActionLength = 256;                // one action pattern
constexpr size_t kMaxScopeLength = 1024;                // one assignable scope
constexpr size_t kMaxRoleDefinitionBytes = 128 * 1024;  // one stored role, all fields

struct RoleDefinitionRecord {
  std::string id;  // GUID, lower case (the ARM resource name)
  std::string role_name;
  std::string description;
  std::vector<std::string> actions;
  std::vector<std::string> not_actions;
  std::vector<std::string> data_actions;
  std::vector<std::string> not_data_actions;
  std::vector<std::string> assignable_scopes;  // ARM ids; never "/" and never a wildcard
  std::string created_by;
  std::string updated_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// Every custom role by lower-case id. Immutable once published.
using RoleDefinitionSnapshot =
    std::map<std::string, std::shared_ptr<const RoleDefinitionRecord>, std::less<>>;

struct PutRoleDefinitionResult {
  RoleDefinitionRecord role;
  bool created = false;
};

class RoleDefinitionService {
 public:
  // Loads every custom role from storage.
  static StatusOr<std::unique_ptr<RoleDefinitionService>> Open(barrier::Barrier* barrier,
                                                               const Clock* clock);

  // Creates the role `record.id` or replaces its definition (created_* survive an update).
  // InvalidArgument on a limit or malformed field; Conflict (RoleDefinitionWithSameNameExists)
  // when another custom role has the name, case-insensitively. `may_replace`, when given, runs
  // under the service's lock with the stored role before it is replaced, and its error is
  // returned (callers check that existing assignments stay within the new assignable scopes).
  StatusOr<PutRoleDefinitionResult> Put(
      RoleDefinitionRecord record, std::string_view caller,
      const std::function<Status(const RoleDefinitionRecord& existing)>& may_replace = {});
  // NotFound (RoleDefinitionDoesNotExist) when there is no such custom role.
  StatusOr<RoleDefinitionRecord> Get(std::string_view id) const;
  // Removes the role; NotFound when there is none.
  StatusOr<RoleDefinitionRecord> Delete(std::string_view id);
  // The current set, shared with other readers.
  std::shared_ptr<const RoleDefinitionSnapshot> Snapshot() const;

 private:
  RoleDefinitionService(barrier::Barrier* barrier, const Clock* clock);

  barrier::Barrier* barrier_;
  const Clock* clock_;
  mutable std::mutex mu_;  // serializes writers and guards the pointer swap
  std::shared_ptr<const RoleDefinitionSnapshot> roles_;
};

// The record's own rules (sizes, counts, action and scope syntax), without storage.
Status ValidateRoleDefinition(const RoleDefinitionRecord& record);

}  // namespace kh::domain
