#pragma once
// VaultService: create, read, update, list and (soft) delete vaults, and purge them when their
// retention ends. Vault records live in the barrier's system scope; each vault gets its own data
// key at creation. Reads are served from an in-memory cache of vault records (invalidated on
// every write by this process). Thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "core/status_or.h"
#include "domain/vault.h"

namespace kh::domain {

struct VaultWriteResult {
  std::shared_ptr<const Vault> vault;
  bool created = false;
};

class VaultService {
 public:
  VaultService(barrier::Barrier* barrier, const Clock* clock);

  // ARM PUT: creates the vault, or replaces the settable properties of an existing one in the
  // same resource group. Conflict (VaultAlreadyExists) when the name is used elsewhere or by a
  // soft-deleted vault.
  StatusOr<VaultWriteResult> CreateOrUpdate(std::string_view resource_group, std::string_view name,
                                            const VaultSpec& spec, std::string_view caller);
  // ARM PATCH: changes only the given properties.
  StatusOr<std::shared_ptr<const Vault>> Update(std::string_view resource_group,
                                                std::string_view name, const VaultSpec& spec,
                                                std::string_view caller);
  // ARM's vaults/accessPolicies/{add|replace|remove}: merges permissions into the entries of
  // the same object id, overwrites them, or subtracts them (dropping emptied entries).
  StatusOr<std::shared_ptr<const Vault>> UpdateAccessPolicies(
      std::string_view resource_group, std::string_view name, AccessPolicyUpdate kind,
      const std::vector<AccessPolicy>& policies, std::string_view caller);
  // An active (not deleted) vault in the resource group; NotFound otherwise.
  StatusOr<std::shared_ptr<const Vault>> Get(std::string_view resource_group,
                                             std::string_view name);
  // An active vault by name alone (data-plane routing by host name); NotFound otherwise.
  StatusOr<std::shared_ptr<const Vault>> Find(std::string_view name);
  // Active vaults, optionally only those of one resource group, ordered by name.
  StatusOr<std::vector<std::shared_ptr<const Vault>>> List(
      std::optional<std::string_view> resource_group);
  // Soft delete: the vault disappears from the data plane and is purged after its retention.
  Status Delete(std::string_view resource_group, std::string_view name);
  // Removes every record of a deleted vault whose retention has ended (called by the purge job).
  Status PurgeIfDue(std::string_view name, int64_t now);

  // Runs just before a vault's records are removed for good (scheduled or immediate purge), to
  // release what lives outside the store (the PKCS#11 objects of its HSM keys).
  void SetBeforeRemove(std::function<void(std::string_view vault_name)> hook) {
    before_remove_ = std::move(hook);
  }

  // Whether changes to the vault are journaled for automatic backups (true for a vault not
  // known yet: it is being created, and the setting defaults to on).
  bool AutomaticBackups(std::string_view vault_id);

  // ---- Soft-deleted vaults (ARM deletedVaults) ----
  // Every soft-deleted vault, ordered by name.
  StatusOr<std::vector<std::shared_ptr<const Vault>>> ListDeleted();
  // The soft-deleted vault `name` in `location` (compared as ARM does, ignoring case and
  // spaces); NotFound otherwise.
  StatusOr<std::shared_ptr<const Vault>> GetDeleted(std::string_view location,
                                                    std::string_view name);
  // Purges a soft-deleted vault now, with everything in it. Conflict (InvalidOperation,
  // "Operation 'DeletedVaultPurge' is not allowed.") under purge protection: then only the
  // scheduled purge removes it, when its retention ends.
  Status PurgeDeleted(std::string_view location, std::string_view name);
  // ARM PUT with createMode "recover": the soft-deleted vault comes back as it was deleted, with
  // its objects, in its own resource group (NotFound elsewhere or when none is deleted).
  StatusOr<std::shared_ptr<const Vault>> Recover(std::string_view resource_group,
                                                 std::string_view name, std::string_view caller);

  // A new vault `name` in `resource_group` with the settings of `from` (properties, tags, access
  // policies, firewall) and a new data key; `fill` adds the vault's records, sealed under that
  // key, to the same transaction (whole-vault restore). Conflict (VaultAlreadyExists) when the
  // name is taken, also by a soft-deleted vault.
  using FillRestored =
      std::function<Status(const barrier::ScopeKey& key, storage::WriteBatch& batch)>;
  StatusOr<std::shared_ptr<const Vault>> CreateFromBackup(std::string_view resource_group,
                                                          std::string_view name, const Vault& from,
                                                          std::string_view caller,
                                                          const FillRestored& fill);

  // ARM checkNameAvailability: reason "AccountNameInvalid" or "AlreadyExists" (also for a
  // soft-deleted vault, whose name stays reserved) when the name cannot be used.
  struct NameAvailability {
    bool available = true;
    std::string reason;
    std::string message;
  };
  StatusOr<NameAvailability> CheckName(std::string_view name);

 private:
  StatusOr<std::shared_ptr<const Vault>> Load(std::string_view name);
  // An active vault of the resource group; NotFound (ARM's ResourceNotFound) otherwise.
  StatusOr<std::shared_ptr<const Vault>> LoadActive(std::string_view resource_group,
                                                    std::string_view name);
  // Writes `vault` together with whatever `batch` already holds, then makes the cache agree.
  StatusOr<std::shared_ptr<const Vault>> Persist(Vault vault, storage::WriteBatch batch);
  Status CheckSpec(const VaultSpec& spec, const Vault* existing) const;
  // Every vault record, deleted or not (a scan of the system scope).
  StatusOr<std::vector<std::shared_ptr<const Vault>>> ScanAll();
  // Deletes every record of vault `name` and its data key; the caller holds write_mu_.
  Status RemoveAll(std::string_view name);
  void Apply(const VaultSpec& spec, Vault& vault) const;

  barrier::Barrier* barrier_;
  const Clock* clock_;
  std::function<void(std::string_view)> before_remove_;
  std::mutex write_mu_;  // vault writes are rare: one at a time keeps them simple
  std::mutex cache_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Vault>> cache_;  // by lower-case name
};

}  // namespace kh::domain
