// Azure RBAC over ARM: role assignments and role definitions at any scope,
//   {scope}/providers/Microsoft.Authorization/roleAssignments[/{id}]
//   {scope}/providers/Microsoft.Authorization/roleDefinitions[/{id}]
// shaped as Microsoft.Authorization returns them (usable from @azure/arm-authorization).
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "api/rbac.h"
#include "authz/authorizer.h"
#include "authz/roles.h"
#include "domain/names.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionAssignmentsRead = "Microsoft.Authorization/roleAssignments/read";
constexpr std::string_view kActionAssignmentsWrite =
    "Microsoft.Authorization/roleAssignments/write";
constexpr std::string_view kActionAssignmentsDelete =
    "Microsoft.Authorization/roleAssignments/delete";
json::object AssignmentToJson(const Call& call, const domain::RoleAssignmentRecord& a) {
  return json::object{
      {"id", a.scope + "/providers/Microsoft.Authorization/roleAssignments/" + a.id},
      {"name", a.id},
      {"type", "Microsoft.Authorization/roleAssignments"},
      {"properties", json::object{{"roleDefinitionId", RoleDefinitionResourceId(call, a.role_id)},
                                  {"principalId", a.principal_id},
                                  {"principalType", a.principal_type},
                                  {"scope", a.scope},
                                  {"createdBy", a.created_by}}},
  };
}

// The role GUID from "/subscriptions/.../roleDefinitions/{guid}" or a bare GUID.
std::string RoleGuid(std::string_view definition_id) {
  size_t slash = definition_id.rfind('/');
  return std::string(slash == std::string_view::npos ? definition_id
                                                     : definition_id.substr(slash + 1));
}

Status RoleNotAssignable(std::string_view role_id, std::string_view scope) {
  return NotFound("RoleDefinitionDoesNotExist",
                  "The specified role definition with ID '" + std::string(role_id.substr(0, 64)) +
                      "' does not exist at scope '" + std::string(scope.substr(0, 256)) + "'.");
}

// Management can only name scopes inside this server's one subscription.
bool InSubscription(const Call& call, const std::string& scope) {
  return authz::ScopeCovers("/subscriptions/" + call.config.subscription_id, scope);
}

Response PutAssignment(const Call& call, const std::string& scope, const std::string& id) {
  if (auto denied = DenyManagement(call, kActionAssignmentsWrite, scope)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(std::optional<json::object> props, OptObject(body, "properties"));
    if (!props) return InvalidArgument("The property 'properties' is required.", "BadRequest");
    KH_ASSIGN_OR_RETURN(std::optional<std::string> role, OptString(*props, "roleDefinitionId"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> principal, OptString(*props, "principalId"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*props, "principalType"));
    if (!role || !principal || principal->empty()) {
      return InvalidArgument("roleDefinitionId and principalId are required.", "BadRequest");
    }
    const std::string role_id = domain::Lower(RoleGuid(*role));
    // A custom role exists, for assignments, only at and below its assignable scopes.
    RoleRef found = FindRole(call.services, role_id);
    if (!found.found() || !AssignableAt(found, scope)) return RoleNotAssignable(role_id, scope);
    // Key Vault Data Access Administrator's grant carries Azure's condition: only the Key Vault
    // roles it lists. Any other grant of roleAssignments/write (the bootstrap administrator, a
    // custom role) may assign any role.
    if (!authz::DataAccessAdministratorMayAssign(role_id) &&
        !HoldsUnconditionally(call, kActionAssignmentsWrite, scope)) {
      return PermissionDenied("The role '" + role_id.substr(0, 64) +
                                  "' may not be assigned by Key Vault Data Access Administrator.",
                              "ForbiddenByRbac");
    }
    domain::RoleAssignmentRecord record;
    record.id = id;
    record.scope = scope;
    record.role_id = role_id;
    record.principal_id = *principal;
    if (type) record.principal_type = *type;
    record.created_by = call.admission.caller->object_id;
    KH_ASSIGN_OR_RETURN(domain::RoleAssignmentRecord created,
                        call.services.role_assignments->Create(std::move(record)));
    if (found.custom) {
      // The role may have been deleted or narrowed while this ran (its handler refuses while
      // assignments use it, but checks before we wrote): undo rather than keep an orphan.
      RoleRef now = FindRole(call.services, role_id);
      if (!now.found() || !AssignableAt(now, scope)) {
        call.services.role_assignments->Delete(created.id).status().IgnoreError();
        return RoleNotAssignable(role_id, scope);
      }
    }
    return JsonResponse(201, AssignmentToJson(call, created));
  });
}

