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
  // Backup blobs are sealed under a server-wide key derived from the root key, so a backup
  // restores into any vault of the same server (as Azure restores within a subscription).
  const ScopeKey& backup() const { return *backup_; }

  // Adds a fresh wrapped data key for `vault_id` to `batch`. Fails if one is cached already.
  Status AddNewVaultKey(std::string_view vault_id, storage::WriteBatch& batch);
  // The same, returning the new key, so that records sealed under it can join the same batch
  // (VaultKey finds the key only once the batch is committed).
  StatusOr<std::shared_ptr<const ScopeKey>> AddNewVaultKeyAndUse(std::string_view vault_id,
                                                                 storage::WriteBatch& batch);
  // The vault's data key, loaded and unwrapped on first use. NotFound when the vault has none.
  StatusOr<std::shared_ptr<const ScopeKey>> VaultKey(std::string_view vault_id);
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
  std::unique_ptr<ScopeKey> backup_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const ScopeKey>, std::less<>> vault_keys_;
};

// The storage path of a vault's wrapped data key.
std::string VaultKeyPath(std::string_view vault_id);

}  // namespace kh::barrier
