#pragma once
// `keyhaven alert ...` and `keyhaven event subscription ...`: alert rules and their state, and
// event subscriptions, through the server's admin API.
#include <string>
#include <vector>

#include "cli/session.h"
#include "core/status.h"

namespace kh::cli {

struct AlertRuleArgs {
  std::string name, vault, result, condition = "CountAbove", webhook;
  std::vector<int> statuses;
  std::vector<std::string> operations;
  double threshold = 0;
  int window_seconds = 300;
};

Status CreateAlertRule(const Session& session, const AlertRuleArgs& args);
Status ListAlertRules(const Session& session);
Status DeleteAlertRule(const Session& session, const std::string& name);
Status ListAlerts(const Session& session);

struct SubscriptionArgs {
  std::string name, endpoint, vault, begins_with, ends_with, schema = "EventGridSchema";
  std::vector<std::string> types;
  int max_attempts = 30;
};

Status CreateEventSubscription(const Session& session, const SubscriptionArgs& args);
Status ListEventSubscriptions(const Session& session);
Status DeleteEventSubscription(const Session& session, const std::string& name);

}  // namespace kh::cli
