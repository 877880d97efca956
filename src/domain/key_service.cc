#include "domain/key_service.h"

#include "core/ids.h"
#include "domain/key_record.h"
#include "domain/names.h"
#include "domain/secret_record.h"

namespace kh::domain {
namespace {

constexpr ObjectKind kKeyKind{"Key", "key", "KeyNotFound", "KHKEYBACKUP1:", "backup/key/v1"};

std::string_view OpName(KeyOperation op) {
  switch (op) {
    case KeyOperation::kEncrypt:
      return "encrypt";
    case KeyOperation::kDecrypt:
      return "decrypt";
    case KeyOperation::kWrapKey:
      return "wrapKey";
    case KeyOperation::kUnwrapKey:
      return "unwrapKey";
    case KeyOperation::kSign:
      return "sign";
    case KeyOperation::kVerify:
      return "verify";
  }
  return "";
}

// Azure: "Not-yet-valid and expired keys ... will work for decrypt, unwrap, and verify
// operations (won't return 403)"; the others are refused outside nbf..exp.
bool NeedsValidityPeriod(KeyOperation op) {
  return op == KeyOperation::kEncrypt || op == KeyOperation::kWrapKey || op == KeyOperation::kSign;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Status ExportableNeedsReleasePolicy() {
  return InvalidArgument("AKV.SKR.1004: Exportable keys must have release policy.");
}

Status ValidateCommon(std::string_view name, const std::map<std::string, std::string>& tags,
                      const std::optional<std::vector<std::string>>& key_ops,
                      const std::optional<bool>& exportable) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Key"));
  KH_RETURN_IF_ERROR(ValidateTags(tags));
  if (key_ops) KH_RETURN_IF_ERROR(ValidateKeyOps(*key_ops));
  // Release policies (secure key release) are not supported yet, and Azure refuses an
  // exportable key without one.
  if (exportable.value_or(false)) return ExportableNeedsReleasePolicy();
  return Status::Ok();
}

}  // namespace

StatusOr<crypto::KeyMaterial> KeyService::Generate(crypto::KeyType type, const CreateKeyParams& p,
                                                   bool in_hsm) {
  switch (type) {
    case crypto::KeyType::kRsa: {
      int bits = p.key_size.value_or(crypto::kDefaultRsaKeyBits);
      if (bits != 2048 && bits != 3072 && bits != 4096) {
        return InvalidArgument("The key size " + std::to_string(bits) +
                               " is not supported for key type RSA. Supported sizes are 2048, "
                               "3072 and 4096.");
      }
      const int64_t e = p.public_exponent.value_or(crypto::kDefaultRsaPublicExponent);
      if (in_hsm) return crypto::KeyMaterial::GenerateRsaInHsm(hsm_, bits, e);
      return crypto::KeyMaterial::GenerateRsa(bits, e);
    }
    case crypto::KeyType::kEc: {
      KH_ASSIGN_OR_RETURN(crypto::EcCurve curve, crypto::ParseCurve(p.curve.value_or("P-256")));
      if (p.key_size && *p.key_size != crypto::CurveBits(curve)) {
        return InvalidArgument("The key size " + std::to_string(*p.key_size) +
                               " does not match the curve " +
                               std::string(crypto::CurveName(curve)) + " (" +
                               std::to_string(crypto::CurveBits(curve)) + " bits).");
      }
      if (in_hsm) return crypto::KeyMaterial::GenerateEcInHsm(hsm_, curve);
      return crypto::KeyMaterial::GenerateEc(curve);
    }
    case crypto::KeyType::kOct: {
      int bits = p.key_size.value_or(crypto::kDefaultOctKeyBits);
      if (bits != 128 && bits != 192 && bits != 256) {
        return InvalidArgument("The key size " + std::to_string(bits) +
                               " is not supported for key type oct. Supported sizes are 128, "
                               "192 and 256.");
      }
      if (in_hsm) return crypto::KeyMaterial::GenerateOctInHsm(hsm_, bits);
      return crypto::KeyMaterial::GenerateOct(bits);
    }
  }
  return Internal("unknown key type");
}

namespace {

// A new version around `material`, with what CreateKey and ImportKey share (same member names).
template <typename Params>
KeyVersion NewVersion(crypto::KeyMaterial material, Params& params) {
  KeyVersion k;
  k.kty = KtyOf(material);
  k.key_ops = params.key_ops ? std::move(*params.key_ops) : DefaultKeyOps(material.type());
  k.material = std::make_shared<const crypto::KeyMaterial>(std::move(material));
  k.tags = std::move(params.tags);
  k.attributes.enabled = params.enabled.value_or(true);
  k.attributes.not_before = params.not_before;
  k.attributes.expires = params.expires;
  k.exportable = params.exportable.value_or(false);
  return k;
}

}  // namespace

KeyService::KeyService(barrier::Barrier* barrier, const Clock* clock,
                       std::shared_ptr<crypto::HsmToken> hsm)
    : barrier_(barrier),
      clock_(clock),
      hsm_(std::move(hsm)),
      objects_(barrier, "keys"),
      lifecycle_(barrier, clock, &objects_, &locks_, kKeyKind) {}

StatusOr<std::shared_ptr<const barrier::ScopeKey>> KeyService::KeyFor(const Vault& vault) {
  return barrier_->VaultKey(Lower(vault.name));
}

StatusOr<std::shared_ptr<const crypto::KeyMaterial>> KeyService::Material(
    std::string_view vault_name, std::string_view name, std::string_view version,
    const Fields& fields) {
  std::string cache_key = Lower(vault_name) + "/" + Lower(name) + "/" + std::string(version);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = cache_.find(cache_key);
    if (it != cache_.end()) return it->second;
  }
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial material, KeyMaterialFromFields(fields, hsm_));
  auto shared = std::make_shared<const crypto::KeyMaterial>(std::move(material));
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (cache_.size() >= kMaxCachedMaterials) cache_.clear();
  cache_.emplace(std::move(cache_key), shared);
  return shared;
}

