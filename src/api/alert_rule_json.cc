#include "api/alert_rule_json.h"

#include <algorithm>
#include <boost/json.hpp>

#include "api/json_body.h"
#include "core/ascii.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::pair<audit::AlertCondition, std::string_view> kConditions[] = {
    {audit::AlertCondition::kCountAbove, "CountAbove"},
    {audit::AlertCondition::kLatencyP99Above, "LatencyP99Above"},
    {audit::AlertCondition::kAvailabilityBelow, "AvailabilityBelow"},
};

}  // namespace

StatusOr<audit::AlertRule> AlertRuleFromJson(std::string_view name, std::string_view text) {
  KH_ASSIGN_OR_RETURN(json::object o, ParseJsonObject(text));
  audit::AlertRule r;
  r.name = AsciiLower(name);
  KH_ASSIGN_OR_RETURN(auto vault, OptString(o, "vault"));
  r.vault = AsciiLower(vault.value_or(""));
  if (const json::value* codes = o.if_contains("statusCodes")) {
    if (!codes->is_array())
      return InvalidArgument("statusCodes must be an array of HTTP statuses.");
    for (const auto& c : codes->as_array()) {
      if (!c.is_int64() || c.as_int64() < 100 || c.as_int64() > 599) {
        return InvalidArgument("statusCodes must be an array of HTTP statuses.");
      }
      r.status_codes.push_back(static_cast<int>(c.as_int64()));
    }
  }
  KH_ASSIGN_OR_RETURN(r.operation_names, OptStringList(o, "operationNames"));
  KH_ASSIGN_OR_RETURN(auto description, OptString(o, "resultDescription"));
  r.result_description = description.value_or("");
  KH_ASSIGN_OR_RETURN(auto condition, OptString(o, "condition"));
  if (condition) {
    const auto* known = std::find_if(std::begin(kConditions), std::end(kConditions),
                                     [&](const auto& c) { return c.second == *condition; });
    if (known == std::end(kConditions)) {
      return InvalidArgument("condition must be CountAbove, LatencyP99Above or AvailabilityBelow.");
    }
    r.condition = known->first;
  }
  const json::value* threshold = o.if_contains("threshold");
  if (!threshold || !threshold->is_number() || threshold->to_number<double>() < 0) {
    return InvalidArgument("threshold (a number, 0 or more) is required.");
  }
  r.threshold = threshold->to_number<double>();
  KH_ASSIGN_OR_RETURN(auto window, OptInt(o, "windowSeconds"));
  if (window && (*window < 1 || *window > 86400)) {
    return InvalidArgument("windowSeconds must be from 1 to 86400.");
  }
  r.window_seconds = static_cast<int>(window.value_or(300));
  KH_ASSIGN_OR_RETURN(auto webhook, OptString(o, "webhook"));
  if (webhook && !webhook->empty() && webhook->rfind("https://", 0) != 0) {
    return InvalidArgument("webhook must be an https:// URL.");
  }
  r.webhook = webhook.value_or("");
  return r;
}

std::string AlertRuleToJson(const audit::AlertRule& r) {
  json::array codes, ops;
  for (int c : r.status_codes) codes.push_back(c);
  for (const auto& op : r.operation_names) ops.push_back(json::string(op));
  std::string_view condition;
  for (const auto& [value, text_name] : kConditions) {
    if (value == r.condition) condition = text_name;
  }
  return json::serialize(json::object{{"name", r.name},
                                      {"vault", r.vault},
                                      {"statusCodes", std::move(codes)},
                                      {"operationNames", std::move(ops)},
                                      {"resultDescription", r.result_description},
                                      {"condition", condition},
                                      {"threshold", JsonNumber(r.threshold)},
                                      {"windowSeconds", r.window_seconds},
                                      {"webhook", r.webhook}});
}

Status ReloadAlertRules(domain::NamedRecords& records, audit::AlertEngine& engine) {
  KH_ASSIGN_OR_RETURN(auto stored, records.List());
  std::vector<audit::AlertRule> rules;
  for (const auto& [name, text] : stored) {
    KH_ASSIGN_OR_RETURN(audit::AlertRule rule, AlertRuleFromJson(name, text));
    rules.push_back(std::move(rule));
  }
  engine.SetRules(std::move(rules));
  return Status::Ok();
}

}  // namespace kh::api
