#include "cli/access_commands.h"

#include <strings.h>

#include <boost/json.hpp>

#include "cli/json_util.h"
#include "core/ids.h"
#include "cli/urls.h"

namespace kh::cli {
namespace json = boost::json;
namespace {

constexpr char kAuthorizationApiVersion[] = "2022-04-01";

// The ARM id of a vault, found by name in the subscription.
StatusOr<std::string> VaultId(const Session& session, const std::string& name) {
  KH_ASSIGN_OR_RETURN(
      std::string list_url,
      ArmVaultListUrl(session.api.server(), session.api.credentials().subscription_id));
  KH_ASSIGN_OR_RETURN(json::array vaults, session.api.ListAll(list_url));
  for (const json::value& vault : vaults) {
    std::optional<std::string> vault_name = GetString(vault, "name");
    std::optional<std::string> id = GetString(vault, "id");
    if (vault_name && id && strcasecmp(vault_name->c_str(), name.c_str()) == 0) return *id;
  }
  return NotFound("ResourceNotFound", "The vault '" + name + "' was not found.");
}

// A built-in role's GUID from its name or GUID, via the server's roleDefinitions.
StatusOr<std::string> RoleGuid(const Session& session, const std::string& role) {
  std::string url =
      session.api.server().Origin() + "/subscriptions/" +
      session.api.credentials().subscription_id +
      "/providers/Microsoft.Authorization/roleDefinitions?api-version=" + kAuthorizationApiVersion;
  KH_ASSIGN_OR_RETURN(json::array roles, session.api.ListAll(url));
  for (const json::value& r : roles) {
    std::optional<std::string> guid = GetString(r, "name");
    const json::value* props = r.is_object() ? r.as_object().if_contains("properties") : nullptr;
    std::optional<std::string> role_name = props ? GetString(*props, "roleName") : std::nullopt;
    if ((guid && strcasecmp(guid->c_str(), role.c_str()) == 0) ||
        (role_name && strcasecmp(role_name->c_str(), role.c_str()) == 0)) {
      return *guid;
    }
  }
  return NotFound("RoleDefinitionDoesNotExist", "No built-in role is named '" + role + "'.");
}

}  // namespace

Status AssignRole(const Session& session, const RoleAssignArgs& args) {
  KH_ASSIGN_OR_RETURN(std::string scope, VaultId(session, args.vault));
  if (args.secret) scope += "/secrets/" + *args.secret;
  KH_ASSIGN_OR_RETURN(std::string role, RoleGuid(session, args.role));
  json::object body{{"properties", json::object{{"roleDefinitionId", role},
                                                {"principalId", args.assignee},
                                                {"principalType", "ServicePrincipal"}}}};
  std::string url = session.api.server().Origin() + scope +
                    "/providers/Microsoft.Authorization/roleAssignments/" + NewGuid() +
                    "?api-version=" + kAuthorizationApiVersion;
  KH_ASSIGN_OR_RETURN(json::value created, session.api.CallWithJson("PUT", url, body));
  session.out << PrettyJson(created) << "\n";
  return Status::Ok();
}

Status ListRoleAssignments(const Session& session, const std::string& vault) {
  KH_ASSIGN_OR_RETURN(std::string scope, VaultId(session, vault));
  std::string url =
      session.api.server().Origin() + scope +
      "/providers/Microsoft.Authorization/roleAssignments?api-version=" + kAuthorizationApiVersion;
  KH_ASSIGN_OR_RETURN(json::array assignments, session.api.ListAll(url));
  session.out << PrettyJson(json::value(std::move(assignments))) << "\n";
  return Status::Ok();
}

}  // namespace kh::cli