void KeyService::ForgetMaterial(std::string_view vault_name, std::string_view name) {
  ForgetCachedUnder(Lower(vault_name) + "/" + Lower(name) + "/");
}

void KeyService::ForgetCachedUnder(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(cache_mu_);
  for (auto it = cache_.lower_bound(prefix);
       it != cache_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    it = cache_.erase(it);
  }
}

StatusOr<KeyVersion> KeyService::ReadVersion(const barrier::ScopeKey& key, const Vault& vault,
                                             std::string_view name, std::string_view version,
                                             bool material) {
  KH_ASSIGN_OR_RETURN(std::optional<Fields> fields,
                      objects_.Version(key, vault.name, name, version));
  if (!fields) return lifecycle_.NotFoundError(name, version);
  KeyVersion k = KeyFromFields(version, *fields);
  if (material) {
    KH_ASSIGN_OR_RETURN(k.material, Material(vault.name, name, version, *fields));
  }
  return k;
}

StatusOr<DeletedKey> KeyService::ReadDeleted(const barrier::ScopeKey& key, const Vault& vault,
                                             const ObjectHead& head, bool material) {
  KH_ASSIGN_OR_RETURN(KeyVersion latest,
                      ReadVersion(key, vault, head.name, head.latest_version, material));
  return DeletedKey{std::move(latest), head.deleted.value_or(DeletedInfo{})};
}

