// Role definitions over ARM, as Microsoft.Authorization serves them (API 2022-04-01, usable from
// @azure/arm-authorization's roleDefinitions.createOrUpdate/get/list/delete):
//   PUT    {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}   custom roles only
//   GET    {scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]
//   DELETE {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}
// Built-in roles are visible everywhere and read-only. A custom role is visible at its
// assignable scopes, below them, and (for GET) above them.
#include <boost/json.hpp>
#include <ctime>

#include "api/error_mapping.h"
#include "api/json_body.h"
#include "api/rbac.h"
#include "core/ascii.h"
#include "core/time_format.h"
#include "domain/names.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr char kInvalidRoleDefinition[] = "InvalidRoleDefinition";

constexpr std::string_view kActionRead = "Microsoft.Authorization/roleDefinitions/read";
constexpr std::string_view kActionWrite = "Microsoft.Authorization/roleDefinitions/write";
constexpr std::string_view kActionDelete = "Microsoft.Authorization/roleDefinitions/delete";
constexpr size_t kMaxFilterLength = 1024;

bool IsGuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    char c = s[i];
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::value(s));
  return a;
}

json::object Envelope(const Call& call, std::string_view guid, json::object properties) {
  return json::object{{"id", RoleDefinitionResourceId(call, guid)},
                      {"name", guid},
                      {"type", "Microsoft.Authorization/roleDefinitions"},
                      {"properties", std::move(properties)}};
}

json::object BuiltInToJson(const Call& call, const authz::RoleDefinition& role) {
  return Envelope(
      call, role.id,
      json::object{{"roleName", role.name},
                   {"description", role.description},
                   {"type", "BuiltInRole"},
                   {"assignableScopes", json::array{"/"}},
                   {"permissions", json::array{json::object{
                                       {"actions", Strings(role.actions)},
                                       {"notActions", Strings(role.not_actions)},
                                       {"dataActions", Strings(role.data_actions)},
                                       {"notDataActions", Strings(role.not_data_actions)}}}}});
}

json::object CustomToJson(const Call& call, const domain::RoleDefinitionRecord& role) {
  return Envelope(
      call, role.id,
      json::object{{"roleName", role.role_name},
                   {"description", role.description},
                   {"type", "CustomRole"},
                   {"assignableScopes", Strings(role.assignable_scopes)},
                   {"permissions",
                    json::array{json::object{{"actions", Strings(role.actions)},
                                             {"notActions", Strings(role.not_actions)},
                                             {"dataActions", Strings(role.data_actions)},
                                             {"notDataActions", Strings(role.not_data_actions)}}}},
                   {"createdOn", FormatIso8601(role.created_at)},
                   {"updatedOn", FormatIso8601(role.updated_at)},
                   {"createdBy", role.created_by},
                   {"updatedBy", role.updated_by}});
}

// A custom role is visible at a scope when one of its assignable scopes is at or above it, or,
// with `below`, under it.
bool VisibleAt(const domain::RoleDefinitionRecord& role, std::string_view scope, bool below) {
  for (const std::string& assignable : role.assignable_scopes) {
    if (authz::ScopeCovers(assignable, scope)) return true;
    if (below && authz::ScopeCovers(scope, assignable)) return true;
  }
  return false;
}

Status RoleNotFound(std::string_view id) {
  return NotFound("RoleDefinitionDoesNotExist", "The specified role definition with ID '" +
                                                    std::string(id.substr(0, 64)) +
                                                    "' does not exist.");
}

Status BuiltInReadOnly(std::string_view id) {
  return Status(StatusCode::kPermissionDenied, "BuiltInRoleDefinitionReadOnly",
                "The role definition '" + std::string(id) +
                    "' is a built-in role; built-in roles cannot be changed or deleted.");
}

