#pragma once
// FirewallCache: each vault's firewall rules parsed once (authz::VaultFirewall), not on every
// request. VaultService hands out an immutable shared_ptr<const Vault> and replaces it on every
// update, so a cached entry is valid exactly while it was built from the very object asked
// about (compared by owner, which a weak_ptr keeps unique: no ABA on a reused address).
// Thread-safe.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "authz/network_rules.h"
#include "domain/vault.h"

namespace kh::api {

// The firewall rules stored on a vault, in authz's terms.
authz::VaultNetworkRules NetworkRulesOf(const domain::Vault& vault);

class FirewallCache {
 public:
  // Entries beyond this (vaults that were deleted or renamed leave theirs behind) clear the
  // cache; it refills on demand.
  static constexpr size_t kMaxEntries = 4096;

  std::shared_ptr<const authz::VaultFirewall> Get(
      const std::shared_ptr<const domain::Vault>& vault);

 private:
  struct Entry {
    std::weak_ptr<const domain::Vault> source;
    std::shared_ptr<const authz::VaultFirewall> firewall;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // by vault name as stored
};

}  // namespace kh::api