StatusOr<KeyVersion> KeyService::AddVersion(const Vault& vault, std::string_view name, KeyVersion k,
                                            std::string_view only_if_latest,
                                            std::optional<int64_t> expires_after) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_RETURN_IF_ERROR(lifecycle_.CheckNameFree(*key, vault.name, name));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!only_if_latest.empty() && (!head || head->latest_version != only_if_latest)) {
    return Conflict("The key " + std::string(name) + " has changed since it was read.");
  }
  if (head) KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(*head, ObjectAccess::kDirect, "create"));
  if (!head) head = ObjectHead{std::string(name), "", std::nullopt};
  int64_t now = clock_->NowSeconds();
  k.name = head->name;
  k.version = NewVersionId();
  k.attributes.created = now;
  k.attributes.updated = now;
  if (expires_after) k.attributes.expires = now + *expires_after;
  head->latest_version = k.version;
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(objects_.PutVersion(*key, batch, vault.name, name, k.version, KeyToFields(k)));
  KH_RETURN_IF_ERROR(objects_.PutLiveHead(*key, batch, vault.name, *head));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return k;
}

StatusOr<KeyVersion> KeyService::Create(const Vault& vault, std::string_view name,
                                        CreateKeyParams params) {
  KH_RETURN_IF_ERROR(ValidateCommon(name, params.tags, params.key_ops, params.exportable));
  KH_ASSIGN_OR_RETURN(crypto::KeyType type, crypto::ParseKeyType(params.kty));
  const bool in_hsm = EndsWith(params.kty, "-HSM");
  if (in_hsm) KH_RETURN_IF_ERROR(crypto::RequireHsmToken(hsm_));
  // Fail fast on a name in the deleted state before the (slow) generation.
  KH_RETURN_IF_ERROR(CheckNameFree(vault, name));
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial material, Generate(type, params, in_hsm));
  return AddVersion(vault, name, NewVersion(std::move(material), params));
}

StatusOr<KeyVersion> KeyService::Import(const Vault& vault, std::string_view name,
                                        ImportKeyParams params) {
  KH_RETURN_IF_ERROR(ValidateCommon(name, params.tags, params.key_ops, params.exportable));
  if (params.hsm) KH_RETURN_IF_ERROR(crypto::RequireHsmToken(hsm_));
  KH_RETURN_IF_ERROR(CheckNameFree(vault, name));
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial material,
                      params.hsm ? crypto::KeyMaterial::ImportToHsm(hsm_, params.jwk)
                                 : crypto::KeyMaterial::Import(params.jwk));
  return AddVersion(vault, name, NewVersion(std::move(material), params));
}

Status KeyService::CheckNameFree(const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  return lifecycle_.CheckNameFree(*key, vault.name, name);
}

StatusOr<KeyVersion> KeyService::Get(const Vault& vault, std::string_view name,
                                     std::string_view version) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Key"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return lifecycle_.NotFoundError(name, version);
  return ReadVersion(*key, vault, name, version.empty() ? head->latest_version : version, true);
}

StatusOr<KeyVersion> KeyService::Update(const Vault& vault, std::string_view name,
                                        std::string_view version, const KeyUpdate& update,
                                        ObjectAccess access) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Key"));
  if (update.tags) KH_RETURN_IF_ERROR(ValidateTags(*update.tags));
  if (update.key_ops) KH_RETURN_IF_ERROR(ValidateKeyOps(*update.key_ops));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return lifecycle_.NotFoundError(name, version);
  KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(*head, access, "update"));
  std::string ver = version.empty() ? head->latest_version : std::string(version);
  KH_ASSIGN_OR_RETURN(std::optional<Fields> fields, objects_.Version(*key, vault.name, name, ver));
  if (!fields) return lifecycle_.NotFoundError(name, version);
  KeyVersion k = KeyFromFields(ver, *fields);
  if (update.key_ops) k.key_ops = *update.key_ops;
  if (update.tags) k.tags = *update.tags;
  if (update.enabled) k.attributes.enabled = *update.enabled;
  if (update.not_before) k.attributes.not_before = *update.not_before;
  if (update.expires) k.attributes.expires = *update.expires;
  k.attributes.updated = clock_->NowSeconds();
  KH_ASSIGN_OR_RETURN(k.material, Material(vault.name, name, ver, *fields));
  KeyMetadataToFields(k, *fields);  // the stored material stays byte for byte
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(objects_.PutVersion(*key, batch, vault.name, name, ver, *fields));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return k;
}

