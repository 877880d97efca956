#pragma once
// Azure's built-in Key Vault roles, with their exact ids, actions and data actions
// (azure-kv-governance.md section 3.1), and Azure's wildcard matching of actions.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kh::authz {

struct RoleDefinition {
  std::string id;  // GUID
  std::string name;
  std::string description;
  std::vector<std::string> actions;
  std::vector<std::string> not_actions;
  std::vector<std::string> data_actions;
  std::vector<std::string> not_data_actions;
};

const std::vector<RoleDefinition>& BuiltInRoles();
const RoleDefinition* FindBuiltInRole(std::string_view id);          // by GUID, case-insensitive
const RoleDefinition* FindBuiltInRoleByName(std::string_view name);  // case-insensitive

// Key Vault Data Access Administrator may assign and remove only these roles (Azure's ABAC
// condition on that role): not Certificate User, not Crypto Service Release User, no custom role.
inline constexpr std::string_view kDataAccessAdministratorRoleId =
    "8b54135c-b56d-4d72-a534-26097cfdc8d8";
bool DataAccessAdministratorMayAssign(std::string_view role_id);

// Azure's permission patterns: case-insensitive, '*' matches any run of characters.
bool ActionMatches(std::string_view pattern, std::string_view action);

// A role's four permission lists, viewed without copying: a built-in role, or a custom role whose
// record the caller keeps alive while the view is used.
struct PermissionsView {
  std::span<const std::string> actions;
  std::span<const std::string> not_actions;
  std::span<const std::string> data_actions;
  std::span<const std::string> not_data_actions;
};
PermissionsView ViewOf(const RoleDefinition& role);

// Whether the permissions grant `action`: a data action (data plane) or an action (management).
// A not-action removes what the actions grant (it is not a deny).
bool PermissionsGrant(const PermissionsView& permissions, std::string_view action,
                      bool data_action);
bool RoleGrants(const RoleDefinition& role, std::string_view action, bool data_action);

}  // namespace kh::authz
