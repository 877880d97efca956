// ARM's soft-deleted vaults and name check (azure-kv-governance.md sections 1 and 7):
//   GET  /subscriptions/{sub}/providers/Microsoft.KeyVault/deletedVaults
//   GET  /subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}
//   POST /subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}/purge
//   POST /subscriptions/{sub}/providers/Microsoft.KeyVault/checkNameAvailability
// Recovery is a vault PUT with createMode "recover" (management_handlers.cc).
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "core/time_format.h"
#include "domain/names.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionListDeleted = "Microsoft.KeyVault/deletedVaults/read";
constexpr std::string_view kActionReadDeleted = "Microsoft.KeyVault/locations/deletedVaults/read";
constexpr std::string_view kActionPurgeDeleted =
    "Microsoft.KeyVault/locations/deletedVaults/purge/action";
constexpr std::string_view kActionCheckName = "Microsoft.KeyVault/checkNameAvailability/read";

bool Is(const std::string& segment, std::string_view word) {
  return domain::Lower(segment) == domain::Lower(word);
}

std::string Subscription(const Call& call) { return "/subscriptions/" + call.config.subscription_id; }

json::object DeletedVaultToJson(const Call& call, const domain::Vault& v) {
  const std::string sub = Subscription(call);
  return json::object{
      {"id", sub + "/providers/Microsoft.KeyVault/locations/" + v.location + "/deletedVaults/" +
                 v.name},
      {"name", v.name},
      {"type", "Microsoft.KeyVault/deletedVaults"},
      {"properties",
       json::object{{"vaultId", sub + "/resourceGroups/" + v.resource_group +
                                    "/providers/Microsoft.KeyVault/vaults/" + v.name},
                    {"location", v.location},
                    {"deletionDate", FormatIso8601(v.deleted_date)},
                    {"scheduledPurgeDate", FormatIso8601(v.scheduled_purge_date)},
                    {"tags", TagsToJson(v.tags)},
                    {"purgeProtectionEnabled", v.purge_protection}}},
  };
}

Response ListDeleted(const Call& call) {
  if (call.request.method != "GET") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kActionListDeleted, Subscription(call))) return *denied;
  auto list = call.services.vaults->ListDeleted();
  if (!list.ok()) return ErrorResponse(list.status());
  json::array items;
  for (const auto& v : *list) items.push_back(DeletedVaultToJson(call, *v));
  return JsonResponse(200, json::object{{"value", std::move(items)}});
}

Response DeletedVault(const Call& call, const std::string& location, const std::string& name,
                      bool purge) {
  if (call.request.method != (purge ? "POST" : "GET")) return MethodNotAllowed(call.request);
  const std::string scope = Subscription(call);
  if (purge) {
    if (auto denied = DenyManagement(call, kActionPurgeDeleted, scope)) return *denied;
    Status st = call.services.vaults->PurgeDeleted(location, name);
    if (!st.ok()) return ErrorResponse(st);
    Response r;
    r.status = 200;
    return r;
  }
  if (auto denied = DenyManagement(call, kActionReadDeleted, scope)) return *denied;
  auto v = call.services.vaults->GetDeleted(location, name);
  if (!v.ok()) return ErrorResponse(v.status());
  return JsonResponse(200, DeletedVaultToJson(call, **v));
}

Response CheckNameAvailability(const Call& call) {
  if (call.request.method != "POST") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kActionCheckName, Subscription(call))) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(body, "name"));
    KH_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(body, "type"));
    if (!name) return InvalidArgument("The property 'name' is required.", "BadRequest");
    if (!type || !Is(*type, "Microsoft.KeyVault/vaults")) {
      return InvalidArgument("The property 'type' must be 'Microsoft.KeyVault/vaults'.",
                             "BadRequest");
    }
    KH_ASSIGN_OR_RETURN(auto result, call.services.vaults->CheckName(*name));
    json::object out{{"nameAvailable", result.available}};
    if (!result.available) {
      out["reason"] = result.reason;
      out["message"] = result.message;
    }
    return JsonResponse(200, std::move(out));
  });
}

}  // namespace

std::optional<Response> HandleDeletedVaults(const Call& call) {
  const auto& s = call.target.segments;
  // s: subscriptions {sub} providers Microsoft.KeyVault ...
  if (s.size() < 5 || !Is(s[2], "providers") || !Is(s[3], "Microsoft.KeyVault")) {
    return std::nullopt;
  }
  if (s.size() == 5 && Is(s[4], "deletedVaults")) return ListDeleted(call);
  if (s.size() == 5 && Is(s[4], "checkNameAvailability")) return CheckNameAvailability(call);
  if ((s.size() == 8 || s.size() == 9) && Is(s[4], "locations") && Is(s[6], "deletedVaults")) {
    if (s.size() == 9 && !Is(s[8], "purge")) return std::nullopt;
    return DeletedVault(call, s[5], s[7], s.size() == 9);
  }
  return std::nullopt;
}

}  // namespace kh::api
