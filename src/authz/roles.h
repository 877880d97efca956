#pragma once
// Azure's built-in Key Vault roles, with their exact ids, actions and data actions
// (azure-kv-governance.md section 3.1), and Azure's wildcard matching of actions.
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
const RoleDefinition* FindBuiltInRole(std::string_view id);  // by GUID, case-insensitive

// Key Vault Data Access Administrator may assign and remove only these roles (Azure's ABAC
// condition on that role): not Certificate User, not Crypto Service Release User.
bool DataAccessAdministratorMayAssign(std::string_view role_id);

// Azure's permission patterns: case-insensitive, '*' matches any run of characters.
bool ActionMatches(std::string_view pattern, std::string_view action);

// Whether the role grants `action`: a data action (data plane) or an action (management).
bool RoleGrants(const RoleDefinition& role, std::string_view action, bool data_action);

}  // namespace kh::authz
