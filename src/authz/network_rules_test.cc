#include "authz/network_rules.h"

#include <gtest/gtest.h>

namespace kh::authz {
namespace {

TEST(IpNetworkTest, ParsesAndMatchesIpv4AndIpv6) {
  auto host = IpNetwork::Parse("127.0.0.2");
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->ToString(), "127.0.0.2/32");
  EXPECT_TRUE(host->Contains("127.0.0.2"));
  EXPECT_TRUE(host->Contains("::ffff:127.0.0.2"));
  EXPECT_FALSE(host->Contains("127.0.0.3"));
  auto block = IpNetwork::Parse("10.1.2.3/8");
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->ToString(), "10.0.0.0/8");
  EXPECT_TRUE(block->Contains("10.255.0.1"));
  auto v6 = IpNetwork::Parse("fd00::/8");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains("fd12::1"));
  EXPECT_FALSE(v6->Contains("::1"));
  EXPECT_TRUE(IpNetwork::Parse("::1")->Contains("::1"));
  EXPECT_FALSE(IpNetwork::Parse("1.2.3.4/33").ok());
  EXPECT_FALSE(IpNetwork::Parse("1.2.3").ok());
  EXPECT_FALSE(IpNetwork::Parse("").ok());
  EXPECT_FALSE(IpNetwork::Parse("1.2.3.4/x").ok());
}

TEST(FirewallTest, DefaultActionRulesAndNamedNetworks) {
  NetworkConfig config;
  config.named_networks["office"] = {*IpNetwork::Parse("127.0.0.8/30")};
  VaultNetworkRules rules;
  EXPECT_TRUE(EvaluateFirewall(rules, config, "203.0.113.9").allowed) << "no rules: open";
  rules.acls_set = true;
  rules.default_action = "Deny";
  rules.ip_rules = {"127.0.0.2/32"};
  rules.virtual_network_rules = {"Office"};
  EXPECT_TRUE(EvaluateFirewall(rules, config, "127.0.0.2").allowed);
  EXPECT_TRUE(EvaluateFirewall(rules, config, "127.0.0.9").allowed);
  FirewallDecision denied = EvaluateFirewall(rules, config, "127.0.0.3");
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.inner_code, "ForbiddenByFirewall");
  rules.public_network_access = false;
  EXPECT_EQ(EvaluateFirewall(rules, config, "127.0.0.2").inner_code, "ForbiddenByConnection");
}

TEST(FirewallTest, ForwardedForOnlyFromTrustedProxies) {
  NetworkConfig config;
  config.trusted_proxies = {*IpNetwork::Parse("127.0.0.4")};
  EXPECT_EQ(EffectiveClientAddress(config, "127.0.0.4", "127.0.0.2, 10.0.0.1"), "127.0.0.2");
  EXPECT_EQ(EffectiveClientAddress(config, "127.0.0.3", "127.0.0.2"), "127.0.0.3");
  EXPECT_EQ(EffectiveClientAddress(config, "127.0.0.4", ""), "127.0.0.4");
}

}  // namespace
}  // namespace kh::authz
