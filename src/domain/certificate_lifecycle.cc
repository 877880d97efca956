// CertificateService: delete, recover and purge (of the certificate with its key and secret),
// listing deleted certificates, and backup/restore as one bundle of three blobs.
#include "domain/certificate_service.h"
#include "domain/certificate_service_internal.h"
#include "domain/names.h"

namespace kh::domain {
namespace {

using namespace certificate_internal;  // NOLINT: this service's own helpers

// A certificate backup: this magic, then three length-prefixed parts (certificate, key,
// secret), each an authenticated backup blob of its own.
constexpr std::string_view kBundleMagic = "KHCERTBUNDLE1:";

// The certificate's key or secret is already in the wanted state (an interrupted earlier call
// got that far): not an error.
Status IgnoringNotFound(const Status& st) { return IsNotFound(st) ? Status::Ok() : st; }

void AppendPart(std::string& out, std::string_view part) {
  out += std::to_string(part.size());
  out += ':';
  out += part;
}

StatusOr<std::vector<std::string>> SplitBundle(std::string_view blob) {
  Status invalid = InvalidArgument(
      "The backup blob is invalid, corrupted, or was not produced by this Keyhaven server.");
  if (blob.substr(0, kBundleMagic.size()) != kBundleMagic) return invalid;
  blob.remove_prefix(kBundleMagic.size());
  std::vector<std::string> parts;
  while (!blob.empty() && parts.size() < 3) {
    size_t colon = blob.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 9) return invalid;
    size_t len = 0;
    for (char c : blob.substr(0, colon)) {
      if (c < '0' || c > '9') return invalid;
      len = len * 10 + size_t(c - '0');
    }
    blob.remove_prefix(colon + 1);
    if (len > blob.size()) return invalid;
    parts.emplace_back(blob.substr(0, len));
    blob.remove_prefix(len);
  }
  if (parts.size() != 3 || !blob.empty()) return invalid;
  return parts;
}

}  // namespace

StatusOr<DeletedCertificate> CertificateService::Delete(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return lifecycle_.NotFoundError(name);
  // Key and secret first: repeating an interrupted delete finishes it.
  KH_RETURN_IF_ERROR(
      IgnoringNotFound(keys_->Delete(vault, name, ObjectAccess::kByCertificate).status()));
  KH_RETURN_IF_ERROR(
      IgnoringNotFound(secrets_->Delete(vault, name, ObjectAccess::kByCertificate).status()));
  CertificateVersion latest;
  KH_ASSIGN_OR_RETURN(ObjectHead deleted,
                      lifecycle_.Delete(vault, name, [&](const auto& k, const ObjectHead& h) {
                        KH_ASSIGN_OR_RETURN(latest, ReadVersion(k, vault, name, h.latest_version));
                        return Status::Ok();
                      }));
  return DeletedCertificate{std::move(latest), *deleted.deleted};
}

StatusOr<DeletedCertificate> CertificateService::GetDeleted(const Vault& vault,
                                                            std::string_view name) {
  std::optional<DeletedCertificate> deleted;
  KH_RETURN_IF_ERROR(lifecycle_.GetDeleted(vault, name, [&](const auto& key, const auto& head) {
    KH_ASSIGN_OR_RETURN(CertificateVersion latest,
                        ReadVersion(key, vault, head.name, head.latest_version));
    deleted = DeletedCertificate{std::move(latest), head.deleted.value_or(DeletedInfo{})};
    return Status::Ok();
  }));
  return std::move(*deleted);
}

StatusOr<Page<DeletedCertificate>> CertificateService::ListDeleted(const Vault& vault,
                                                                   std::string_view marker,
                                                                   size_t max) {
  Page<DeletedCertificate> page;
  KH_ASSIGN_OR_RETURN(
      page.next_marker,
      lifecycle_.ListDeleted(vault, marker, max, [&](const auto& key, const ObjectHead& head) {
        KH_ASSIGN_OR_RETURN(CertificateVersion latest,
                            ReadVersion(key, vault, head.name, head.latest_version));
        page.items.push_back({std::move(latest), head.deleted.value_or(DeletedInfo{})});
        return Status::Ok();
      }));
  return page;
}

