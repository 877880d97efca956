// The shared soft-delete/purge/backup life of vault objects; see object_lifecycle.h.
#include "domain/object_lifecycle.h"

#include <algorithm>
#include <map>

#include "domain/names.h"

namespace kh::domain {

ObjectLifecycle::ObjectLifecycle(barrier::Barrier* barrier, const Clock* clock,
                                 VersionedObjects* objects, NameLocks* locks, ObjectKind kind)
    : barrier_(barrier), clock_(clock), objects_(objects), locks_(locks), kind_(kind) {}

StatusOr<std::shared_ptr<const barrier::ScopeKey>> ObjectLifecycle::KeyFor(const Vault& vault) {
  return barrier_->VaultKey(Lower(vault.name));
}

Status ObjectLifecycle::NotFoundError(std::string_view name, std::string_view version) const {
  std::string id(name);
  if (!version.empty()) id += "/" + std::string(version);
  std::string kind(kind_.kind);
  return NotFound(std::string(kind_.not_found),
                  "A " + kind + " with (name/id) " + id +
                      " was not found in this key vault. If you recently deleted this " + kind +
                      " you may be able to recover it using the correct recovery command. For "
                      "help resolving this issue, please see "
                      "https://go.microsoft.com/fwlink/?linkid=2125182");
}

Status ObjectLifecycle::DeletedNotFound(std::string_view name) const {
  return NotFound(std::string(kind_.not_found),
                  "Deleted " + std::string(kind_.noun) + " not found: " + std::string(name));
}

Status ObjectLifecycle::CheckNameFree(const barrier::ScopeKey& key, std::string_view vault,
                                      std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto deleted, objects_->DeletedHead(key, vault, name));
  if (!deleted) return Status::Ok();
  return Conflict(std::string(kind_.noun) + " " + deleted->name +
                      " is currently in a deleted but recoverable state, and its name cannot be "
                      "reused; in this state, the " +
                      std::string(kind_.kind) + " can only be recovered or purged.",
                  "ObjectIsDeletedButRecoverable");
}

Status ObjectLifecycle::CheckFreeForCertificate(const Vault& vault, std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_RETURN_IF_ERROR(CheckNameFree(*key, vault.name, name));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_->LiveHead(*key, vault.name, name));
  if (head && !head->managed) {
    return Conflict("A " + std::string(kind_.kind) + " named " + head->name +
                    " already exists and does not belong to a certificate; a certificate needs "
                    "its name for its own " +
                    std::string(kind_.kind) + ".");
  }
  return Status::Ok();
}

StatusOr<NameLocks::Held> ObjectLifecycle::PutManagedVersion(const Vault& vault,
                                                             std::string_view name,
                                                             std::string_view version,
                                                             const MakeRecord& make,
                                                             storage::WriteBatch& batch) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_->Lock(vault.name, name);
  KH_RETURN_IF_ERROR(CheckFreeForCertificate(vault, name));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_->LiveHead(*key, vault.name, name));
  if (!head) head = ObjectHead{std::string(name), "", std::nullopt};
  head->latest_version = std::string(version);
  head->managed = true;
  KH_RETURN_IF_ERROR(
      objects_->PutVersion(*key, batch, vault.name, name, version, make(head->name)));
  KH_RETURN_IF_ERROR(objects_->PutLiveHead(*key, batch, vault.name, *head));
  return held;
}

StatusOr<NameLocks::Held> ObjectLifecycle::PutManagedEnabled(const Vault& vault,
                                                             std::string_view name,
                                                             std::string_view version, bool enabled,
                                                             int64_t now,
                                                             storage::WriteBatch& batch) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_->Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_->LiveHead(*key, vault.name, name));
  if (!head) return NotFoundError(name, version);
  KH_RETURN_IF_ERROR(CheckAccess(*head, ObjectAccess::kByCertificate, "update"));
  KH_ASSIGN_OR_RETURN(std::optional<Fields> fields,
                      objects_->Version(*key, vault.name, name, version));
  if (!fields) return NotFoundError(name, version);
  fields->SetBool("enabled", enabled);
  fields->SetInt("updated", now);
  KH_RETURN_IF_ERROR(objects_->PutVersion(*key, batch, vault.name, name, version, *fields));
  return held;
}