StatusOr<Page<KeyVersion>> KeyService::List(const Vault& vault, std::string_view marker,
                                            size_t max) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  // One extra row tells whether another page exists.
  KH_ASSIGN_OR_RETURN(auto heads, objects_.Heads(*key, vault.name, false, marker, max + 1));
  Page<KeyVersion> page;
  for (size_t i = 0; i < heads.size() && i < max; ++i) {
    KH_ASSIGN_OR_RETURN(KeyVersion k,
                        ReadVersion(*key, vault, heads[i].name, heads[i].latest_version, false));
    page.items.push_back(std::move(k));
  }
  if (heads.size() > max) page.next_marker = Lower(heads[max - 1].name);
  return page;
}

StatusOr<Page<KeyVersion>> KeyService::ListVersions(const Vault& vault, std::string_view name,
                                                    std::string_view marker, size_t max) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Key"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  Page<KeyVersion> page;
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return page;
  KH_ASSIGN_OR_RETURN(auto rows, objects_.Versions(*key, vault.name, name, marker, max + 1));
  for (size_t i = 0; i < rows.size() && i < max; ++i) {
    page.items.push_back(KeyFromFields(rows[i].version, rows[i].fields));
  }
  if (rows.size() > max) page.next_marker = rows[max - 1].version;
  return page;
}

StatusOr<KeyOperationResult> KeyService::Operate(const Vault& vault, std::string_view name,
                                                 std::string_view version,
                                                 const KeyOperationRequest& req) {
  KH_ASSIGN_OR_RETURN(KeyVersion k, Get(vault, name, version));
  std::string op(OpName(req.op));
  if (!k.attributes.enabled) {
    return PermissionDenied("Operation " + op + " is not allowed on a disabled key.",
                            "KeyDisabled");
  }
  if (NeedsValidityPeriod(req.op)) {
    int64_t now = clock_->NowSeconds();
    if (k.attributes.not_before && now < *k.attributes.not_before) {
      return PermissionDenied("Operation " + op + " is not allowed on a key that is not yet valid.",
                              "KeyNotYetValid");
    }
    if (k.attributes.expires && now >= *k.attributes.expires) {
      return PermissionDenied("Operation " + op + " is not allowed on an expired key.",
                              "KeyExpired");
    }
  }
  bool permitted = false;
  for (const auto& allowed : k.key_ops) permitted = permitted || allowed == op;
  if (!permitted) return PermissionDenied("Operation " + op + " is not permitted on this key.");

  const crypto::KeyMaterial& m = *k.material;
  KeyOperationResult result;
  result.kid_version = k.version;
  crypto::SymmetricParams sym{req.iv, req.aad, req.tag};
  switch (req.op) {
    case KeyOperation::kEncrypt: {
      KH_ASSIGN_OR_RETURN(auto alg, crypto::ParseEncryptionAlgorithm(req.algorithm));
      KH_ASSIGN_OR_RETURN(crypto::EncryptResult r, m.Encrypt(alg, req.value, sym));
      result.value = std::move(r.ciphertext);
      result.iv = std::move(r.iv);
      result.tag = std::move(r.tag);
      break;
    }
    case KeyOperation::kDecrypt: {
      KH_ASSIGN_OR_RETURN(auto alg, crypto::ParseEncryptionAlgorithm(req.algorithm));
      KH_ASSIGN_OR_RETURN(SecretBytes plain, m.Decrypt(alg, req.value, sym));
      result.value = plain.RevealString();
      break;
    }
    case KeyOperation::kWrapKey: {
      KH_ASSIGN_OR_RETURN(auto alg, crypto::ParseEncryptionAlgorithm(req.algorithm));
      KH_ASSIGN_OR_RETURN(result.value, m.WrapKey(alg, req.value));
      break;
    }
    case KeyOperation::kUnwrapKey: {
      KH_ASSIGN_OR_RETURN(auto alg, crypto::ParseEncryptionAlgorithm(req.algorithm));
      KH_ASSIGN_OR_RETURN(SecretBytes unwrapped, m.UnwrapKey(alg, req.value));
      result.value = unwrapped.RevealString();
      break;
    }
    case KeyOperation::kSign: {
      KH_ASSIGN_OR_RETURN(auto alg, crypto::ParseSignatureAlgorithm(req.algorithm));
      KH_ASSIGN_OR_RETURN(result.value, m.Sign(alg, req.value));
      break;
    }
    case KeyOperation::kVerify: {
      KH_ASSIGN_OR_RETURN(auto alg, crypto::ParseSignatureAlgorithm(req.algorithm));
      KH_ASSIGN_OR_RETURN(bool ok, m.Verify(alg, req.value, req.signature));
      result.verified = ok;
      break;
    }
  }
  return result;
}

