#pragma once
// Access review: for every principal, what it may do on each vault and why (which role assignment
// or access policy), and the grants a reviewer should look at. Pure: no I/O, no clock (the caller
// passes `now`); the output order is deterministic. Thread-safe (no shared state).
//
// Effective permissions follow the request path exactly (api's Decide):
// - On a vault with enableRbacAuthorization, a data action is granted by a role assignment of the
//   principal whose scope is the vault or above it (root, subscription, resource group) and whose
//   role grants it (actions minus not-actions, Azure's '*' matching). An assignment below the
//   vault (one secret, key or certificate) grants the actions of that object's type on that
//   object only; it is reported as its own grant, not in the vault-wide set.
// - On an access-policy vault, data actions come only from its access policies (an entry matches
//   the principal's object id, and its client id when the entry names an application); role
//   assignments still grant management actions there, and are listed with data_plane_ignored.
//   Likewise the access policies a vault that uses RBAC still carries are listed, ignored.
// - Management actions are reported for the vault-related ones (Microsoft.KeyVault/vaults...,
//   Microsoft.Authorization/roleAssignments/...) at the vault's scope.
// - The bootstrap administrator may do everything everywhere; it is listed with that reason and
//   never flagged.
// Actions are expanded against authz/action_catalogue.h (managed storage accounts left out).
//
// Findings (codes are stable; severities are high, medium, low). None is raised for the
// bootstrap administrator.
// - BroadScope: a role assignment at root, subscription or resource-group scope, whatever the
//   role (it reaches every vault there, present and future). High when the role grants any data
//   action or any management action other than a read, else medium. One per assignment.
// - WildcardPermission (high), one per role assignment or access-policy entry (the rules are
//   authz/wildcard_rules.h's):
//   * a role one of whose '*' patterns (an action or a data action), after the role's
//     not-actions, grants non-read catalogue actions of two or more types. So Key Vault
//     Administrator (data `Microsoft.KeyVault/vaults/*`) and Key Vault Contributor (management
//     `Microsoft.KeyVault/*`) are flagged; Secrets Officer (`secrets/*`), Crypto Officer
//     (`keys/*`, `keyrotationpolicies/*`) and Certificates Officer are not (one type per
//     pattern); read-only patterns (`*/read`, as in Key Vault Reader and the management reads
//     every built-in role carries) are not; patterns that match no catalogue action
//     (`Microsoft.Support/*` ...) grant nothing here and are not. The role is judged wherever it
//     is assigned, also on an access-policy vault or at object scope.
//   * an access-policy entry whose keys, secrets, certificates or storage list holds `all` or
//     every permission Azure defines for that list (case-insensitive; `manageissuers` counts as
//     present when getissuers, listissuers, setissuers and deleteissuers all are), also a
//     dormant entry on a vault that uses RBAC (it applies again if the vault switches back).
// - CrossEnvironmentRead (high), one per principal: it holds a reading data action
//   (IsReadingDataAction), effective, vault-wide or on one object, on vaults whose `environment`
//   tags (key and value compared case-insensitively) take two or more values. Vaults without the
//   tag take no part.
// - ExpiredCredential (medium), one per credential of a principal whose end time has passed
//   (end != 0 and end <= now).
// - UnknownPrincipal (low), one per role assignment or access-policy entry naming an object id
//   that is no Keyhaven principal: deleted, or an identity of a trusted external issuer (which
//   Keyhaven cannot list). The grant is still reviewed like any other.
// - UnknownRole (low), one per role assignment whose role is neither built-in nor custom (it
//   grants nothing).
// Not reported: unused assignments (no use in the audit trail), because Keyhaven keeps no audit
// trail yet; the review's notes say so.
//
// With `only_vault`, the review is computed over everything and then cut down to that vault:
// its entry in each principal's list, the principals that have one, and the findings that name
// the vault (and ExpiredCredential of those principals).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "authz/access_policies.h"
#include "authz/roles.h"