Status ObjectLifecycle::CheckAccess(const ObjectHead& head, ObjectAccess access,
                                    std::string_view operation) const {
  if (access == ObjectAccess::kByCertificate) {
    if (head.managed) return Status::Ok();
    return Conflict("The " + std::string(kind_.kind) + " " + head.name +
                    " does not back a certificate.");
  }
  if (!head.managed) return Status::Ok();
  return PermissionDenied("Operation " + std::string(operation) + " is not allowed on a managed " +
                          std::string(kind_.kind) + ": " + head.name +
                          " backs the certificate of the same name; use the certificate's "
                          "operations instead.");
}

StatusOr<ObjectHead> ObjectLifecycle::Delete(const Vault& vault, std::string_view name,
                                             const Read& read) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, kind_.noun));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_->Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_->LiveHead(*key, vault.name, name));
  if (!head) return NotFoundError(name);
  KH_RETURN_IF_ERROR(read(*key, *head));
  int64_t now = clock_->NowSeconds();
  head->deleted = DeletedInfo{now, now + int64_t{vault.retention_days} * kSecondsPerDay};
  storage::WriteBatch batch;
  objects_->DeleteLiveHead(batch, vault.name, name);
  KH_RETURN_IF_ERROR(objects_->PutDeletedHead(*key, batch, vault.name, *head));
  batch.Put(PurgeScheduleEntry(head->deleted->scheduled_purge_date, kind_.kind, vault.name, name),
            "");
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return std::move(*head);
}

Status ObjectLifecycle::GetDeleted(const Vault& vault, std::string_view name, const Read& read) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, kind_.noun));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto head, objects_->DeletedHead(*key, vault.name, name));
  if (!head) return DeletedNotFound(name);
  return read(*key, *head);
}

StatusOr<std::optional<std::string>> ObjectLifecycle::ListDeleted(const Vault& vault,
                                                                  std::string_view marker,
                                                                  size_t max, const Read& read) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  // One extra row tells whether another page exists.
  KH_ASSIGN_OR_RETURN(auto heads, objects_->Heads(*key, vault.name, true, marker, max + 1));
  for (size_t i = 0; i < heads.size() && i < max; ++i) KH_RETURN_IF_ERROR(read(*key, heads[i]));
  std::optional<std::string> next;
  if (heads.size() > max) next = Lower(heads[max - 1].name);
  return next;
}

Status ObjectLifecycle::Recover(const Vault& vault, std::string_view name, const Read& read) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, kind_.noun));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_->Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(auto head, objects_->DeletedHead(*key, vault.name, name));
  if (!head) return DeletedNotFound(name);
  KH_RETURN_IF_ERROR(read(*key, *head));
  storage::WriteBatch batch;
  objects_->DeleteDeletedHead(batch, vault.name, name);
  batch.Delete(
      PurgeScheduleEntry(head->deleted->scheduled_purge_date, kind_.kind, vault.name, name));
  KH_RETURN_IF_ERROR(objects_->PutLiveHead(*key, batch, vault.name, *head));
  return barrier_->store().Commit(batch);
}

Status ObjectLifecycle::RemoveDeleted(std::string_view vault_name, const ObjectHead& head,
                                      const std::function<void(storage::WriteBatch&)>& extra) {
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(objects_->DeleteAllVersions(batch, vault_name, head.name));
  objects_->DeleteDeletedHead(batch, vault_name, head.name);
  if (extra) extra(batch);
  if (head.deleted) {
    batch.Delete(
        PurgeScheduleEntry(head.deleted->scheduled_purge_date, kind_.kind, vault_name, head.name));
  }
  return barrier_->store().Commit(batch);
}

Status ObjectLifecycle::RemoveLive(std::string_view vault_name, std::string_view name) {
  NameLocks::Held held = locks_->Lock(vault_name, name);
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(objects_->DeleteAllVersions(batch, vault_name, name));
  objects_->DeleteLiveHead(batch, vault_name, name);
  return barrier_->store().Commit(batch);
}

Status ObjectLifecycle::Purge(const Vault& vault, std::string_view name, const Remove& remove) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, kind_.noun));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_->Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(auto head, objects_->DeletedHead(*key, vault.name, name));
  if (!head) return DeletedNotFound(name);
  if (!vault.PurgeAllowed()) {
    return PermissionDenied(
        "Operation \"purge\" is not allowed because purge protection is enabled for this vault. "
        "Key Vault service will automatically purge it after the retention period has passed.\r\n"
        "Vault: " +
            vault.name + ";location=" + vault.location,
        "PurgeProtectionEnabled");
  }
  return remove(*key, vault.name, *head);
}