// The role definition in a PUT body: {properties: {roleName, description, type, permissions,
// assignableScopes}}.
StatusOr<domain::RoleDefinitionRecord> ParseDefinition(const Call& call, const std::string& id) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  KH_ASSIGN_OR_RETURN(std::optional<json::object> props, OptObject(body, "properties"));
  if (!props) return InvalidArgument("The property 'properties' is required.", "BadRequest");
  domain::RoleDefinitionRecord r;
  r.id = domain::Lower(id);
  KH_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(*props, "roleName"));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> description, OptString(*props, "description"));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*props, "type"));
  r.role_name = name.value_or("");
  r.description = description.value_or("");
  if (type && !AsciiEqualsIgnoreCase(*type, "CustomRole")) {
    return InvalidArgument("Only custom roles can be created: 'type' must be 'CustomRole'.",
                           "InvalidRoleDefinition");
  }
  auto perms = props->find("permissions");
  if (perms != props->end() && !perms->value().is_null()) {
    if (!perms->value().is_array() || perms->value().get_array().size() > 1) {
      return InvalidArgument("The property 'permissions' must be an array of one object.",
                             "InvalidRoleDefinition");
    }
    for (const json::value& p : perms->value().get_array()) {
      if (!p.is_object()) {
        return InvalidArgument("The property 'permissions' must be an array of one object.",
                               "InvalidRoleDefinition");
      }
      const json::object& po = p.get_object();
      KH_ASSIGN_OR_RETURN(r.actions, OptStringList(po, "actions", kInvalidRoleDefinition));
      KH_ASSIGN_OR_RETURN(r.not_actions, OptStringList(po, "notActions", kInvalidRoleDefinition));
      KH_ASSIGN_OR_RETURN(r.data_actions, OptStringList(po, "dataActions", kInvalidRoleDefinition));
      KH_ASSIGN_OR_RETURN(r.not_data_actions,
                          OptStringList(po, "notDataActions", kInvalidRoleDefinition));
    }
  }
  KH_ASSIGN_OR_RETURN(r.assignable_scopes,
                      OptStringList(*props, "assignableScopes", kInvalidRoleDefinition));
  return r;
}

// Rules that need the server's context; the record's own rules are the domain's.
Status CheckPlacement(const Call& call, const std::string& scope,
                      const domain::RoleDefinitionRecord& r) {
  if (authz::FindBuiltInRoleByName(r.role_name)) {
    return Status(StatusCode::kConflict, "RoleDefinitionWithSameNameExists",
                  "A role definition cannot be updated with a name that already exists.");
  }
  const std::string subscription = "/subscriptions/" + call.config.subscription_id;
  bool defined_at_assignable = false;
  for (const std::string& assignable : r.assignable_scopes) {
    if (assignable.size() > 1 && !authz::ScopeCovers(subscription, assignable)) {
      return InvalidArgument("The assignable scope '" + assignable.substr(0, 128) +
                                 "' is not in this server's subscription.",
                             "InvalidAssignableScope");
    }
    std::string_view a = assignable;
    if (a.size() == scope.size() && AsciiEqualsIgnoreCase(a, scope)) defined_at_assignable = true;
  }
  if (!r.assignable_scopes.empty() && !defined_at_assignable) {
    return InvalidArgument("The role definition's scope '" + scope.substr(0, 128) +
                               "' must be one of its assignable scopes.",
                           "InvalidRoleDefinitionScope");
  }
  return Status::Ok();
}

// Authorization for a change to a custom role: the action at every scope it names.
std::optional<Response> DenyAtEvery(const Call& call, std::string_view action,
                                    const std::vector<std::string>& scopes) {
  for (const std::string& scope : scopes) {
    if (auto denied = DenyManagement(call, action, scope)) return denied;
  }
  return std::nullopt;
}