Response AssignmentResource(const Call& call, const std::string& scope, const std::string& id) {
  const std::string& m = call.request.method;
  if (m == "PUT") return PutAssignment(call, scope, id);
  if (m == "GET") {
    if (auto denied = DenyManagement(call, kActionAssignmentsRead, scope)) return *denied;
    return Respond([&]() -> StatusOr<Response> {
      KH_ASSIGN_OR_RETURN(auto a, call.services.role_assignments->Get(id));
      if (domain::Lower(a.scope) != domain::Lower(scope)) {
        return NotFound("RoleAssignmentNotFound", "The role assignment is not found.");
      }
      return JsonResponse(200, AssignmentToJson(call, a));
    });
  }
  if (m == "DELETE") {
    if (auto denied = DenyManagement(call, kActionAssignmentsDelete, scope)) return *denied;
    auto existing = call.services.role_assignments->Get(id);
    // The caller was authorized at the URL's scope: an assignment elsewhere is not there.
    bool here = existing.ok() && domain::Lower(existing->scope) == domain::Lower(scope);
    if (here && !authz::DataAccessAdministratorMayAssign(existing->role_id) &&
        !HoldsUnconditionally(call, kActionAssignmentsDelete, scope)) {
      return ErrorResponse(PermissionDenied(
          "Key Vault Data Access Administrator may not remove this role assignment.",
          "ForbiddenByRbac"));
    }
    auto removed =
        here ? call.services.role_assignments->Delete(id)
             : StatusOr<domain::RoleAssignmentRecord>(NotFound("RoleAssignmentNotFound", "absent"));
    if (removed.status().code() == StatusCode::kNotFound) {
      Response r;
      r.status = 204;
      return r;
    }
    if (!removed.ok()) return ErrorResponse(removed.status());
    return JsonResponse(200, AssignmentToJson(call, *removed));
  }
  return MethodNotAllowed(call.request);
}

// $filter: "principalId eq '{id}'" and/or "atScope()".
Response ListAssignments(const Call& call, const std::string& scope) {
  if (call.request.method != "GET") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kActionAssignmentsRead, scope)) return *denied;
  std::string filter = call.target.Query("$filter");
  std::string principal;
  size_t at = filter.find("principalId eq '");
  if (at != std::string::npos) {
    size_t start = at + 16, end = filter.find('\'', start);
    if (end == std::string::npos) {
      return ErrorResponse(InvalidArgument("The $filter is malformed.", "InvalidFilter"));
    }
    principal = filter.substr(start, end - start);
  }
  bool at_scope = filter.find("atScope()") != std::string::npos;
  json::array items;
  for (const auto& a : call.services.role_assignments->List()) {
    if (!principal.empty() && a.principal_id != principal) continue;
    bool above = authz::ScopeCovers(a.scope, scope);
    bool below = authz::ScopeCovers(scope, a.scope);
    if (at_scope ? !above : !(above || below)) continue;
    items.push_back(AssignmentToJson(call, a));
  }
  return JsonResponse(200, json::object{{"value", std::move(items)}});
}

}  // namespace

std::optional<Response> HandleAuthorization(const Call& call) {
  const auto& s = call.target.segments;
  // Find ".../providers/Microsoft.Authorization/{roleAssignments|roleDefinitions}[/{id}]".
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (domain::Lower(s[i]) != "providers" ||
        domain::Lower(s[i + 1]) != "microsoft.authorization") {
      continue;
    }
    std::string scope;
    for (size_t j = 0; j < i; ++j) scope += "/" + s[j];
    if (!InSubscription(call, scope)) {
      return ErrorResponse(NotFound("SubscriptionNotFound",
                                    "The scope is not in this server's "
                                    "subscription."));
    }
    std::string kind = domain::Lower(s[i + 2]);
    bool has_id = s.size() == i + 4;
    if (s.size() > i + 4) return UnknownRoute(call.request);
    if (kind == "roleassignments") {
      return has_id ? AssignmentResource(call, scope, s[i + 3]) : ListAssignments(call, scope);
    }
    if (kind == "roledefinitions") {
      return HandleRoleDefinitions(call, scope, has_id ? &s[i + 3] : nullptr);
    }
    return UnknownRoute(call.request);
  }
  return std::nullopt;
}

}  // namespace kh::api
