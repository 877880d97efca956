#include "api/firewall_cache.h"

#include <gtest/gtest.h>

namespace kh::api {
namespace {

std::shared_ptr<const domain::Vault> FirewalledVault(std::vector<std::string> ip_rules) {
  auto v = std::make_shared<domain::Vault>();
  v->name = "fw";
  v->network_acls_set = true;
  v->network_default_action = "Deny";
  v->ip_rules = std::move(ip_rules);
  return v;
}

TEST(FirewallCacheTest, ParsesOncePerVaultObject) {
  FirewallCache cache;
  authz::NetworkConfig config;
  auto v1 = FirewalledVault({"127.0.0.2/32"});
  auto first = cache.Get(v1);
  EXPECT_EQ(cache.Get(v1), first) << "the same vault object: the parsed rules are reused";
  EXPECT_TRUE(first->Evaluate(config, {"127.0.0.2"}).allowed);
  EXPECT_FALSE(first->Evaluate(config, {"::1"}).allowed);

  // An update replaces the vault object: the new rules apply at once.
  auto v2 = FirewalledVault({"::1/128"});
  auto second = cache.Get(v2);
  EXPECT_NE(second, first);
  EXPECT_TRUE(second->Evaluate(config, {"::1"}).allowed);
  EXPECT_FALSE(second->Evaluate(config, {"127.0.0.2"}).allowed);
  EXPECT_EQ(cache.Get(v2), second);
}

TEST(FirewallCacheTest, AFreedVaultIsNeverMistakenForItsSuccessor) {
  FirewallCache cache;
  authz::NetworkConfig config;
  auto old_vault = FirewalledVault({"127.0.0.2/32"});
  cache.Get(old_vault);
  old_vault.reset();  // the cache holds only a weak reference
  auto replacement = FirewalledVault({"127.0.0.3/32"});
  auto firewall = cache.Get(replacement);
  EXPECT_TRUE(firewall->Evaluate(config, {"127.0.0.3"}).allowed);
  EXPECT_FALSE(firewall->Evaluate(config, {"127.0.0.2"}).allowed);
}

TEST(FirewallCacheTest, NetworkRulesOfMapsTheStoredFields) {
  domain::Vault v;
  v.public_network_access = "Disabled";
  v.network_acls_set = true;
  v.network_default_action = "Deny";
  v.ip_rules = {"10.0.0.0/8"};
  v.virtual_network_rules = {"office"};
  authz::VaultNetworkRules r = NetworkRulesOf(v);
  EXPECT_FALSE(r.public_network_access);
  EXPECT_TRUE(r.acls_set);
  EXPECT_EQ(r.default_action, "Deny");
  EXPECT_EQ(r.ip_rules, v.ip_rules);
  EXPECT_EQ(r.virtual_network_rules, v.virtual_network_rules);
}

}  // namespace
}  // namespace kh::api
