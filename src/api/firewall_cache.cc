#include "api/firewall_cache.h"

namespace kh::api {
namespace {

bool SameOwner(const std::weak_ptr<const domain::Vault>& a,
               const std::shared_ptr<const domain::Vault>& b) {
  return !a.owner_before(b) && !b.owner_before(a);
}

}  // namespace

authz::VaultNetworkRules NetworkRulesOf(const domain::Vault& vault) {
  authz::VaultNetworkRules rules;
  rules.public_network_access = vault.public_network_access != "Disabled";
  rules.acls_set = vault.network_acls_set;
  rules.default_action = vault.network_default_action;
  rules.ip_rules = vault.ip_rules;
  rules.virtual_network_rules = vault.virtual_network_rules;
  return rules;
}

std::shared_ptr<const authz::VaultFirewall> FirewallCache::Get(
    const std::shared_ptr<const domain::Vault>& vault) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(vault->name);
    if (it != entries_.end() && SameOwner(it->second.source, vault)) return it->second.firewall;
  }
  // Parsed outside the lock: two threads may both parse a just-updated vault; either result
  // is the same.
  auto firewall = std::make_shared<const authz::VaultFirewall>(NetworkRulesOf(*vault));
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries && !entries_.count(vault->name)) entries_.clear();
  entries_[vault->name] = Entry{vault, firewall};
  return firewall;
}

}  // namespace kh::api
