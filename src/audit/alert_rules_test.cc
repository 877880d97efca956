#include "audit/alert_rules.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"

namespace kh::audit {
namespace {

AuditEvent Request(int status, std::string op = "SecretGet", int64_t ms = 1,
                   std::string vault = "APP") {
  return testing::RequestTo(std::move(vault), std::move(op), status, ms);
}

AlertRule Rule(std::string name) {
  AlertRule r;
  r.name = std::move(name);
  return r;
}

TEST(AlertEngineTest, FiresOnceAboveTheCountAndResolvesWhenTheWindowEmpties) {
  AlertRule rule;
  rule.name = "denied-burst";
  rule.vault = "app";
  rule.status_codes = {401, 403};
  rule.threshold = 2;
  rule.window_seconds = 60;
  AlertEngine engine;
  engine.SetRules({rule});
  int64_t now = 1'000'000;
  engine.Record(Request(401), now);
  engine.Record(Request(200), now);
  engine.Record(Request(403, "SecretGet", 1, "OTHER"), now);
  engine.Record(Request(403), now);
  EXPECT_TRUE(engine.Evaluate(now).empty()) << "2 is not more than 2";
  engine.Record(Request(403), now + 1000);
  auto fired = engine.Evaluate(now + 1000);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_TRUE(fired[0].state.fired);
  EXPECT_EQ(fired[0].state.value, 3);
  engine.Record(Request(401), now + 2000);
  EXPECT_TRUE(engine.Evaluate(now + 2000).empty()) << "no repeat while it holds";
  EXPECT_TRUE(engine.Evaluate(now + 59'000).empty());
  auto resolved = engine.Evaluate(now + 61'500);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_FALSE(resolved[0].state.fired);
  EXPECT_EQ(resolved[0].state.resolved_at_ms, now + 61'500);
}

TEST(AlertEngineTest, AnyPurgeAnyFirewallBlockLatencyAndAvailability) {
  AlertRule purge = Rule("any-purge");
  purge.operation_names = {"SecretPurge", "KeyPurge", "VaultPurge"};
  AlertRule firewall = Rule("firewall");
  firewall.result_description = "ForbiddenByFirewall";
  AlertRule slow = Rule("slow");
  slow.condition = AlertCondition::kLatencyP99Above;
  slow.threshold = 500;
  AlertRule down = Rule("down");
  down.condition = AlertCondition::kAvailabilityBelow;
  down.threshold = 99.5;
  AlertEngine engine;
  engine.SetRules({purge, firewall, slow, down});
  const int64_t now = 5'000'000;
  engine.Record(Request(204, "keypurge"), now);
  AuditEvent blocked = Request(403);
  blocked.result_description = "ForbiddenByFirewall";
  engine.Record(blocked, now);
  for (int i = 0; i < 98; ++i) engine.Record(Request(200, "SecretGet", 10), now);
  engine.Record(Request(200, "SecretGet", 900), now);
  engine.Record(Request(503, "SecretGet", 900), now);
  std::map<std::string, double> fired;
  for (const auto& c : engine.Evaluate(now)) fired[c.rule.name] = c.state.value;
  EXPECT_EQ(fired.count("any-purge"), 1u);
  EXPECT_EQ(fired.count("firewall"), 1u);
  ASSERT_EQ(fired.count("slow"), 1u);
  EXPECT_EQ(fired["slow"], 900);
  ASSERT_EQ(fired.count("down"), 1u);
  EXPECT_NEAR(fired["down"], 100.0 * 101 / 102, 1e-9);
}

TEST(AlertEngineTest, KeepsStatesOfRulesThatStay) {
  AlertRule rule = Rule("r");
  AlertEngine engine;
  engine.SetRules({rule});
  engine.Record(Request(200), 0);
  ASSERT_EQ(engine.Evaluate(0).size(), 1u);
  engine.SetRules({rule, Rule("new")});
  auto states = engine.States();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_TRUE(states[1].rule == "r" ? states[1].fired : states[0].fired);
}

}  // namespace
}  // namespace kh::audit
