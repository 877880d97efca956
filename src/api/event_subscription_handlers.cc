// Event subscriptions (Keyhaven's admin API; Azure's are Event Grid system-topic resources):
//   PUT    /admin/event-subscriptions/{name}   create or replace; the endpoint must pass the
//                                              validation handshake first (400 otherwise)
//   GET    /admin/event-subscriptions[/{name}]
//   DELETE /admin/event-subscriptions/{name}
// Body: {"endpoint": "https://...", "vault": "name" (optional: every vault), "includedEventTypes":
// [...], "subjectBeginsWith", "subjectEndsWith", "eventDeliverySchema": "EventGridSchema" |
// "CloudEventSchemaV1_0", "maxDeliveryAttempts": 1-30}. Answers show endpointBaseUrl, never the
// endpoint's query.
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "core/ascii.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kRead = "Microsoft.EventGrid/eventSubscriptions/read";
constexpr std::string_view kWrite = "Microsoft.EventGrid/eventSubscriptions/write";
constexpr std::string_view kDelete = "Microsoft.EventGrid/eventSubscriptions/delete";

// As Event Grid shows a webhook: its base URL only. The query often carries a key
// (`?code=...`), so the full endpoint is write-only.
json::object ToJson(const domain::EventSubscription& s) {
  json::array types;
  for (const auto& t : s.event_types) types.push_back(json::string(t));
  return json::object{
      {"name", s.name},
      {"vault", s.vault},
      {"endpointBaseUrl", s.endpoint.substr(0, s.endpoint.find('?'))},
      {"includedEventTypes", std::move(types)},
      {"subjectBeginsWith", s.subject_begins_with},
      {"subjectEndsWith", s.subject_ends_with},
      {"eventDeliverySchema",
       s.schema == domain::EventSchema::kCloudEvents ? "CloudEventSchemaV1_0" : "EventGridSchema"},
      {"maxDeliveryAttempts", s.max_delivery_attempts},
      {"provisioningState", "Succeeded"},
  };
}

StatusOr<domain::EventSubscription> FromJson(const Call& call, const std::string& name) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  domain::EventSubscription s;
  s.name = name;
  KH_ASSIGN_OR_RETURN(auto endpoint, OptString(body, "endpoint"));
  if (!endpoint) return InvalidArgument("The endpoint (an https:// URL) is required.");
  s.endpoint = *endpoint;
  KH_ASSIGN_OR_RETURN(auto vault, OptString(body, "vault"));
  if (vault && !vault->empty()) {
    auto found = call.services.vaults->Find(AsciiLower(*vault));
    if (!found.ok())
      return NotFound("VaultNotFound", "There is no vault named " + vault->substr(0, 64) + ".");
    s.vault = AsciiLower(*vault);
  }
  KH_ASSIGN_OR_RETURN(s.event_types, OptStringList(body, "includedEventTypes"));
  KH_ASSIGN_OR_RETURN(auto begins, OptString(body, "subjectBeginsWith"));
  KH_ASSIGN_OR_RETURN(auto ends, OptString(body, "subjectEndsWith"));
  s.subject_begins_with = begins.value_or("");
  s.subject_ends_with = ends.value_or("");
  KH_ASSIGN_OR_RETURN(auto schema, OptString(body, "eventDeliverySchema"));
  if (schema && *schema == "CloudEventSchemaV1_0") {
    s.schema = domain::EventSchema::kCloudEvents;
  } else if (schema && *schema != "EventGridSchema") {
    return InvalidArgument("eventDeliverySchema must be EventGridSchema or CloudEventSchemaV1_0.");
  }
  KH_ASSIGN_OR_RETURN(auto attempts, OptInt(body, "maxDeliveryAttempts"));
  if (attempts) s.max_delivery_attempts = static_cast<int>(*attempts);
  s.created = call.services.clock ? call.services.clock->NowSeconds() : 0;
  return s;
}

// The scope a subscription's permission is checked at: its vault, or the whole deployment.
std::string ScopeOf(const Call& call, const std::string& vault) {
  if (vault.empty()) return "/";
  auto found = call.services.vaults->Find(vault);
  return found.ok() ? VaultResourceId(call, **found) : "/";
}

}  // namespace

Response HandleEventSubscriptions(const Call& call) {
  const auto& s = call.target.segments;
  auto* subscriptions = call.services.event_subscriptions;
  if (!subscriptions || !call.services.events) {
    return ErrorResponse(NotFound("NotFound", "Events are not enabled on this server."));
  }
  const std::string& method = call.request.method;
  if (s.size() == 2) {
    if (method != "GET") return MethodNotAllowed(call.request);
    if (auto denied = DenyManagement(call, kRead, "/")) return *denied;
    return Respond([&]() -> StatusOr<Response> {
      KH_ASSIGN_OR_RETURN(auto list, subscriptions->List());
      json::array value;
      for (const auto& sub : *list) value.push_back(ToJson(sub));
      return JsonResponse(200, json::object{{"value", std::move(value)}});
    });
  }
  if (s.size() != 3) return UnknownRoute(call.request);
  const std::string name = s[2];
  if (Status st = domain::CheckSubscriptionName(name); !st.ok()) return ErrorResponse(st);
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(auto existing, subscriptions->Get(name));
    if (method == "GET" || method == "DELETE") {
      if (auto denied = DenyManagement(call, method == "GET" ? kRead : kDelete,
                                       ScopeOf(call, existing ? existing->vault : ""))) {
        return *denied;
      }
      if (!existing) {
        return NotFound("NotFound", "There is no event subscription named " + name + ".");
      }
      if (method == "GET") return JsonResponse(200, ToJson(*existing));
      KH_RETURN_IF_ERROR(subscriptions->Delete(name));
      return JsonResponse(200, ToJson(*existing));
    }
    if (method != "PUT") return MethodNotAllowed(call.request);
    KH_ASSIGN_OR_RETURN(domain::EventSubscription sub, FromJson(call, name));
    if (auto denied = DenyManagement(call, kWrite, ScopeOf(call, sub.vault))) return *denied;
    KH_RETURN_IF_ERROR(call.services.events->ValidateEndpoint(sub));
    KH_RETURN_IF_ERROR(subscriptions->Put(sub));
    return JsonResponse(existing ? 200 : 201, ToJson(sub));
  });
}

}  // namespace kh::api
