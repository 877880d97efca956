#pragma once
// SecretService: the secrets of a vault, as Azure Key Vault defines them: versioned values,
// soft delete with recover and purge (honouring purge protection), scheduled purge when the
// retention ends, and backup/restore of every version in an opaque, encrypted, authenticated
// blob. Thread-safe; writers to the same name serialize, everything else runs in parallel.
//
// Errors are Azure's: SecretNotFound (404), Forbidden/SecretDisabled (403),
// Conflict/ObjectIsDeletedButRecoverable (409), BadParameter (400) for limits.
#include <functional>
#include <string>
#include <string_view>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "domain/object_lifecycle.h"
#include "domain/secret.h"
#include "domain/vault.h"
#include "domain/versioned_objects.h"

namespace kh::domain {

class SecretService {
 public:
  SecretService(barrier::Barrier* barrier, const Clock* clock);

  StatusOr<SecretVersion> Set(const Vault& vault, std::string_view name, SetSecretParams params);
  // Set without blocking on the durable commit: `done` runs once with the outcome, inline on a
  // validation error, otherwise on the store's committing thread (so it must be quick).
  // Returns false, having done nothing, when another write to the same name is under way; the
  // caller then uses Set().
  using SetCallback = std::function<void(StatusOr<SecretVersion>)>;
  bool TrySetAsync(const Vault& vault, std::string_view name, SetSecretParams params,
                   SetCallback done);
  // `version` empty = latest. Disabled versions are refused with 403 SecretDisabled.
  StatusOr<SecretVersion> Get(const Vault& vault, std::string_view name, std::string_view version);
  // Set, Update, Delete, Recover and Purge refuse a managed secret (one backing a certificate)
  // with 403 unless the certificate asks (`access`).
  StatusOr<SecretVersion> Update(const Vault& vault, std::string_view name,
                                 std::string_view version, const SecretUpdate& update,
                                 ObjectAccess access = ObjectAccess::kDirect);
  // Latest version of each live secret, without values.
  StatusOr<Page<SecretVersion>> List(const Vault& vault, std::string_view marker, size_t max);
  StatusOr<Page<SecretVersion>> ListVersions(const Vault& vault, std::string_view name,
                                             std::string_view marker, size_t max);

  StatusOr<DeletedSecret> Delete(const Vault& vault, std::string_view name,
                                 ObjectAccess access = ObjectAccess::kDirect);
  StatusOr<DeletedSecret> GetDeleted(const Vault& vault, std::string_view name);
  StatusOr<Page<DeletedSecret>> ListDeleted(const Vault& vault, std::string_view marker,
                                            size_t max);
  StatusOr<SecretVersion> Recover(const Vault& vault, std::string_view name,
                                  ObjectAccess access = ObjectAccess::kDirect);
  Status Purge(const Vault& vault, std::string_view name,
               ObjectAccess access = ObjectAccess::kDirect);

  // For CertificateService: version `version` enabled or disabled with its certificate, into
  // `batch` (the lock is held until the caller commits).
  StatusOr<NameLocks::Held> PrepareManagedEnabled(const Vault& vault, std::string_view name,
                                                  std::string_view version, bool enabled,
                                                  storage::WriteBatch& batch) {
    return lifecycle_.PutManagedEnabled(vault, name, version, enabled, clock_->NowSeconds(), batch);
  }
  // For CertificateService, as KeyService's (Conflict when a plain secret has the name).
  Status CheckFreeForCertificate(const Vault& vault, std::string_view name);
  StatusOr<NameLocks::Held> PrepareManagedVersion(const Vault& vault, std::string_view name,
                                                  SecretVersion& s, storage::WriteBatch& batch);

  StatusOr<std::string> Backup(const Vault& vault, std::string_view name);
  StatusOr<SecretVersion> Restore(const Vault& vault, std::string_view blob);

  // Takes out a secret that CertificateService::Restore restored before a later part failed.
  Status UndoRestore(const Vault& vault, std::string_view name) {
    return lifecycle_.RemoveLive(vault.name, name);
  }

  // Purges a deleted secret whose scheduled purge date has passed (the purge job).
  Status PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now);

 private:
  struct PreparedSet {
    SecretVersion secret;
    storage::WriteBatch batch;
  };
  static Status ValidateSet(std::string_view name, const SetSecretParams& params);
  // Reads and builds everything a Set writes. The caller holds the name's lock.
  StatusOr<PreparedSet> PrepareSet(const Vault& vault, std::string_view name,
                                   SetSecretParams params);
  StatusOr<std::shared_ptr<const barrier::ScopeKey>> KeyFor(const Vault& vault);
  StatusOr<SecretVersion> ReadVersion(const barrier::ScopeKey& key, const Vault& vault,
                                      std::string_view name, std::string_view version);
  StatusOr<DeletedSecret> ReadDeleted(const barrier::ScopeKey& key, const Vault& vault,
                                      const ObjectHead& head);
  Status RemoveDeleted(const barrier::ScopeKey& key, std::string_view vault_name,
                       const ObjectHead& head);
  ObjectLifecycle::Remove Remover();

  barrier::Barrier* barrier_;
  const Clock* clock_;
  VersionedObjects objects_;
  NameLocks locks_;
  ObjectLifecycle lifecycle_;  // soft delete, purge, backup: shared with keys
};

}  // namespace kh::domain