namespace kh::authz {

struct ReviewCredential {
  std::string key_id;
  std::string type;  // "Password" | "AsymmetricX509Cert"
  std::string display_name;
  int64_t end = 0;  // seconds since the epoch; 0 = never
};

struct ReviewPrincipal {
  std::string object_id;
  std::string client_id;
  std::string display_name;
  bool bootstrap_admin = false;
  std::vector<ReviewCredential> credentials;
};

struct ReviewVault {
  std::string
      id;  // ARM id: /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{v}
  std::string name;
  bool rbac_authorization = true;
  std::map<std::string, std::string> tags;
  std::vector<PolicyGrant> access_policies;
};

struct ReviewAssignment {
  std::string id;
  std::string scope;
  std::string role_id;
  std::string principal_id;
};

struct AccessReviewInput {
  std::vector<ReviewPrincipal> principals;
  std::vector<ReviewVault> vaults;
  std::vector<ReviewAssignment> assignments;
  std::vector<RoleDefinition> custom_roles;  // built-in roles come from BuiltInRoles()
  int64_t now = 0;
  std::string only_vault;  // a vault name (case-insensitive); empty = every vault
};

enum class ScopeLevel { kRoot, kSubscription, kResourceGroup, kVault, kObject, kOther };
std::string_view ScopeLevelName(ScopeLevel level);  // "root", "subscription", ... "other"
ScopeLevel ClassifyScope(std::string_view scope);

enum class GrantSource { kRoleAssignment, kAccessPolicy, kBootstrapAdministrator };
std::string_view GrantSourceName(GrantSource source);  // "roleAssignment", ...

// One reason a principal has access to a vault.
struct Grant {
  GrantSource source = GrantSource::kRoleAssignment;
  // kRoleAssignment
  std::string assignment_id;
  std::string role_id;
  std::string role_name;  // empty when the role is unknown
  bool custom_role = false;
  std::string scope;
  ScopeLevel level = ScopeLevel::kVault;
  std::string object;               // kObject: the path under the vault, e.g. "secrets/db"
  bool data_plane_ignored = false;  // the vault uses access policies
  // kAccessPolicy: the entry as stored
  std::string application_id;
  std::vector<std::string> keys, secrets, certificates, storage;
  // What this grant gives here (full Azure names, catalogue order).
  std::vector<std::string> data_actions;
  std::vector<std::string> management_actions;
};

struct VaultAccess {
  std::string vault_id;
  std::string vault_name;
  bool rbac_authorization = true;
  std::string environment;                      // the `environment` tag's value; empty when absent
  std::vector<std::string> data_actions;        // vault-wide (object-scope grants excluded)
  std::vector<std::string> management_actions;  // at the vault's scope
  std::vector<Grant> grants;
};

enum class Severity { kHigh, kMedium, kLow };
std::string_view SeverityName(Severity severity);  // "high", "medium", "low"

struct Finding {
  std::string code;
  Severity severity = Severity::kHigh;
  std::string principal_id;         // object id
  std::string principal_name;       // display name; empty for an unknown principal
  std::string assignment_id;        // when about a role assignment
  std::string credential_id;        // ExpiredCredential: the credential's key id
  std::vector<std::string> vaults;  // names of the vaults concerned
  std::string message;
};

struct PrincipalReview {
  std::string object_id;
  std::string client_id;
  std::string display_name;
  bool known = true;  // false: named by a grant but not a Keyhaven principal
  bool bootstrap_admin = false;
  std::vector<ReviewCredential> credentials;
  std::vector<VaultAccess> vaults;  // only vaults where it has at least one grant
};

struct AccessReview {
  std::vector<PrincipalReview> principals;  // bootstrap admin first, then by display name
  std::vector<Finding> findings;            // by severity, code, principal, vault
  std::vector<std::string> notes;
};

AccessReview ReviewAccess(const AccessReviewInput& input);

}  // namespace kh::authz
