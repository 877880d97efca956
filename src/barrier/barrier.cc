#include "barrier/barrier.h"

#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/rng.h"

namespace kh::barrier {
namespace {

// Sealed record = kKeyVersion byte || AES-GCM(nonce || ciphertext || tag).
constexpr char kKeyVersion = 1;
constexpr size_t kDataKeyBytes = 32;

}  // namespace

std::string VaultKeyPath(std::string_view vault_id) { return "vaultkeys/" + std::string(vault_id); }

StatusOr<std::string> ScopeKey::Seal(std::string_view path, std::string_view plaintext) const {
  KH_ASSIGN_OR_RETURN(std::string sealed, crypto::AeadSeal(key_, plaintext, path));
  return std::string(1, kKeyVersion) + sealed;
}

StatusOr<SecretBytes> ScopeKey::Open(std::string_view path, std::string_view sealed) const {
  if (sealed.empty() || sealed[0] != kKeyVersion) {
    return Internal("a stored record has an unknown key version");
  }
  return crypto::AeadOpen(key_, sealed.substr(1), path);
}

Barrier::Barrier(storage::Store* store, SecretBytes root_key)
    : store_(store), root_key_(std::move(root_key)) {
  system_ = std::make_unique<ScopeKey>(
      crypto::HkdfSha256(root_key_, "keyhaven", "system-scope-v1", kDataKeyBytes));
  backup_keys_.push_back(
      MakeBackupKey(crypto::HkdfSha256(root_key_, "keyhaven", "backup-v1", kDataKeyBytes)));
}

Status Barrier::AddNewVaultKey(std::string_view vault_id, storage::WriteBatch& batch) {
  return AddNewVaultKeyAndUse(vault_id, batch).status();
}

StatusOr<std::shared_ptr<const ScopeKey>> Barrier::AddNewVaultKeyAndUse(
    std::string_view vault_id, storage::WriteBatch& batch) {
  SecretBytes key = crypto::RandomSecret(kDataKeyBytes);
  std::string path = VaultKeyPath(vault_id);
  KH_ASSIGN_OR_RETURN(std::string wrapped, crypto::AeadSeal(root_key_, key, path));
  batch.ExpectAbsent(path);
  batch.Put(path, std::string(1, kKeyVersion) + wrapped);
  std::lock_guard lock(mu_);
  vault_keys_.erase(std::string(vault_id));
  return std::make_shared<const ScopeKey>(std::move(key));
}

StatusOr<std::shared_ptr<const ScopeKey>> Barrier::VaultKey(std::string_view vault_id) {
  {
    std::lock_guard lock(mu_);
    auto it = vault_keys_.find(vault_id);
    if (it != vault_keys_.end()) return it->second;
  }
  std::string path = VaultKeyPath(vault_id);
  KH_ASSIGN_OR_RETURN(std::optional<std::string> wrapped, store_->Get(path));
  if (!wrapped) return NotFound("VaultNotFound", "The vault has no data key.");
  KH_ASSIGN_OR_RETURN(auto scope, UnwrapVaultKey(vault_id, *wrapped));
  std::lock_guard lock(mu_);
  return vault_keys_.emplace(std::string(vault_id), scope).first->second;
}

StatusOr<std::shared_ptr<const ScopeKey>> Barrier::UnwrapVaultKey(std::string_view vault_id,
                                                                  std::string_view wrapped) const {
  if (wrapped.empty() || wrapped[0] != kKeyVersion) {
    return Internal("a vault key has an unknown key version");
  }
  KH_ASSIGN_OR_RETURN(SecretBytes key,
                      crypto::AeadOpen(root_key_, wrapped.substr(1), VaultKeyPath(vault_id)));
  return std::make_shared<const ScopeKey>(std::move(key));
}

void Barrier::AddDeleteVaultKey(std::string_view vault_id, storage::WriteBatch& batch) {
  batch.Delete(VaultKeyPath(vault_id));
  std::lock_guard lock(mu_);
  vault_keys_.erase(std::string(vault_id));
}

StatusOr<std::optional<SecretBytes>> Barrier::Read(const ScopeKey& key, std::string_view path) {
  KH_ASSIGN_OR_RETURN(std::optional<std::string> sealed, store_->Get(path));
  if (!sealed) return std::optional<SecretBytes>();
  KH_ASSIGN_OR_RETURN(SecretBytes plain, key.Open(path, *sealed));
  return std::optional<SecretBytes>(std::move(plain));
}

Status Barrier::Write(const ScopeKey& key, storage::WriteBatch& batch, std::string_view path,
                      std::string_view plaintext) {
  KH_ASSIGN_OR_RETURN(std::string sealed, key.Seal(path, plaintext));
  batch.Put(std::string(path), std::move(sealed));
  return Status::Ok();
}

StatusOr<std::vector<OpenedRecord>> Barrier::Scan(const ScopeKey& key, std::string_view prefix,
                                                  std::string_view start_after, size_t limit) {
  KH_ASSIGN_OR_RETURN(std::vector<storage::KeyValue> rows,
                      store_->Scan(prefix, start_after, limit));
  std::vector<OpenedRecord> out;
  out.reserve(rows.size());
  for (auto& row : rows) {
    KH_ASSIGN_OR_RETURN(SecretBytes plain, key.Open(row.key, row.value));
    out.push_back(OpenedRecord{std::move(row.key), std::move(plain)});
  }
  return out;
}

}  // namespace kh::barrier