StatusOr<DeletedKey> KeyService::Delete(const Vault& vault, std::string_view name,
                                        ObjectAccess access) {
  KeyVersion latest;
  KH_ASSIGN_OR_RETURN(
      ObjectHead head, lifecycle_.Delete(vault, name, [&](const auto& key, const ObjectHead& h) {
        KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(h, access, "delete"));
        KH_ASSIGN_OR_RETURN(latest, ReadVersion(key, vault, name, h.latest_version, true));
        return Status::Ok();
      }));
  return DeletedKey{std::move(latest), *head.deleted};
}

StatusOr<DeletedKey> KeyService::GetDeleted(const Vault& vault, std::string_view name) {
  std::optional<DeletedKey> deleted;
  KH_RETURN_IF_ERROR(lifecycle_.GetDeleted(vault, name, [&](const auto& key, const auto& head) {
    KH_ASSIGN_OR_RETURN(deleted, ReadDeleted(key, vault, head, true));
    return Status::Ok();
  }));
  return std::move(*deleted);
}

StatusOr<Page<DeletedKey>> KeyService::ListDeleted(const Vault& vault, std::string_view marker,
                                                   size_t max) {
  Page<DeletedKey> page;
  KH_ASSIGN_OR_RETURN(
      page.next_marker,
      lifecycle_.ListDeleted(vault, marker, max, [&](const auto& key, const ObjectHead& head) {
        KH_ASSIGN_OR_RETURN(DeletedKey d, ReadDeleted(key, vault, head, false));
        page.items.push_back(std::move(d));
        return Status::Ok();
      }));
  return page;
}

StatusOr<KeyVersion> KeyService::Recover(const Vault& vault, std::string_view name,
                                         ObjectAccess access) {
  KeyVersion latest;
  KH_RETURN_IF_ERROR(lifecycle_.Recover(vault, name, [&](const auto& key, const ObjectHead& h) {
    KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(h, access, "recover"));
    KH_ASSIGN_OR_RETURN(latest, ReadVersion(key, vault, name, h.latest_version, true));
    return Status::Ok();
  }));
  return latest;
}

