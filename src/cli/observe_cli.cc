// CLI11 wiring of `keyhaven alert ...` and `keyhaven event subscription ...` (see
// command_wiring.h); the commands are in observe_commands.cc.
#include <CLI/CLI.hpp>
#include <memory>

#include "cli/command_wiring.h"
#include "cli/observe_commands.h"

namespace kh::cli {

void AddObserveCommands(CLI::App& app, Action* action) {
  CLI::App* alert = app.add_subcommand("alert", "Alert rules over the request stream, and alerts");
  alert->require_subcommand(1);
  CLI::App* rule = alert->add_subcommand("rule", "Alert rules: create, list, delete");
  rule->require_subcommand(1);

  auto a = std::make_shared<AlertRuleArgs>();
  CLI::App* create = rule->add_subcommand("create", "Create or replace an alert rule");
  create->add_option("name", a->name, "Rule name")->required();
  create->add_option("--vault", a->vault, "Only requests to this vault (default: all)");
  create->add_option("--status", a->statuses, "HTTP status to count (repeatable; default: any)");
  create->add_option("--operation", a->operations,
                     "operationName to count, e.g. SecretPurge (repeatable; default: any)");
  create->add_option("--result", a->result, "resultDescription to count, e.g. ForbiddenByFirewall");
  create
      ->add_option("--condition", a->condition, "CountAbove, LatencyP99Above or AvailabilityBelow")
      ->check(CLI::IsMember({"CountAbove", "LatencyP99Above", "AvailabilityBelow"}))
      ->capture_default_str();
  create->add_option("--threshold", a->threshold, "Count, milliseconds or percent")->required();
  create->add_option("--window-seconds", a->window_seconds, "Sliding window")
      ->capture_default_str();
  create->add_option("--webhook", a->webhook, "https:// URL told when it fires and resolves");
  create->callback([=] { *action = [=](const Session& s) { return CreateAlertRule(s, *a); }; });
  rule->add_subcommand("list", "List alert rules")->callback([=] {
    *action = [](const Session& s) { return ListAlertRules(s); };
  });
  auto name = std::make_shared<std::string>();
  CLI::App* del = rule->add_subcommand("delete", "Delete an alert rule");
  del->add_option("name", *name, "Rule name")->required();
  del->callback([=] { *action = [=](const Session& s) { return DeleteAlertRule(s, *name); }; });
  alert->add_subcommand("list", "Every rule's state: Fired, Resolved or None")->callback([=] {
    *action = [](const Session& s) { return ListAlerts(s); };
  });

  CLI::App* event = app.add_subcommand("event", "Events delivered to webhooks");
  event->require_subcommand(1);
  CLI::App* sub =
      event->add_subcommand("subscription", "Event subscriptions: create, list, delete");
  sub->require_subcommand(1);
  auto e = std::make_shared<SubscriptionArgs>();
  CLI::App* sub_create = sub->add_subcommand(
      "create", "Create or replace a subscription (the endpoint must pass validation first)");
  sub_create->add_option("name", e->name, "Subscription name")->required();
  sub_create->add_option("--endpoint", e->endpoint, "https:// webhook")->required();
  sub_create->add_option("--vault", e->vault, "Only this vault's events (default: all)");
  sub_create->add_option("--type", e->types,
                         "Event type, e.g. Microsoft.KeyVault.SecretNearExpiry (repeatable)");
  sub_create->add_option("--subject-begins-with", e->begins_with, "Subject (object name) prefix");
  sub_create->add_option("--subject-ends-with", e->ends_with, "Subject (object name) suffix");
  sub_create->add_option("--schema", e->schema, "EventGridSchema or CloudEventSchemaV1_0")
      ->check(CLI::IsMember({"EventGridSchema", "CloudEventSchemaV1_0"}))
      ->capture_default_str();
  sub_create->add_option("--max-attempts", e->max_attempts, "Delivery attempts before dead-letter")
      ->check(CLI::Range(1, 30))
      ->capture_default_str();
  sub_create->callback(
      [=] { *action = [=](const Session& s) { return CreateEventSubscription(s, *e); }; });
  sub->add_subcommand("list", "List event subscriptions")->callback([=] {
    *action = [](const Session& s) { return ListEventSubscriptions(s); };
  });
  auto sub_name = std::make_shared<std::string>();
  CLI::App* sub_delete = sub->add_subcommand("delete", "Delete an event subscription");
  sub_delete->add_option("name", *sub_name, "Subscription name")->required();
  sub_delete->callback(
      [=] { *action = [=](const Session& s) { return DeleteEventSubscription(s, *sub_name); }; });
}

}  // namespace kh::cli
