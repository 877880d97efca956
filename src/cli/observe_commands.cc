#include "cli/observe_commands.h"

#include <boost/json.hpp>

#include "cli/json_util.h"
#include "cli/output.h"

namespace kh::cli {
namespace json = boost::json;
namespace {

std::string Url(const Session& session, std::string_view path) {
  return session.api.server().Origin() + "/admin/" + std::string(path);
}

// Names go into the URL path as they are: refuse anything else before sending.
Status CheckName(std::string_view what, std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!ok) return InvalidArgument(std::string(what) + " has letters, digits and '-' only.");
  return Status::Ok();
}

std::string Text(const json::value& v, std::string_view member) {
  const json::value* m = GetMember(v, member);
  if (!m) return "";
  if (m->is_string()) return std::string(m->as_string());
  return json::serialize(*m);
}

// JSON as it came, or one line per item with the named columns.
void PrintList(const Session& session, const json::value& listing,
               const std::vector<std::string_view>& columns) {
  const json::value* value = GetMember(listing, "value");
  if (session.format == OutputFormat::kJson || !value || !value->is_array()) {
    session.out << PrettyJson(value ? *value : listing) << "\n";
    return;
  }
  for (const auto& item : value->as_array()) {
    std::string line;
    for (auto c : columns) line += (line.empty() ? "" : "  ") + Text(item, c);
    session.out << line << "\n";
  }
}

}  // namespace

Status CreateAlertRule(const Session& session, const AlertRuleArgs& a) {
  KH_RETURN_IF_ERROR(CheckName("An alert rule name", a.name));
  json::array statuses, operations;
  for (int s : a.statuses) statuses.push_back(s);
  for (const auto& op : a.operations) operations.push_back(json::string(op));
  json::object body{{"vault", a.vault},
                    {"statusCodes", std::move(statuses)},
                    {"operationNames", std::move(operations)},
                    {"resultDescription", a.result},
                    {"condition", a.condition},
                    {"threshold", a.threshold},
                    {"windowSeconds", a.window_seconds},
                    {"webhook", a.webhook}};
  KH_ASSIGN_OR_RETURN(json::value rule,
                      session.api.CallWithJson("PUT", Url(session, "alert-rules/" + a.name), body));
  session.out << PrettyJson(rule) << "\n";
  return Status::Ok();
}

Status ListAlertRules(const Session& session) {
  KH_ASSIGN_OR_RETURN(json::value listing, session.api.Call("GET", Url(session, "alert-rules")));
  PrintList(session, listing, {"name", "condition", "threshold", "windowSeconds", "vault"});
  return Status::Ok();
}

Status DeleteAlertRule(const Session& session, const std::string& name) {
  KH_RETURN_IF_ERROR(CheckName("An alert rule name", name));
  return session.api.Call("DELETE", Url(session, "alert-rules/" + name)).status();
}

Status ListAlerts(const Session& session) {
  KH_ASSIGN_OR_RETURN(json::value listing, session.api.Call("GET", Url(session, "alerts")));
  PrintList(session, listing, {"rule", "state", "value", "firedAt", "resolvedAt"});
  return Status::Ok();
}

Status CreateEventSubscription(const Session& session, const SubscriptionArgs& a) {
  KH_RETURN_IF_ERROR(CheckName("An event subscription name", a.name));
  json::array types;
  for (const auto& t : a.types) types.push_back(json::string(t));
  json::object body{{"endpoint", a.endpoint},
                    {"vault", a.vault},
                    {"includedEventTypes", std::move(types)},
                    {"subjectBeginsWith", a.begins_with},
                    {"subjectEndsWith", a.ends_with},
                    {"eventDeliverySchema", a.schema},
                    {"maxDeliveryAttempts", a.max_attempts}};
  KH_ASSIGN_OR_RETURN(
      json::value sub,
      session.api.CallWithJson("PUT", Url(session, "event-subscriptions/" + a.name), body));
  session.out << PrettyJson(sub) << "\n";
  return Status::Ok();
}

Status ListEventSubscriptions(const Session& session) {
  KH_ASSIGN_OR_RETURN(json::value listing,
                      session.api.Call("GET", Url(session, "event-subscriptions")));
  PrintList(session, listing, {"name", "vault", "endpointBaseUrl", "eventDeliverySchema"});
  return Status::Ok();
}

Status DeleteEventSubscription(const Session& session, const std::string& name) {
  KH_RETURN_IF_ERROR(CheckName("An event subscription name", name));
  return session.api.Call("DELETE", Url(session, "event-subscriptions/" + name)).status();
}

}  // namespace kh::cli