StatusOr<CertificateVersion> CertificateService::Recover(const Vault& vault,
                                                         std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto head, objects_.DeletedHead(*key, vault.name, name));
  if (!head) return lifecycle_.DeletedNotFound(name);
  KH_RETURN_IF_ERROR(
      IgnoringNotFound(keys_->Recover(vault, name, ObjectAccess::kByCertificate).status()));
  KH_RETURN_IF_ERROR(
      IgnoringNotFound(secrets_->Recover(vault, name, ObjectAccess::kByCertificate).status()));
  CertificateVersion latest;
  KH_RETURN_IF_ERROR(lifecycle_.Recover(vault, name, [&](const auto& k, const ObjectHead& h) {
    KH_ASSIGN_OR_RETURN(latest, ReadVersion(k, vault, name, h.latest_version));
    return Status::Ok();
  }));
  return latest;
}

ObjectLifecycle::Remove CertificateService::Remover() {
  return [this](const barrier::ScopeKey& key, std::string_view vault_name,
                const ObjectHead& head) -> Status {
    // The pending operation goes with the certificate, and its key if that lives in the HSM
    // (destroyed once the records are gone: a failed commit must leave a usable operation).
    auto pending = barrier_->Read(key, CertificateOperationPath(vault_name, head.name));
    std::optional<StoredOperation> op;
    if (pending.ok() && *pending) {
      if (auto fields = Fields::Decode((*pending)->Reveal()); fields.ok()) {
        op = OperationFromFields(*fields);
      }
    }
    KH_RETURN_IF_ERROR(lifecycle_.RemoveDeleted(vault_name, head, [&](storage::WriteBatch& batch) {
      batch.Delete(CertificateOperationPath(vault_name, head.name));
    }));
    if (op) DestroyPendingKey(*op, keys_->hsm());
    return Status::Ok();
  };
}

Status CertificateService::Purge(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Certificate"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto head, objects_.DeletedHead(*key, vault.name, name));
  if (!head) return lifecycle_.DeletedNotFound(name);
  KH_RETURN_IF_ERROR(IgnoringNotFound(keys_->Purge(vault, name, ObjectAccess::kByCertificate)));
  KH_RETURN_IF_ERROR(IgnoringNotFound(secrets_->Purge(vault, name, ObjectAccess::kByCertificate)));
  return lifecycle_.Purge(vault, name, Remover());
}

Status CertificateService::PurgeIfDue(std::string_view vault_name, std::string_view name,
                                      int64_t now) {
  return lifecycle_.PurgeIfDue(vault_name, name, now, Remover());
}

StatusOr<std::string> CertificateService::Backup(const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(std::string certificate, lifecycle_.Backup(vault, name));
  KH_ASSIGN_OR_RETURN(std::string key, keys_->Backup(vault, name));
  KH_ASSIGN_OR_RETURN(std::string secret, secrets_->Backup(vault, name));
  std::string out(kBundleMagic);
  AppendPart(out, certificate);
  AppendPart(out, key);
  AppendPart(out, secret);
  return out;
}

StatusOr<CertificateVersion> CertificateService::Restore(const Vault& vault,
                                                         std::string_view blob) {
  KH_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitBundle(blob));
  // The certificate first: a name in use stops the restore before anything is written. Should
  // its key or secret not restore (or not be this certificate's), what was restored is taken
  // out again.
  std::optional<CertificateVersion> latest;
  KH_RETURN_IF_ERROR(
      lifecycle_.Restore(vault, parts[0], [&](const ObjectHead& head, const Fields& fields) {
        latest = CertificateFromFields(head.latest_version, fields);
        return Status::Ok();
      }));
  const Status mismatch = InvalidArgument(
      "The backup blob is invalid, corrupted, or was not produced by this Keyhaven server.");
  const auto same = [&](const std::string& name, const std::string& version) {
    return Lower(name) == Lower(latest->name) && version == latest->version;
  };
  auto key = keys_->Restore(vault, parts[1]);
  if (!key.ok() || !same(key->name, key->version)) {
    if (key.ok()) keys_->UndoRestore(vault, key->name).IgnoreError();
    lifecycle_.RemoveLive(vault.name, latest->name).IgnoreError();
    return key.ok() ? mismatch : key.status();
  }
  auto secret = secrets_->Restore(vault, parts[2]);
  if (!secret.ok() || !same(secret->name, secret->version)) {
    if (secret.ok()) secrets_->UndoRestore(vault, secret->name).IgnoreError();
    keys_->UndoRestore(vault, key->name).IgnoreError();
    lifecycle_.RemoveLive(vault.name, latest->name).IgnoreError();
    return secret.ok() ? mismatch : secret.status();
  }
  return std::move(*latest);
}

}  // namespace kh::domain