Status KeyService::RemoveDeleted(const barrier::ScopeKey& key, std::string_view vault_name,
                                 const ObjectHead& head) {
  // HSM material is destroyed in the token once the records are gone (not before: a failed
  // commit must leave a recoverable key). Backup copies stay (KeyMaterial::HsmCopyForBackup).
  std::vector<crypto::KeyMaterial> in_token;
  if (hsm_) {
    KH_ASSIGN_OR_RETURN(auto versions, objects_.Versions(key, vault_name, head.name, "", 0));
    for (const auto& v : versions) {
      auto material = KeyMaterialFromFields(v.fields, hsm_);
      if (material.ok() && material->is_hsm()) in_token.push_back(*std::move(material));
    }
  }
  KH_RETURN_IF_ERROR(lifecycle_.RemoveDeleted(vault_name, head, [&](storage::WriteBatch& batch) {
    // The rotation policy goes with the key (a new key of the same name starts without one).
    batch.Delete(KeyRotationPolicyPath(vault_name, head.name));
    batch.Delete(KeyRotationIndexEntry(vault_name, head.name));
  }));
  ForgetMaterial(vault_name, head.name);
  // A failure leaves an unreachable object in the token, never a reachable key without one.
  for (const auto& material : in_token) material.DestroyInHsm().IgnoreError();
  return Status::Ok();
}

ObjectLifecycle::Remove KeyService::Remover() {
  return [this](const auto& key, std::string_view vault_name, const ObjectHead& head) {
    return RemoveDeleted(key, vault_name, head);
  };
}

Status KeyService::Purge(const Vault& vault, std::string_view name, ObjectAccess access) {
  return lifecycle_.Purge(
      vault, name,
      [this, access](const auto& key, std::string_view vault_name, const ObjectHead& head) {
        KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(head, access, "purge"));
        return RemoveDeleted(key, vault_name, head);
      });
}

Status KeyService::CheckFreeForCertificate(const Vault& vault, std::string_view name) {
  return lifecycle_.CheckFreeForCertificate(vault, name);
}

StatusOr<NameLocks::Held> KeyService::PrepareManagedVersion(const Vault& vault,
                                                            std::string_view name, KeyVersion& k,
                                                            storage::WriteBatch& batch) {
  return lifecycle_.PutManagedVersion(
      vault, name, k.version,
      [&](const std::string& stored_name) {
        k.name = stored_name;
        k.managed = true;
        return KeyToFields(k);
      },
      batch);
}

StatusOr<crypto::KeyMaterial> KeyService::GenerateForCertificate(std::string_view kty,
                                                                 std::optional<int> key_size,
                                                                 std::optional<std::string> curve) {
  KH_ASSIGN_OR_RETURN(crypto::KeyType type, crypto::ParseKeyType(kty));
  const bool in_hsm = EndsWith(kty, "-HSM");
  if (in_hsm) KH_RETURN_IF_ERROR(crypto::RequireHsmToken(hsm_));
  CreateKeyParams params;
  params.key_size = key_size;
  params.curve = std::move(curve);
  return Generate(type, params, in_hsm);
}

StatusOr<KeyVersion> KeyService::Rotate(const Vault& vault, std::string_view name,
                                        std::optional<int64_t> expires_after,
                                        std::string_view only_if_latest) {
  KH_ASSIGN_OR_RETURN(KeyVersion latest, Get(vault, name, ""));
  if (latest.managed) {
    return InvalidArgument("The key " + latest.name +
                           " backs a certificate and cannot be rotated; renew the certificate.");
  }
  if (!only_if_latest.empty() && latest.version != only_if_latest) {
    return Conflict("The key " + latest.name + " has changed since it was read.");
  }
  const crypto::KeyMaterial& old = *latest.material;
  CreateKeyParams params;
  if (old.type() == crypto::KeyType::kEc) {
    params.curve = std::string(old.PublicComponents().crv);
  } else {
    params.key_size = old.size_bits();
  }
  if (old.type() == crypto::KeyType::kRsa) {
    // Keep the public exponent (big-endian bytes of e).
    int64_t e = 0;
    for (unsigned char c : old.PublicComponents().e) e = (e << 8) | c;
    params.public_exponent = e;
  }
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial material, Generate(old.type(), params, old.is_hsm()));
  KeyVersion k;
  k.kty = latest.kty;
  k.key_ops = latest.key_ops;
  k.material = std::make_shared<const crypto::KeyMaterial>(std::move(material));
  k.tags = latest.tags;
  k.attributes.enabled = true;
  k.exportable = latest.exportable;
  return AddVersion(vault, latest.name, std::move(k), latest.version, expires_after);
}

