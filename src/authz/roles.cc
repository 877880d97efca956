#include "authz/roles.h"

#include "core/ascii.h"

namespace kh::authz {
namespace {

const std::vector<std::string>& CommonManagementActions() {
  static const std::vector<std::string> actions = {
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
      "Microsoft.KeyVault/checkNameAvailability/read",
      "Microsoft.KeyVault/deletedVaults/read",
      "Microsoft.KeyVault/locations/*/read",
      "Microsoft.KeyVault/vaults/*/read",
      "Microsoft.KeyVault/operations/read",
  };
  return actions;
}

std::vector<std::string> Data(std::initializer_list<const char*> suffixes) {
  std::vector<std::string> out;
  for (const char* s : suffixes) out.push_back(std::string("Microsoft.KeyVault/vaults/") + s);
  return out;
}

std::vector<RoleDefinition> MakeRoles() {
  const auto& cma = CommonManagementActions();
  return {
      {"00482a5a-887f-4fb3-b363-3b7fe8e74483",
       "Key Vault Administrator",
       "Perform all data plane operations on a key vault and all objects in it.",
       cma,
       {},
       Data({"*"}),
       {}},
      {"21090545-7ca7-4776-b22c-e363652d74d2",
       "Key Vault Reader",
       "Read metadata of key vaults and its certificates, keys, and secrets.",
       cma,
       {},
       Data({"*/read", "secrets/readMetadata/action"}),
       {}},
      {"b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
       "Key Vault Secrets Officer",
       "Perform any action on the secrets of a key vault.",
       cma,
       {},
       Data({"secrets/*"}),
       {}},
      {"4633458b-17de-408a-b874-0445c86b69e6",
       "Key Vault Secrets User",
       "Read secret contents.",
       {},
       {},
       Data({"secrets/getSecret/action", "secrets/readMetadata/action"}),
       {}},
      {"14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
       "Key Vault Crypto Officer",
       "Perform any action on the keys of a key vault.",
       cma,
       {},
       Data({"keys/*", "keyrotationpolicies/*"}),
       {}},
      {"12338af0-0e69-4776-bea7-57ae8d297424",
       "Key Vault Crypto User",
       "Perform cryptographic operations using keys.",
       {},
       {},
       Data({"keys/read", "keys/update/action", "keys/backup/action", "keys/encrypt/action",
             "keys/decrypt/action", "keys/wrap/action", "keys/unwrap/action", "keys/sign/action",
             "keys/verify/action"}),
       {}},
      {"e147488a-f6f5-4113-8e2d-b22465e65bf6",
       "Key Vault Crypto Service Encryption User",
       "Read metadata of keys and perform wrap/unwrap operations.",
       {"Microsoft.EventGrid/eventSubscriptions/write",
        "Microsoft.EventGrid/eventSubscriptions/read",
        "Microsoft.EventGrid/eventSubscriptions/delete"},
       {},
       Data({"keys/read", "keys/wrap/action", "keys/unwrap/action"}),
       {}},
      {"08bbd89e-9f13-488c-ac41-acfcb10c90ab",
       "Key Vault Crypto Service Release User",
       "Release keys.",
       {},
       {},
       Data({"keys/release/action"}),
       {}},
      {"a4417e6f-fecd-4de8-b567-7b0420556985",
       "Key Vault Certificates Officer",
       "Perform any action on the certificates of a key vault.",
       cma,
       {},
       Data({"certificatecas/*", "certificates/*", "certificatecontacts/write"}),
       {}},
      {"db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
       "Key Vault Certificate User",
       "Read entire certificate contents including secret and key portion.",
       {},
       {},
       Data({"certificates/read", "secrets/getSecret/action", "secrets/readMetadata/action",
             "keys/read"}),
       {}},
      {"8b54135c-b56d-4d72-a534-26097cfdc8d8",
       "Key Vault Data Access Administrator",
       "Manage access to Azure Key Vault by adding or removing role assignments for the Key "
       "Vault roles.",
       {"Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete", "Microsoft.Authorization/*/read",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read",
        "Microsoft.Resources/subscriptions/read", "Microsoft.Management/managementGroups/read",
        "Microsoft.Support/*", "Microsoft.KeyVault/vaults/*/read"},
       {},
       {},
       {}},
      {"f25e0fa2-a7c8-4377-a976-54943a77a395",
       "Key Vault Contributor",
       "Manage key vaults, but does not allow you to assign roles in Azure RBAC, and does not "
       "allow you to access secrets, keys, or certificates.",
       {"Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*", "Microsoft.KeyVault/*",
        "Microsoft.Resources/deployments/*",
        "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Support/*"},
       {"Microsoft.KeyVault/locations/deletedVaults/purge/action", "Microsoft.KeyVault/hsmPools/*",
        "Microsoft.KeyVault/managedHsms/*"},
       {},
       {}},
  };
}

bool AnyMatches(std::span<const std::string> patterns, std::string_view action) {
  for (const auto& p : patterns) {
    if (ActionMatches(p, action)) return true;
  }
  return false;
}

}  // namespace

const std::vector<RoleDefinition>& BuiltInRoles() {
  static const std::vector<RoleDefinition> roles = MakeRoles();
  return roles;
}

const RoleDefinition* FindBuiltInRole(std::string_view id) {
  for (const auto& role : BuiltInRoles()) {
    if (AsciiEqualsIgnoreCase(role.id, id)) return &role;
  }
  return nullptr;
}

const RoleDefinition* FindBuiltInRoleByName(std::string_view name) {
  for (const auto& role : BuiltInRoles()) {
    if (AsciiEqualsIgnoreCase(role.name, name)) return &role;
  }
  return nullptr;
}

bool DataAccessAdministratorMayAssign(std::string_view role_id) {
  static const char* kAllowed[] = {
      "00482a5a-887f-4fb3-b363-3b7fe8e74483", "a4417e6f-fecd-4de8-b567-7b0420556985",
      "14b46e9e-c2b7-41b4-b07b-48a6ebf60603", "e147488a-f6f5-4113-8e2d-b22465e65bf6",
      "12338af0-0e69-4776-bea7-57ae8d297424", "21090545-7ca7-4776-b22c-e363652d74d2",
      "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", "4633458b-17de-408a-b874-0445c86b69e6"};
  const RoleDefinition* role = FindBuiltInRole(role_id);
  if (!role) return false;
  for (const char* id : kAllowed) {
    if (role->id == id) return true;
  }
  return false;
}

bool ActionMatches(std::string_view pattern, std::string_view action) {
  // Iterative glob with backtracking to the last '*'.
  size_t p = 0, a = 0, star = std::string_view::npos, mark = 0;
  while (a < action.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = a;
    } else if (p < pattern.size() && AsciiLower(pattern[p]) == AsciiLower(action[a])) {
      ++p;
      ++a;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      a = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PermissionsView ViewOf(const RoleDefinition& role) {
  return {role.actions, role.not_actions, role.data_actions, role.not_data_actions};
}

bool PermissionsGrant(const PermissionsView& p, std::string_view action, bool data_action) {
  if (data_action) {
    return AnyMatches(p.data_actions, action) && !AnyMatches(p.not_data_actions, action);
  }
  return AnyMatches(p.actions, action) && !AnyMatches(p.not_actions, action);
}

bool RoleGrants(const RoleDefinition& role, std::string_view action, bool data_action) {
  return PermissionsGrant(ViewOf(role), action, data_action);
}

}  // namespace kh::authz
