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
  EXPECT_TRUE(EvaluateFirewall(rules, config, {"203.0.113.9"}).allowed) << "no rules: open";
  rules.acls_set = true;
  rules.default_action = "Deny";
  rules.ip_rules = {"127.0.0.2/32"};
  rules.virtual_network_rules = {"Office"};
  EXPECT_TRUE(EvaluateFirewall(rules, config, {"127.0.0.2"}).allowed);
  EXPECT_TRUE(EvaluateFirewall(rules, config, {"::ffff:127.0.0.2"}).allowed) << "v4-mapped";
  EXPECT_TRUE(EvaluateFirewall(rules, config, {"127.0.0.9"}).allowed);
  FirewallDecision denied = EvaluateFirewall(rules, config, {"127.0.0.3"});
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.inner_code, "ForbiddenByFirewall");
  EXPECT_EQ(denied.client_address, "127.0.0.3");
  EXPECT_FALSE(EvaluateFirewall(rules, config, {"not an address"}).allowed);
  rules.public_network_access = false;
  EXPECT_EQ(EvaluateFirewall(rules, config, {"127.0.0.2"}).inner_code, "ForbiddenByConnection");
}

TEST(FirewallTest, Ipv6RulesAndDefaultDeny) {
  NetworkConfig config;
  VaultNetworkRules rules;
  rules.acls_set = true;
  rules.default_action = "Deny";
  rules.ip_rules = {"127.0.0.2/32"};
  VaultFirewall v4_only(rules);
  FirewallDecision denied = v4_only.Evaluate(config, {"::1"});
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.inner_code, "ForbiddenByFirewall");
  rules.ip_rules.push_back("::1/128");
  VaultFirewall with_v6(rules);
  EXPECT_TRUE(with_v6.Evaluate(config, {"::1"}).allowed);
  EXPECT_TRUE(with_v6.Evaluate(config, {"0:0:0:0:0:0:0:1"}).allowed);
  EXPECT_FALSE(with_v6.Evaluate(config, {"::2"}).allowed);
  EXPECT_FALSE(with_v6.Evaluate(config, {"127.0.0.1"}).allowed);
  EXPECT_TRUE(with_v6.Evaluate(config, {"127.0.0.2"}).allowed);
}

TEST(FirewallTest, PrivateLinkPassesPublicAccessDisabledAndIpRules) {
  NetworkConfig config;
  VaultNetworkRules rules;
  rules.public_network_access = false;
  rules.acls_set = true;
  rules.default_action = "Deny";
  VaultFirewall firewall(rules);
  FirewallDecision pub = firewall.Evaluate(config, {"127.0.0.1", false});
  EXPECT_FALSE(pub.allowed);
  EXPECT_EQ(pub.inner_code, "ForbiddenByConnection") << "public access disabled comes first";
  EXPECT_TRUE(firewall.Evaluate(config, {"127.0.0.1", true}).allowed);
  // Public access enabled, default Deny, no matching rule: only the private endpoint passes.
  rules.public_network_access = true;
  VaultFirewall acl_only(rules);
  EXPECT_EQ(acl_only.Evaluate(config, {"127.0.0.1", false}).inner_code, "ForbiddenByFirewall");
  EXPECT_TRUE(acl_only.Evaluate(config, {"127.0.0.1", true}).allowed);
  // An open vault stays open on either path.
  VaultFirewall open(VaultNetworkRules{});
  EXPECT_TRUE(open.Evaluate(config, {"203.0.113.9", false}).allowed);
  EXPECT_TRUE(open.Evaluate(config, {"203.0.113.9", true}).allowed);
}

TEST(IpAddressTest, ParsesOnceForManyNetworks) {
  auto mapped = IpAddress::Parse("::ffff:10.1.2.3");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped->bytes(), IpAddress::Parse("10.1.2.3")->bytes());
  EXPECT_TRUE(IpNetwork::Parse("10.0.0.0/8")->Contains(*mapped));
  EXPECT_TRUE(IpAddress::Parse("[::1]").has_value());
  EXPECT_FALSE(IpAddress::Parse("10.1.2.3/8").has_value());
  EXPECT_FALSE(IpAddress::Parse("").has_value());
}

TEST(FirewallTest, ForwardedForOnlyFromTrustedProxies) {
  NetworkConfig config;
  config.trusted_proxies = {*IpNetwork::Parse("127.0.0.4")};
  EXPECT_EQ(EffectiveClientAddress(config, "127.0.0.4", "127.0.0.2, 10.0.0.1"), "127.0.0.2");
  EXPECT_EQ(EffectiveClientAddress(config, "127.0.0.3", "127.0.0.2"), "127.0.0.3");
  EXPECT_EQ(EffectiveClientAddress(config, "127.0.0.4", ""), "127.0.0.4");
  EXPECT_EQ(EffectiveClientAddress(config, "::ffff:127.0.0.4", "127.0.0.2"), "127.0.0.2");
  EXPECT_EQ(EffectiveClientAddress(config, "::1", "127.0.0.2"), "::1");
  EXPECT_EQ(EffectiveClientAddress(NetworkConfig{}, "127.0.0.4", "127.0.0.2"), "127.0.0.4");
}

}  // namespace
}  // namespace kh::authz