Response Put(const Call& call, const std::string& scope, const std::string& id) {
  if (auto denied = DenyManagement(call, kActionWrite, scope)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    if (!IsGuid(id)) {
      return InvalidArgument("The role definition ID '" + id.substr(0, 64) + "' is not a GUID.",
                             "InvalidRoleDefinitionId");
    }
    if (authz::FindBuiltInRole(id)) return BuiltInReadOnly(id);
    KH_ASSIGN_OR_RETURN(domain::RoleDefinitionRecord record, ParseDefinition(call, id));
    KH_RETURN_IF_ERROR(domain::ValidateRoleDefinition(record));
    KH_RETURN_IF_ERROR(CheckPlacement(call, scope, record));
    if (auto denied = DenyAtEvery(call, kActionWrite, record.assignable_scopes)) return *denied;
    if (auto existing = FindRole(call.services, id).custom) {
      if (auto denied = DenyAtEvery(call, kActionWrite, existing->assignable_scopes)) {
        return *denied;
      }
    }
    // Assignments that use the role must stay within its assignable scopes. Checked under the
    // role service's lock, so a concurrent update cannot slip between check and write (an
    // assignment created meanwhile is re-checked by the assignment handler after its write).
    std::vector<std::string> scopes = record.assignable_scopes;  // `record` is moved below
    auto keeps_assignments = [&](const domain::RoleDefinitionRecord& existing) -> Status {
      for (const auto& a : call.services.role_assignments->List()) {
        if (a.role_id != existing.id) continue;
        bool covered = false;
        for (const std::string& s : scopes) covered = covered || authz::ScopeCovers(s, a.scope);
        if (!covered) {
          return Status(StatusCode::kConflict, "RoleDefinitionHasAssignments",
                        "There are existing role assignments referencing role at scope '" +
                            a.scope + "', outside the new assignable scopes.");
        }
      }
      return Status::Ok();
    };
    KH_ASSIGN_OR_RETURN(
        domain::PutRoleDefinitionResult result,
        call.services.role_definitions->Put(std::move(record), call.admission.caller->object_id,
                                            keeps_assignments));
    // Azure answers 201 to an update too; @azure/arm-authorization accepts nothing else.
    return JsonResponse(201, CustomToJson(call, result.role));
  });
}

Response Delete(const Call& call, const std::string& scope, const std::string& id) {
  if (auto denied = DenyManagement(call, kActionDelete, scope)) return *denied;
  if (authz::FindBuiltInRole(id)) return ErrorResponse(BuiltInReadOnly(id));
  std::shared_ptr<const domain::RoleDefinitionRecord> role = FindRole(call.services, id).custom;
  if (!role || !VisibleAt(*role, scope, true)) {
    Response r;
    r.status = 204;
    return r;
  }
  if (auto denied = DenyAtEvery(call, kActionDelete, role->assignable_scopes)) return *denied;
  auto in_use = [&] {
    std::vector<domain::RoleAssignmentRecord> users;
    for (auto& a : call.services.role_assignments->List()) {
      if (a.role_id == role->id) users.push_back(std::move(a));
    }
    return users;
  };
  if (!in_use().empty()) {
    return ErrorResponse(Status(StatusCode::kConflict, "RoleDefinitionHasAssignments",
                                "There are existing role assignments referencing role."));
  }
  auto removed = call.services.role_definitions->Delete(role->id);
  if (removed.status().code() == StatusCode::kNotFound) {
    Response r;
    r.status = 204;
    return r;
  }
  if (!removed.ok()) return ErrorResponse(removed.status());
  // An assignment created while this delete ran refers to a role that is gone: it grants
  // nothing, and is removed so that a later role with the same id does not inherit it. (The
  // assignment handler re-checks the role after creating, which closes the other order.)
  for (const auto& orphan : in_use()) {
    call.services.role_assignments->Delete(orphan.id).status().IgnoreError();
  }
  return JsonResponse(200, CustomToJson(call, *removed));
}

Response GetOne(const Call& call, const std::string& scope, const std::string& id) {
  if (auto denied = DenyManagement(call, kActionRead, scope)) return *denied;
  RoleRef role = FindRole(call.services, id);
  if (role.built_in) return JsonResponse(200, BuiltInToJson(call, *role.built_in));
  if (role.custom && VisibleAt(*role.custom, scope, true)) {
    return JsonResponse(200, CustomToJson(call, *role.custom));
  }
  return ErrorResponse(RoleNotFound(id));
}

