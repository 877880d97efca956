// Alert rules and their alerts (Keyhaven's admin API; Azure's are Azure Monitor resources):
//   PUT    /admin/alert-rules/{name}   (body: api/alert_rule_json.h)
//   GET    /admin/alert-rules[/{name}]
//   DELETE /admin/alert-rules/{name}
//   GET    /admin/alerts                every rule's state: Fired or Resolved, value, times
#include <algorithm>
#include <boost/json.hpp>

#include "api/alert_rule_json.h"
#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "core/ascii.h"
#include "core/time_format.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kRead = "Microsoft.Insights/alertRules/read";
constexpr std::string_view kWrite = "Microsoft.Insights/alertRules/write";
constexpr std::string_view kDelete = "Microsoft.Insights/alertRules/delete";

Response Alerts(const Call& call) {
  if (call.request.method != "GET") return MethodNotAllowed(call.request);
  if (auto denied = DenyManagement(call, kRead, "/")) return *denied;
  json::array value;
  for (const auto& s : call.services.alerts->States()) {
    json::object o{{"rule", s.rule},
                   {"state", s.fired         ? "Fired"
                             : s.fired_at_ms ? "Resolved"
                                             : "None"},
                   {"value", JsonNumber(s.value)}};
    if (s.fired_at_ms) o["firedAt"] = FormatIso8601(s.fired_at_ms / 1000);
    if (s.resolved_at_ms) o["resolvedAt"] = FormatIso8601(s.resolved_at_ms / 1000);
    value.push_back(std::move(o));
  }
  return JsonResponse(200, json::object{{"value", std::move(value)}});
}

}  // namespace

Response HandleAlerts(const Call& call) {
  const auto& s = call.target.segments;
  auto* records = call.services.alert_rules;
  auto* engine = call.services.alerts;
  if (!records || !engine) return ErrorResponse(NotFound("NotFound", "Alerts are not enabled."));
  if (s[1] == "alerts") return s.size() == 2 ? Alerts(call) : UnknownRoute(call.request);
  const std::string& method = call.request.method;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(auto stored, records->List());
    if (s.size() == 2) {
      if (method != "GET") return MethodNotAllowed(call.request);
      if (auto denied = DenyManagement(call, kRead, "/")) return *denied;
      json::array value;
      for (const auto& [name, text] : stored) value.push_back(json::parse(text));
      return JsonResponse(200, json::object{{"value", std::move(value)}});
    }
    if (s.size() != 3) return UnknownRoute(call.request);
    const std::string name = AsciiLower(s[2]);
    KH_RETURN_IF_ERROR(records->CheckName(name));
    auto existing =
        std::find_if(stored.begin(), stored.end(), [&](const auto& r) { return r.first == name; });
    if (method == "GET") {
      if (auto denied = DenyManagement(call, kRead, "/")) return *denied;
      if (existing == stored.end()) {
        return NotFound("NotFound", "There is no alert rule named " + name + ".");
      }
      return JsonResponse(200, json::parse(existing->second));
    }
    if (method == "DELETE") {
      if (auto denied = DenyManagement(call, kDelete, "/")) return *denied;
      if (existing == stored.end()) {
        return NotFound("NotFound", "There is no alert rule named " + name + ".");
      }
      KH_RETURN_IF_ERROR(records->Delete(name));
      KH_RETURN_IF_ERROR(ReloadAlertRules(*records, *engine));
      return JsonResponse(200, json::parse(existing->second));
    }
    if (method != "PUT") return MethodNotAllowed(call.request);
    if (auto denied = DenyManagement(call, kWrite, "/")) return *denied;
    KH_ASSIGN_OR_RETURN(audit::AlertRule rule, AlertRuleFromJson(name, call.request.body));
    const std::string text = AlertRuleToJson(rule);
    KH_RETURN_IF_ERROR(records->Put(name, text));
    KH_RETURN_IF_ERROR(ReloadAlertRules(*records, *engine));
    return JsonResponse(existing == stored.end() ? 201 : 200, json::parse(text));
  });
}

}  // namespace kh::api
