#pragma once
// What the role assignment and role definition handlers and per-request authorization share:
// resolving a role id to a built-in or custom role, and a caller's assignments to authz views.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/call.h"
#include "authz/authorizer.h"
#include "authz/roles.h"
#include "domain/role_assignment_service.h"
#include "domain/role_definition_service.h"

namespace kh::api {

// The role assignments of one principal as authz views, each with its role's permissions
// resolved (built-in or custom; a custom role that no longer exists grants nothing). Holds the
// snapshots the views point into, so no string is copied. Thread-compatible; cheap to build.
class CallerRoles {
 public:
  CallerRoles(const ApiServices& services, std::string_view principal_id);
  const std::vector<authz::RoleAssignment>& assignments() const { return views_; }

 private:
  std::shared_ptr<const std::vector<domain::RoleAssignmentRecord>> records_;
  std::shared_ptr<const domain::RoleDefinitionSnapshot> custom_;
  std::vector<authz::RoleAssignment> views_;
};

// A role definition found by GUID: built-in, custom, or neither.
struct RoleRef {
  const authz::RoleDefinition* built_in = nullptr;
  std::shared_ptr<const domain::RoleDefinitionRecord> custom;
  bool found() const { return built_in || custom; }
};
RoleRef FindRole(const ApiServices& services, std::string_view guid);

// Whether the role may be assigned at `scope`: built-in roles anywhere, custom roles at or
// below one of their assignable scopes.
bool AssignableAt(const RoleRef& role, std::string_view scope);
bool AssignableAt(const domain::RoleDefinitionRecord& role, std::string_view scope);

// "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
std::string RoleDefinitionResourceId(const Call& call, std::string_view guid);

// Whether the caller holds the management `action` at `scope` through a grant without Azure's
// Key Vault Data Access Administrator condition (the bootstrap administrator, or any other role:
// a custom role that grants roleAssignments/write may assign any role, like Azure's Owner).
bool HoldsUnconditionally(const Call& call, std::string_view action, std::string_view scope);

// {scope}/providers/Microsoft.Authorization/roleDefinitions[/{id}]: GET, list, PUT, DELETE.
Response HandleRoleDefinitions(const Call& call, const std::string& scope, const std::string* id);

}  // namespace kh::api