struct DefinitionFilter {
  std::optional<std::string> role_name;
  std::optional<std::string> type;  // "BuiltInRole" | "CustomRole"
  bool at_scope_and_below = false;
};

// OData subset Azure accepts here: "roleName eq '...'", "type eq '...'" and "atScopeAndBelow()",
// joined by "and". A quote inside a value is doubled.
StatusOr<DefinitionFilter> ParseFilter(std::string_view filter) {
  DefinitionFilter out;
  auto malformed = [&] {
    return InvalidArgument("The $filter '" + std::string(filter.substr(0, 128)) +
                               "' is not supported: use roleName eq '...', type eq '...' or "
                               "atScopeAndBelow().",
                           "InvalidFilter");
  };
  if (filter.size() > kMaxFilterLength) return malformed();
  size_t pos = 0;
  auto skip_spaces = [&] {
    while (pos < filter.size() && filter[pos] == ' ') ++pos;
  };
  auto take_word = [&](std::string_view word) {
    skip_spaces();
    if (filter.size() - pos < word.size() ||
        !AsciiEqualsIgnoreCase(filter.substr(pos, word.size()), word)) {
      return false;
    }
    pos += word.size();
    return true;
  };
  auto take_quoted = [&]() -> std::optional<std::string> {
    skip_spaces();
    if (pos >= filter.size() || filter[pos] != '\'') return std::nullopt;
    std::string value;
    for (++pos; pos < filter.size(); ++pos) {
      if (filter[pos] != '\'') {
        value += filter[pos];
      } else if (pos + 1 < filter.size() && filter[pos + 1] == '\'') {
        value += '\'';
        ++pos;
      } else {
        ++pos;
        return value;
      }
    }
    return std::nullopt;
  };
  skip_spaces();
  if (pos == filter.size()) return out;
  for (;;) {
    if (take_word("atScopeAndBelow()")) {
      out.at_scope_and_below = true;
    } else if (take_word("roleName")) {
      if (!take_word("eq ")) return malformed();
      out.role_name = take_quoted();
      if (!out.role_name) return malformed();
    } else if (take_word("type")) {
      if (!take_word("eq ")) return malformed();
      out.type = take_quoted();
      if (!out.type) return malformed();
    } else {
      return malformed();
    }
    skip_spaces();
    if (pos == filter.size()) return out;
    if (!take_word("and ")) return malformed();
  }
}

Response List(const Call& call, const std::string& scope) {
  if (auto denied = DenyManagement(call, kActionRead, scope)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(DefinitionFilter filter, ParseFilter(call.target.Query("$filter")));
    auto wanted = [&](std::string_view name, std::string_view type) {
      if (filter.role_name && !AsciiEqualsIgnoreCase(*filter.role_name, name)) return false;
      return !filter.type || AsciiEqualsIgnoreCase(*filter.type, type);
    };
    json::array items;
    for (const auto& role : authz::BuiltInRoles()) {
      if (wanted(role.name, "BuiltInRole")) items.push_back(BuiltInToJson(call, role));
    }
    if (call.services.role_definitions) {
      for (const auto& [id, role] : *call.services.role_definitions->Snapshot()) {
        if (wanted(role->role_name, "CustomRole") &&
            VisibleAt(*role, scope, filter.at_scope_and_below)) {
          items.push_back(CustomToJson(call, *role));
        }
      }
    }
    return JsonResponse(200, json::object{{"value", std::move(items)}});
  });
}

}  // namespace

Response HandleRoleDefinitions(const Call& call, const std::string& scope, const std::string* id) {
  const std::string& m = call.request.method;
  if (!id) return m == "GET" ? List(call, scope) : MethodNotAllowed(call.request);
  if (m == "GET") return GetOne(call, scope, *id);
  // Custom roles need both services (an Api wired without them serves built-in roles only).
  if (!call.services.role_definitions || !call.services.role_assignments) {
    return MethodNotAllowed(call.request);
  }
  if (m == "PUT") return Put(call, scope, *id);
  if (m == "DELETE") return Delete(call, scope, *id);
  return MethodNotAllowed(call.request);
}

}  // namespace kh::api
