#pragma once
// KeyService: the keys of a vault, as Azure Key Vault defines them: versioned keys whose private
// material never leaves the vault, the cryptographic operations performed with them, soft delete
// with recover and purge (honouring purge protection), scheduled purge when the retention ends,
// and backup/restore of every version in an opaque, encrypted, authenticated blob. Same storage
// layout and locking as SecretService (collection "keys").
//
// Every operation enforces the version's state first: enabled, nbf <= now < exp (else 403
// Forbidden/KeyDisabled-style errors as Azure answers), and the op being in key_ops (403
// Forbidden "Operation <op> is not permitted on this key."). Creation and RSA operations are
// slow (crypto/key_material.h "Cost"): callers run them on worker threads.
//
// Errors are Azure's: KeyNotFound (404), Forbidden (403), Conflict/ObjectIsDeletedButRecoverable
// (409), BadParameter (400). Thread-safe.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "domain/key.h"
#include "domain/object_lifecycle.h"
#include "domain/vault.h"
#include "domain/versioned_objects.h"

namespace kh::domain {

class KeyService {
 public:
  // `hsm`: the PKCS#11 token for RSA-HSM, EC-HSM and oct-HSM keys; null = none configured (those
  // key types and hsm imports are then refused with BadParameter).
  KeyService(barrier::Barrier* barrier, const Clock* clock,
             std::shared_ptr<crypto::HsmToken> hsm = nullptr);

  StatusOr<KeyVersion> Create(const Vault& vault, std::string_view name, CreateKeyParams params);
  StatusOr<KeyVersion> Import(const Vault& vault, std::string_view name, ImportKeyParams params);
  // `version` empty = latest. Returns disabled versions too (GetKey works on disabled keys in
  // Azure); operations refuse them.
  StatusOr<KeyVersion> Get(const Vault& vault, std::string_view name, std::string_view version);
  // Update, Delete, Recover and Purge refuse a managed key (one backing a certificate) with 403
  // unless the certificate asks (`access`).
  StatusOr<KeyVersion> Update(const Vault& vault, std::string_view name, std::string_view version,
                              const KeyUpdate& update, ObjectAccess access = ObjectAccess::kDirect);
  // Latest version of each live key, without material.
  StatusOr<Page<KeyVersion>> List(const Vault& vault, std::string_view marker, size_t max);
  StatusOr<Page<KeyVersion>> ListVersions(const Vault& vault, std::string_view name,
                                          std::string_view marker, size_t max);

  StatusOr<KeyOperationResult> Operate(const Vault& vault, std::string_view name,
                                       std::string_view version, const KeyOperationRequest& req);

