#pragma once
// Barrier: the encrypting layer between the domain and storage (DESIGN.md section 4).
//
// Root key (256-bit, from the data dir) wraps one data key per vault; every record is sealed with
// AES-256-GCM under its scope's key, with the record's storage path as AAD, so a ciphertext moved
// to another path (or another vault) fails to open. Sealed records start with a one-byte key
// version so a later root-key rotation can keep reading old records.
// Storage only ever sees ciphertext and the paths it must index.
//
// Thread-safe. Data keys are cached in memory (in SecretBytes) after first use.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret_bytes.h"
#include "core/status_or.h"
#include "storage/store.h"
#include "storage/write_batch.h"

namespace kh::barrier {

// The key of one scope: the system scope (server-wide records) or one vault.
class ScopeKey {
 public:
  explicit ScopeKey(SecretBytes key) : key_(std::move(key)) {}
  StatusOr<std::string> Seal(std::string_view path, std::string_view plaintext) const;
  StatusOr<SecretBytes> Open(std::string_view path, std::string_view sealed) const;

 private:
  SecretBytes key_;
};

struct OpenedRecord {
  std::string path;
  SecretBytes plaintext;
};

class Barrier {
 public:
  static constexpr size_t kRootKeyBytes = 32;

  Barrier(storage::Store* store, SecretBytes root_key);

  storage::Store& store() { return *store_; }

  // Server-wide records (identities, signing keys) use a key derived from the root key.
  const ScopeKey& system() const { return *system_; }
  // ---- Backup keys (backup_keys.cc) ----
  // Backups (per-object blobs, whole-vault files) are sealed under the current backup key and
  // open under any key this deployment knows, so a backup restores into any vault of the same
  // deployment (as Azure restores within a subscription). The deployment's own key is derived
  // from the root key. A key exported by another deployment (a passphrase-wrapped text) can be
  // imported: it becomes the current key, so both deployments then open each other's backups.

  // Reads an imported backup key, if one was stored (call once, after construction).
  Status LoadBackupKeys();
  StatusOr<std::string> SealBackup(std::string_view aad, std::string_view plaintext) const;
  // Tries every known key; the error of the last attempt when none opens it.
  StatusOr<SecretBytes> OpenBackup(std::string_view aad, std::string_view sealed) const;
  // The current key wrapped under `passphrase` (scrypt, then AES-256-GCM), as one line of text
  // ("KHBACKUPKEY1:..."). InvalidArgument for a passphrase shorter than kMinBackupPassphrase.
  StatusOr<std::string> ExportBackupKey(const SecretBytes& passphrase) const;
  // Unwraps an exported key, stores it (sealed under the system key) and makes it current.
  // InvalidArgument for a wrong passphrase or a text that is not an exported key. Returns the
  // key's fingerprint.
  StatusOr<std::string> ImportBackupKey(std::string_view exported, const SecretBytes& passphrase);
  // 16 hex digits naming the current backup key (not secret; equal on deployments that share it).
  std::string BackupKeyFingerprint() const;
  static constexpr size_t kMinBackupPassphrase = 12;

  // Adds a fresh wrapped data key for `vault_id` to `batch`. Fails if one is cached already.
  Status AddNewVaultKey(std::string_view vault_id, storage::WriteBatch& batch);
  // The same, returning the new key, so that records sealed under it can join the same batch
  // (VaultKey finds the key only once the batch is committed).
  StatusOr<std::shared_ptr<const ScopeKey>> AddNewVaultKeyAndUse(std::string_view vault_id,
                                                                 storage::WriteBatch& batch);
  // The vault's data key, loaded and unwrapped on first use. NotFound when the vault has none.
  StatusOr<std::shared_ptr<const ScopeKey>> VaultKey(std::string_view vault_id);
  // Opens a wrapped data key as stored at VaultKeyPath(vault_id) (e.g. one still in a batch).
  StatusOr<std::shared_ptr<const ScopeKey>> UnwrapVaultKey(std::string_view vault_id,
                                                           std::string_view wrapped) const;
  // Adds the deletion of the vault's wrapped key to `batch` and forgets the cached key.
  void AddDeleteVaultKey(std::string_view vault_id, storage::WriteBatch& batch);

  // Reads and opens one record; nullopt when absent.
  StatusOr<std::optional<SecretBytes>> Read(const ScopeKey& key, std::string_view path);
  // Seals `plaintext` for `path` and adds the put to `batch`.
  Status Write(const ScopeKey& key, storage::WriteBatch& batch, std::string_view path,
               std::string_view plaintext);
  // Scans and opens records under `prefix` (see storage::Store::Scan).
  StatusOr<std::vector<OpenedRecord>> Scan(const ScopeKey& key, std::string_view prefix,
                                           std::string_view start_after, size_t limit);

 private:
  storage::Store* store_;
  SecretBytes root_key_;
  std::unique_ptr<ScopeKey> system_;
  struct BackupKey {
    SecretBytes raw;
    std::shared_ptr<const ScopeKey> scope;
  };
  BackupKey MakeBackupKey(SecretBytes raw) const;
  mutable std::mutex backup_mu_;
  std::vector<BackupKey> backup_keys_;  // [0] seals new backups; every one opens
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ScopeKey>, std::less<>> vault_keys_;
};

// The storage path of a vault's wrapped data key.
std::string VaultKeyPath(std::string_view vault_id);

}  // namespace kh::barrier
