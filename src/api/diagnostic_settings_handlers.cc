// A vault's diagnostic settings (Azure: Microsoft.Insights/diagnosticSettings), where its audit
// records are copied. Azure's destinations (storage, Log Analytics, Event Hubs) do not exist here;
// Keyhaven's are properties.keyhavenWebhookUrl (https://) and properties.keyhavenSyslog
// (udp:// or tcp://). The AuditEvent category must be enabled (logs[].category "AuditEvent", or
// categoryGroup "audit" or "allLogs").
//   PUT|GET|DELETE {vault id}/providers/Microsoft.Insights/diagnosticSettings/{name}
//   GET            {vault id}/providers/Microsoft.Insights/diagnosticSettings
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "core/ascii.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kRead = "Microsoft.Insights/diagnosticSettings/read";
constexpr std::string_view kWrite = "Microsoft.Insights/diagnosticSettings/write";
constexpr std::string_view kDelete = "Microsoft.Insights/diagnosticSettings/delete";

bool AuditEnabled(const json::object& props) {
  const json::value* logs = props.if_contains("logs");
  if (!logs || !logs->is_array()) return false;
  for (const auto& l : logs->as_array()) {
    if (!l.is_object()) continue;
    const auto& o = l.as_object();
    const json::value* enabled = o.if_contains("enabled");
    if (!enabled || !enabled->is_bool() || !enabled->as_bool()) continue;
    for (const char* member : {"category", "categoryGroup"}) {
      const json::value* v = o.if_contains(member);
      if (v && v->is_string() &&
          (AsciiEqualsIgnoreCase(v->as_string(), "AuditEvent") ||
           AsciiEqualsIgnoreCase(v->as_string(), "audit") ||
           AsciiEqualsIgnoreCase(v->as_string(), "allLogs"))) {
        return true;
      }
    }
  }
  return false;
}

StatusOr<json::object> Validated(const Call& call) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  const json::value* props = body.if_contains("properties");
  if (!props || !props->is_object()) return InvalidArgument("properties is required.");
  const json::object& p = props->as_object();
  KH_ASSIGN_OR_RETURN(auto webhook, OptString(p, "keyhavenWebhookUrl"));
  KH_ASSIGN_OR_RETURN(auto syslog, OptString(p, "keyhavenSyslog"));
  if ((!webhook || webhook->empty()) && (!syslog || syslog->empty())) {
    return InvalidArgument(
        "A diagnostic setting needs a destination: properties.keyhavenWebhookUrl (https://) or "
        "properties.keyhavenSyslog (udp:// or tcp://).");
  }
  if (webhook && !webhook->empty() && webhook->rfind("https://", 0) != 0) {
    return InvalidArgument("keyhavenWebhookUrl must be an https:// URL.");
  }
  if (syslog && !syslog->empty() && syslog->rfind("udp://", 0) != 0 &&
      syslog->rfind("tcp://", 0) != 0) {
    return InvalidArgument("keyhavenSyslog must be udp://HOST:PORT or tcp://HOST:PORT.");
  }
  if (!AuditEnabled(p)) {
    return InvalidArgument(
        "Enable the AuditEvent category (logs: [{\"category\": \"AuditEvent\", \"enabled\": "
        "true}]): it is the only one a vault has.");
  }
  return json::object{{"properties", p}};
}

json::object Resource(const std::string& vault_id, const std::string& name, json::value stored) {
  json::object o = stored.is_object() ? stored.as_object() : json::object{};
  o["id"] = vault_id + "/providers/microsoft.insights/diagnosticSettings/" + name;
  o["name"] = name;
  o["type"] = "Microsoft.Insights/diagnosticSettings";
  return o;
}

}  // namespace

Response HandleDiagnosticSettings(const Call& call, const domain::Vault& vault,
                                  const std::string* setting) {
  if (!call.services.diagnostic_settings) {
    return ErrorResponse(NotFound("NotFound", "Diagnostic settings are not enabled."));
  }
  const std::string vault_id = VaultResourceId(call, vault);
  domain::NamedRecords records = call.services.diagnostic_settings(AsciiLower(vault.name));
  const std::string& method = call.request.method;
  return Respond([&]() -> StatusOr<Response> {
    KH_ASSIGN_OR_RETURN(auto stored, records.List());
    if (!setting) {
      if (method != "GET") return MethodNotAllowed(call.request);
      if (auto denied = DenyManagement(call, kRead, vault_id)) return *denied;
      json::array value;
      for (const auto& [name, text] : stored)
        value.push_back(Resource(vault_id, name, json::parse(text)));
      return JsonResponse(200, json::object{{"value", std::move(value)}});
    }
    const std::string name = AsciiLower(*setting);
    KH_RETURN_IF_ERROR(records.CheckName(name));
    auto existing =
        std::find_if(stored.begin(), stored.end(), [&](const auto& r) { return r.first == name; });
    if (method == "GET" || method == "DELETE") {
      if (auto denied = DenyManagement(call, method == "GET" ? kRead : kDelete, vault_id)) {
        return *denied;
      }
      if (existing == stored.end()) {
        return NotFound("ResourceNotFound", "The diagnostic setting '" + name + "' doesn't exist.");
      }
      if (method == "GET")
        return JsonResponse(200, Resource(vault_id, name, json::parse(existing->second)));
      KH_RETURN_IF_ERROR(records.Delete(name));
      KH_RETURN_IF_ERROR(call.services.on_diagnostic_settings_changed());
      return JsonResponse(200, Resource(vault_id, name, json::parse(existing->second)));
    }
    if (method != "PUT") return MethodNotAllowed(call.request);
    if (auto denied = DenyManagement(call, kWrite, vault_id)) return *denied;
    KH_ASSIGN_OR_RETURN(json::object doc, Validated(call));
    KH_RETURN_IF_ERROR(records.Put(name, json::serialize(doc)));
    KH_RETURN_IF_ERROR(call.services.on_diagnostic_settings_changed());
    return JsonResponse(200, Resource(vault_id, name, doc));
  });
}

}  // namespace kh::api
