// Barrier's backup keys: sealing and opening backups, and moving a backup key between
// deployments as a passphrase-wrapped text:
//   "KHBACKUPKEY1:" base64url(Fields{log2n, r, p, salt, sealed})
// where sealed = AES-256-GCM(scrypt(passphrase, salt), key, associated data "backup-key/v1").
#include "barrier/barrier.h"

#include "core/base64.h"
#include "core/fields.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/password_hash.h"
#include "crypto/rng.h"

namespace kh::barrier {
namespace {

constexpr std::string_view kExportPrefix = "KHBACKUPKEY1:";
constexpr std::string_view kWrapAad = "backup-key/v1";
constexpr std::string_view kImportedKeyPath = "backupkeys/imported";
constexpr size_t kBackupKeyBytes = 32;
constexpr size_t kSaltBytes = 16;

std::string Fingerprint(const SecretBytes& raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string digest =
      crypto::Sha256("keyhaven backup key fingerprint\n" + std::string(raw.Reveal()));
  std::string out;
  for (size_t i = 0; i < 8; ++i) {
    out += kHex[static_cast<uint8_t>(digest[i]) >> 4];
    out += kHex[static_cast<uint8_t>(digest[i]) & 15];
  }
  return out;
}

Status NotAnExportedKey() {
  return InvalidArgument(
      "This is not an exported Keyhaven backup key, or the passphrase is wrong.");
}

}  // namespace

Barrier::BackupKey Barrier::MakeBackupKey(SecretBytes raw) const {
  auto scope = std::make_shared<const ScopeKey>(raw);
  return BackupKey{std::move(raw), std::move(scope)};
}

Status Barrier::LoadBackupKeys() {
  KH_ASSIGN_OR_RETURN(std::optional<SecretBytes> imported, Read(*system_, kImportedKeyPath));
  if (!imported) return Status::Ok();
  if (imported->size() != kBackupKeyBytes) return Internal("the stored backup key is malformed");
  std::lock_guard lock(backup_mu_);
  backup_keys_.insert(backup_keys_.begin(), MakeBackupKey(std::move(*imported)));
  return Status::Ok();
}

StatusOr<std::string> Barrier::SealBackup(std::string_view aad, std::string_view plaintext) const {
  std::shared_ptr<const ScopeKey> current;
  {
    std::lock_guard lock(backup_mu_);
    current = backup_keys_.front().scope;
  }
  return current->Seal(aad, plaintext);
}

StatusOr<SecretBytes> Barrier::OpenBackup(std::string_view aad, std::string_view sealed) const {
  std::vector<std::shared_ptr<const ScopeKey>> keys;
  {
    std::lock_guard lock(backup_mu_);
    for (const auto& k : backup_keys_) keys.push_back(k.scope);
  }
  Status last = Internal("no backup key");
  for (const auto& key : keys) {
    StatusOr<SecretBytes> opened = key->Open(aad, sealed);
    if (opened.ok()) return opened;
    last = opened.status();
  }
  return last;
}

std::string Barrier::BackupKeyFingerprint() const {
  std::lock_guard lock(backup_mu_);
  return Fingerprint(backup_keys_.front().raw);
}

StatusOr<std::string> Barrier::ExportBackupKey(const SecretBytes& passphrase) const {
  if (passphrase.size() < kMinBackupPassphrase) {
    return InvalidArgument("The passphrase must have at least " +
                           std::to_string(kMinBackupPassphrase) + " characters.");
  }
  SecretBytes raw;
  {
    std::lock_guard lock(backup_mu_);
    raw = backup_keys_.front().raw;
  }
  const crypto::ScryptParams params;
  const std::string salt = crypto::RandomBytes(kSaltBytes);
  KH_ASSIGN_OR_RETURN(SecretBytes kek,
                      crypto::DeriveKeyFromPassphrase(passphrase, salt, params, kBackupKeyBytes));
  KH_ASSIGN_OR_RETURN(std::string sealed, crypto::AeadSeal(kek, raw, kWrapAad));
  Fields f;
  f.SetInt("log2n", params.log2_n);
  f.SetInt("r", params.r);
  f.SetInt("p", params.p);
  f.Set("salt", salt);
  f.Set("sealed", sealed);
  return std::string(kExportPrefix) + Base64UrlEncode(f.Encode());
}

StatusOr<std::string> Barrier::ImportBackupKey(std::string_view exported,
                                               const SecretBytes& passphrase) {
  if (exported.substr(0, kExportPrefix.size()) != kExportPrefix) return NotAnExportedKey();
  std::string_view body = exported.substr(kExportPrefix.size());
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  auto decoded = Base64UrlDecode(body);
  if (!decoded.ok()) return NotAnExportedKey();
  auto f = Fields::Decode(*decoded);
  if (!f.ok()) return NotAnExportedKey();
  crypto::ScryptParams params;
  params.log2_n = static_cast<int>(f->GetInt("log2n").value_or(0));
  params.r = static_cast<int>(f->GetInt("r").value_or(0));
  params.p = static_cast<int>(f->GetInt("p").value_or(0));
  auto kek = crypto::DeriveKeyFromPassphrase(passphrase, f->GetOr("salt", ""), params,
                                             kBackupKeyBytes);
  if (!kek.ok()) return NotAnExportedKey();
  auto raw = crypto::AeadOpen(*kek, f->GetOr("sealed", ""), kWrapAad);
  if (!raw.ok() || raw->size() != kBackupKeyBytes) return NotAnExportedKey();
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(Write(*system_, batch, kImportedKeyPath, raw->Reveal()));
  KH_RETURN_IF_ERROR(store_->Commit(batch));
  const std::string fingerprint = Fingerprint(*raw);
  std::lock_guard lock(backup_mu_);
  // The imported key replaces an earlier import (one imported key is stored); the derived key
  // always stays last, so this deployment's older backups keep opening.
  if (backup_keys_.size() > 1) backup_keys_.erase(backup_keys_.begin());
  backup_keys_.insert(backup_keys_.begin(), MakeBackupKey(std::move(*raw)));
  return fingerprint;
}

}  // namespace kh::barrier