Status KeyService::PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now) {
  return lifecycle_.PurgeIfDue(vault_name, name, now, Remover());
}

Status KeyService::UndoRestore(const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  std::vector<crypto::KeyMaterial> in_token;
  if (hsm_) {
    KH_ASSIGN_OR_RETURN(auto versions, objects_.Versions(*key, vault.name, name, "", 0));
    for (const auto& v : versions) {
      auto material = KeyMaterialFromFields(v.fields, hsm_);
      if (material.ok() && material->is_hsm()) in_token.push_back(*std::move(material));
    }
  }
  KH_RETURN_IF_ERROR(lifecycle_.RemoveLive(vault.name, name));
  ForgetMaterial(vault.name, name);
  for (const auto& material : in_token) material.DestroyInHsm().IgnoreError();
  return Status::Ok();
}

void KeyService::DestroyHsmMaterial(std::string_view vault_name) {
  if (!hsm_) return;
  auto key = barrier_->VaultKey(Lower(vault_name));
  if (!key.ok()) return;
  auto rows = barrier_->Scan(**key, VaultDataPrefix(vault_name) + "keys/o/", "", 0);
  if (!rows.ok()) return;
  for (const auto& row : *rows) {
    if (row.path.find(VersionedObjects::kVersionSeparator) == std::string::npos) continue;
    auto fields = Fields::Decode(row.plaintext.Reveal());
    if (!fields.ok()) continue;
    auto material = KeyMaterialFromFields(*fields, hsm_);
    if (material.ok() && material->is_hsm()) material->DestroyInHsm().IgnoreError();
  }
  ForgetCachedUnder(Lower(vault_name) + "/");
}

Status KeyService::RewriteForBackup(Fields& fields) {
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial material, KeyMaterialFromFields(fields, hsm_));
  if (!material.is_hsm()) return Status::Ok();
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial copy, material.HsmCopyForBackup());
  SetKeyMaterial(fields, copy);
  return Status::Ok();
}

Status KeyService::RewriteForRestore(Fields& fields, std::vector<crypto::KeyMaterial>* made) {
  auto material = KeyMaterialFromFields(fields, hsm_);
  if (!material.ok()) {
    if (material.status().code() == StatusCode::kInvalidArgument) return material.status();
    return InvalidArgument(
        "The backup refers to HSM key material that is not in this server's PKCS#11 token.");
  }
  if (!material->is_hsm()) return Status::Ok();
  KH_ASSIGN_OR_RETURN(crypto::KeyMaterial copy, material->HsmCopyForRestore());
  SetKeyMaterial(fields, copy);
  made->push_back(std::move(copy));
  return Status::Ok();
}

StatusOr<std::string> KeyService::Backup(const Vault& vault, std::string_view name) {
  return lifecycle_.Backup(vault, name,
                           [this](Fields& fields) { return RewriteForBackup(fields); });
}

StatusOr<KeyVersion> KeyService::Restore(const Vault& vault, std::string_view blob) {
  std::optional<KeyVersion> latest;
  std::vector<crypto::KeyMaterial> copies;  // token objects this restore made
  Status restored = lifecycle_.Restore(
      vault, blob,
      [&](const ObjectHead& head, const Fields& fields) {
        latest = KeyFromFields(head.latest_version, fields);
        KH_ASSIGN_OR_RETURN(latest->material,
                            Material(vault.name, head.name, head.latest_version, fields));
        return Status::Ok();
      },
      [&](Fields& fields) { return RewriteForRestore(fields, &copies); });
  if (!restored.ok()) {
    for (const auto& copy : copies) copy.DestroyInHsm().IgnoreError();
    return restored;
  }
  return std::move(*latest);
}

}  // namespace kh::domain
