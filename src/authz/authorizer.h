#pragma once
// Authorizer: decides whether a caller may perform an action on a resource. Pure: no I/O, no
// clock; the caller hands it the role assignments that name the principal, with the permissions
// of any custom role they use already resolved.
//
// Deny by default. Allowed when the caller is the bootstrap administrator, or when a role
// assignment of the caller, at the resource's scope or any scope above it, is for a role that
// grants the action (Azure RBAC). Actions use Azure's names, e.g.
// "Microsoft.KeyVault/vaults/secrets/getSecret/action" (data) or
// "Microsoft.KeyVault/vaults/write" (management). Scopes are ARM resource ids
// ("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{v}/secrets/{n}").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authz/roles.h"

namespace kh::authz {

struct Subject {
  std::string object_id;
  std::string client_id;
};

// A view of one role assignment (the caller owns the strings; nothing is copied per request).
struct RoleAssignment {
  std::string_view id;            // the assignment's name (a GUID)
  std::string_view scope;         // ARM id of where it applies
  std::string_view role_id;       // GUID of the role definition
  std::string_view principal_id;  // object id
  // The role's permissions as the caller resolved them (required for a custom role; the API
  // resolves built-in roles too, sparing a second lookup). When unset, role_id is looked up among
  // the built-in roles. An unknown role grants nothing.
  std::optional<PermissionsView> permissions = std::nullopt;
};

struct Decision {
  bool allowed = false;
  std::string reason;         // safe to show the caller
  std::string granted_by;     // the role assignment id (RBAC) or policy object id that allowed it
};

// True when `scope` is `resource` or an ancestor of it (case-insensitive, whole segments).
bool ScopeCovers(std::string_view scope, std::string_view resource);

class Authorizer {
 public:
  explicit Authorizer(std::string bootstrap_admin_object_id)
      : admin_object_id_(std::move(bootstrap_admin_object_id)) {}

  Decision Check(const Subject& subject, std::string_view action, std::string_view resource,
                 const std::vector<RoleAssignment>& assignments, bool data_action) const;
  bool IsBootstrapAdmin(const Subject& subject) const {
    return !admin_object_id_.empty() && subject.object_id == admin_object_id_;
  }

 private:
  std::string admin_object_id_;
};

}  // namespace kh::authz
