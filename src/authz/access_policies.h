#pragma once
// Access policies (vaults with enableRbacAuthorization false): one engine with RBAC, through
// Azure's permission <-> dataAction table (azure-kv-governance.md section 3.3). Pure.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authz/authorizer.h"

namespace kh::authz {

struct PolicyGrant {
  std::string object_id;
  std::string application_id;  // empty: the object id alone
  std::vector<std::string> keys, secrets, certificates, storage;
};

// The permission list and name that grant a data action, e.g.
// "Microsoft.KeyVault/vaults/secrets/getSecret/action" -> {"secrets", "get"}.
std::optional<std::pair<std::string, std::string>> PermissionFor(std::string_view data_action);

// Deny by default; the message is Azure's ForbiddenByPolicy text.
Decision CheckAccessPolicies(const Subject& subject, std::string_view data_action,
                             const std::vector<PolicyGrant>& policies, std::string_view vault);

}  // namespace kh::authz
