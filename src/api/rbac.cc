#include "api/rbac.h"

#include "core/ascii.h"
#include "domain/names.h"

namespace kh::api {
namespace {

authz::PermissionsView ViewOf(const domain::RoleDefinitionRecord& role) {
  return {role.actions, role.not_actions, role.data_actions, role.not_data_actions};
}

}  // namespace

CallerRoles::CallerRoles(const ApiServices& services, std::string_view principal_id) {
  if (!services.role_assignments) return;
  records_ = services.role_assignments->ForPrincipal(principal_id);
  views_.reserve(records_->size());
  for (const auto& r : *records_) {
    authz::RoleAssignment view{r.id, r.scope, r.role_id, r.principal_id};
    if (const authz::RoleDefinition* built_in = authz::FindBuiltInRole(r.role_id)) {
      view.permissions = authz::ViewOf(*built_in);
    } else {
      // Taken once, and only by callers that hold a custom role.
      if (!custom_ && services.role_definitions) custom_ = services.role_definitions->Snapshot();
      const domain::RoleDefinitionRecord* role = nullptr;
      if (custom_) {
        // Assignments store the role id lower-cased, as the snapshot is keyed.
        auto it = custom_->find(r.role_id);
        if (it != custom_->end()) role = it->second.get();
      }
      view.permissions = role ? ViewOf(*role) : authz::PermissionsView{};
    }
    views_.push_back(view);
  }
}

RoleRef FindRole(const ApiServices& services, std::string_view guid) {
  RoleRef ref;
  ref.built_in = authz::FindBuiltInRole(guid);
  if (!ref.built_in && services.role_definitions) {
    auto snapshot = services.role_definitions->Snapshot();
    auto it = snapshot->find(domain::Lower(guid));
    if (it != snapshot->end()) ref.custom = it->second;
  }
  return ref;
}

bool AssignableAt(const domain::RoleDefinitionRecord& role, std::string_view scope) {
  for (const std::string& assignable : role.assignable_scopes) {
    if (authz::ScopeCovers(assignable, scope)) return true;
  }
  return false;
}

bool AssignableAt(const RoleRef& role, std::string_view scope) {
  if (role.built_in) return true;  // assignableScopes: ["/"]
  return role.custom && AssignableAt(*role.custom, scope);
}

std::string RoleDefinitionResourceId(const Call& call, std::string_view guid) {
  return "/subscriptions/" + call.config.subscription_id +
         "/providers/Microsoft.Authorization/roleDefinitions/" + std::string(guid);
}

bool HoldsUnconditionally(const Call& call, std::string_view action, std::string_view scope) {
  const authn::Caller& caller = *call.admission.caller;
  authz::Subject subject{caller.object_id, caller.client_id};
  if (call.services.authorizer->IsBootstrapAdmin(subject)) return true;
  CallerRoles roles(call.services, caller.object_id);
  std::vector<authz::RoleAssignment> unconditional;
  for (const auto& a : roles.assignments()) {
    if (!AsciiEqualsIgnoreCase(a.role_id, authz::kDataAccessAdministratorRoleId)) {
      unconditional.push_back(a);
    }
  }
  return call.services.authorizer->Check(subject, action, scope, unconditional, false).allowed;
}

}  // namespace kh::api