Status ObjectLifecycle::PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now,
                                   const Remove& remove) {
  auto key = barrier_->VaultKey(Lower(vault_name));
  if (!key.ok()) return key.status().code() == StatusCode::kNotFound ? Status::Ok() : key.status();
  NameLocks::Held held = locks_->Lock(vault_name, name);
  KH_ASSIGN_OR_RETURN(auto head, objects_->DeletedHead(**key, vault_name, name));
  if (!head || !head->deleted || head->deleted->scheduled_purge_date > now) return Status::Ok();
  return remove(**key, vault_name, *head);
}

StatusOr<std::string> ObjectLifecycle::Backup(const Vault& vault, std::string_view name,
                                              const Rewrite& rewrite) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, kind_.noun));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_->Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_->LiveHead(*key, vault.name, name));
  if (!head) return NotFoundError(name);
  KH_ASSIGN_OR_RETURN(auto versions, objects_->Versions(*key, vault.name, name, "", 0));
  Fields blob;
  blob.Set("kind", std::string(kind_.kind));
  blob.Set("name", head->name);
  blob.Set("latest", head->latest_version);
  std::map<std::string, std::string> encoded;
  for (auto& v : versions) {
    if (rewrite) KH_RETURN_IF_ERROR(rewrite(v.fields));
    encoded[v.version] = v.fields.Encode();
  }
  blob.SetMap("versions", encoded);
  std::string plain = blob.Encode();
  auto sealed = barrier_->SealBackup(kind_.backup_aad, plain);
  // Do not leave plaintext (key material, secret values) behind in freed memory.
  std::fill(plain.begin(), plain.end(), '\0');
  for (auto& [v, bytes] : encoded) std::fill(bytes.begin(), bytes.end(), '\0');
  if (!sealed.ok()) return sealed.status();
  return std::string(kind_.backup_magic) + *sealed;
}

Status ObjectLifecycle::Restore(const Vault& vault, std::string_view blob, const Restored& latest,
                                const Rewrite& rewrite) {
  Status invalid = InvalidArgument(
      "The backup blob is invalid, corrupted, or was not produced "
      "by this Keyhaven server.");
  std::string_view magic = kind_.backup_magic;
  if (blob.substr(0, magic.size()) != magic) return invalid;
  auto plain = barrier_->OpenBackup(kind_.backup_aad, blob.substr(magic.size()));
  if (!plain.ok()) return invalid;
  auto decoded = Fields::Decode(plain->Reveal());
  if (!decoded.ok() || decoded->GetOr("kind", "") != kind_.kind) return invalid;
  ObjectHead head{decoded->GetOr("name", ""), decoded->GetOr("latest", ""), std::nullopt};
  KH_RETURN_IF_ERROR(ValidateObjectName(head.name, kind_.noun));
  std::map<std::string, std::string> versions = decoded->GetMap("versions");
  if (!versions.count(head.latest_version)) return invalid;

  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_->Lock(vault.name, head.name);
  KH_RETURN_IF_ERROR(CheckNameFree(*key, vault.name, head.name));
  KH_ASSIGN_OR_RETURN(auto live, objects_->LiveHead(*key, vault.name, head.name));
  if (live) {
    return Conflict(std::string(kind_.noun) + " " + head.name +
                    " already exists in this vault; restore needs a name "
                    "that is not in use.");
  }
  storage::WriteBatch batch;
  for (const auto& [version, bytes] : versions) {
    auto fields = Fields::Decode(bytes);
    if (!fields.ok()) return invalid;
    if (rewrite) KH_RETURN_IF_ERROR(rewrite(*fields));
    KH_RETURN_IF_ERROR(objects_->PutVersion(*key, batch, vault.name, head.name, version, *fields));
    if (version == head.latest_version) {
      KH_RETURN_IF_ERROR(latest(head, *fields));
      head.managed = fields->GetBool("managed", false);
    }
  }
  batch.ExpectAbsent(objects_->LivePath(vault.name, head.name));
  KH_RETURN_IF_ERROR(objects_->PutLiveHead(*key, batch, vault.name, head));
  return barrier_->store().Commit(batch);
}

}  // namespace kh::domain