  StatusOr<DeletedKey> Delete(const Vault& vault, std::string_view name,
                              ObjectAccess access = ObjectAccess::kDirect);
  StatusOr<DeletedKey> GetDeleted(const Vault& vault, std::string_view name);
  StatusOr<Page<DeletedKey>> ListDeleted(const Vault& vault, std::string_view marker, size_t max);
  StatusOr<KeyVersion> Recover(const Vault& vault, std::string_view name,
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
  // For CertificateService. Ok when `name` is free for a certificate's key: no key, or a managed
  // one; else Conflict (a key of that name exists, or is deleted).
  Status CheckFreeForCertificate(const Vault& vault, std::string_view name);
  // Adds version `k` (name, version and material set by the caller; marked managed here) as the
  // latest to `batch` and returns the name's lock, held until the caller has committed it.
  StatusOr<NameLocks::Held> PrepareManagedVersion(const Vault& vault, std::string_view name,
                                                  KeyVersion& k, storage::WriteBatch& batch);
  // Generates new material as a certificate policy asks (kty with "-HSM" = in the token).
  StatusOr<crypto::KeyMaterial> GenerateForCertificate(std::string_view kty,
                                                       std::optional<int> key_size,
                                                       std::optional<std::string> curve);
  // The token HSM material lives in (null: none configured).
  const std::shared_ptr<crypto::HsmToken>& hsm() const { return hsm_; }

  StatusOr<std::string> Backup(const Vault& vault, std::string_view name);
  StatusOr<KeyVersion> Restore(const Vault& vault, std::string_view blob);

  // RotateKey: a new version with the latest version's kty, size or curve, key_ops and tags;
  // exp = now + `expires_after` when given. With `only_if_latest`, Conflict (and nothing
  // written) unless that is still the latest version (the rotation job's once-only guard).
  StatusOr<KeyVersion> Rotate(const Vault& vault, std::string_view name,
                              std::optional<int64_t> expires_after,
                              std::string_view only_if_latest = {});

  // Backups of HSM keys (per key here, whole vaults in VaultBackupService): a stored version
  // record whose material lives in the token is rewritten to refer to the token's backup copy,
  // and on restore to a fresh token copy (appended to `made`, so that a restore that fails can
  // destroy them). Records of software keys are left as they are. BadParameter when the
  // material names another token or none is configured.
  Status RewriteForBackup(Fields& version_record);
  Status RewriteForRestore(Fields& version_record, std::vector<crypto::KeyMaterial>* made);

  // Takes out a key that CertificateService::Restore restored before a later part failed
  // (its versions, head, and token copies).
  Status UndoRestore(const Vault& vault, std::string_view name);

  // Destroys the token objects of every HSM key version of a vault that is being purged as a
  // whole (its records go right after). Nothing to do for software keys or without a token.
  void DestroyHsmMaterial(std::string_view vault_name);

  // Purges a deleted key whose scheduled purge date has passed (the purge job).
  Status PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now);

 private:
  StatusOr<std::shared_ptr<const barrier::ScopeKey>> KeyFor(const Vault& vault);
  // Conflict while the name is soft-deleted: checked before slow key generation or import.
  Status CheckNameFree(const Vault& vault, std::string_view name);
  // Reads one version; with `material`, also its key material (from the cache when present).
  StatusOr<KeyVersion> ReadVersion(const barrier::ScopeKey& key, const Vault& vault,
                                   std::string_view name, std::string_view version, bool material);
  StatusOr<std::shared_ptr<const crypto::KeyMaterial>> Material(std::string_view vault_name,
                                                                std::string_view name,
                                                                std::string_view version,
                                                                const Fields& fields);
  StatusOr<DeletedKey> ReadDeleted(const barrier::ScopeKey& key, const Vault& vault,
                                   const ObjectHead& head, bool material);
  // Writes a new version (the caller validated everything and holds no lock).
  // Rotation: `only_if_latest` and `expires_after` as in Rotate.
  StatusOr<KeyVersion> AddVersion(const Vault& vault, std::string_view name, KeyVersion key,
                                  std::string_view only_if_latest = {},
                                  std::optional<int64_t> expires_after = std::nullopt);
  Status RemoveDeleted(const barrier::ScopeKey& key, std::string_view vault_name,
                       const ObjectHead& head);
  // New material like `type`/`params` describe, in the token when `in_hsm`.
  StatusOr<crypto::KeyMaterial> Generate(crypto::KeyType type, const CreateKeyParams& params,
                                         bool in_hsm);
  ObjectLifecycle::Remove Remover();
  void ForgetMaterial(std::string_view vault_name, std::string_view name);
  void ForgetCachedUnder(const std::string& prefix);  // cache keys starting with it

  barrier::Barrier* barrier_;
  const Clock* clock_;
  std::shared_ptr<crypto::HsmToken> hsm_;
  VersionedObjects objects_;
  NameLocks locks_;
  ObjectLifecycle lifecycle_;  // soft delete, purge, backup: shared with secrets

  // Deserialized material by "{vault}/{name}/{version}" (lower-cased): a version's material
  // never changes, and sign/verify read it on every call. Bounded; dropped on purge.
  static constexpr size_t kMaxCachedMaterials = 4096;
  std::mutex cache_mu_;
  std::map<std::string, std::shared_ptr<const crypto::KeyMaterial>> cache_;
};

}  // namespace kh::domain
