#include "domain/secret_service.h"

#include "core/ids.h"
#include "domain/names.h"
#include "domain/secret_record.h"

namespace kh::domain {
namespace {

constexpr std::string_view kBackupMagic = "KHSECRETBACKUP1:";
constexpr std::string_view kBackupAad = "backup/secret/v1";
constexpr std::string_view kScheduleKind = "secret";

Status SecretNotFound(std::string_view name, std::string_view version = {}) {
  std::string id(name);
  if (!version.empty()) id += "/" + std::string(version);
  return NotFound(
      "SecretNotFound",
      "A secret with (name/id) " + id +
          " was not found in this key vault. If you recently deleted this secret you "
          "may be able to recover it using the correct recovery command. For help "
          "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182");
}

Status DeletedSecretNotFound(std::string_view name) {
  return NotFound("SecretNotFound", "Deleted Secret not found: " + std::string(name));
}

Status DeletedButRecoverable(std::string_view name) {
  return Conflict("Secret " + std::string(name) +
                      " is currently in a deleted but recoverable state, and its name cannot be "
                      "reused; in this state, the secret can only be recovered or purged.",
                  "ObjectIsDeletedButRecoverable");
}

}  // namespace

SecretService::SecretService(barrier::Barrier* barrier, const Clock* clock)
    : barrier_(barrier), clock_(clock), objects_(barrier, "secrets") {}

StatusOr<std::shared_ptr<const barrier::ScopeKey>> SecretService::KeyFor(const Vault& vault) {
  return barrier_->VaultKey(Lower(vault.name));
}

StatusOr<SecretVersion> SecretService::ReadVersion(const barrier::ScopeKey& key, const Vault& vault,
                                                   std::string_view name,
                                                   std::string_view version) {
  KH_ASSIGN_OR_RETURN(std::optional<Fields> fields,
                      objects_.Version(key, vault.name, name, version));
  if (!fields) return SecretNotFound(name, version);
  return SecretFromFields(version, *fields);
}

StatusOr<DeletedSecret> SecretService::ReadDeleted(const barrier::ScopeKey& key, const Vault& vault,
                                                   const ObjectHead& head) {
  KH_ASSIGN_OR_RETURN(SecretVersion latest,
                      ReadVersion(key, vault, head.name, head.latest_version));
  return DeletedSecret{std::move(latest), head.deleted.value_or(DeletedInfo{})};
}

Status SecretService::CheckNameFree(const barrier::ScopeKey& key, const Vault& vault,
                                    std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto deleted, objects_.DeletedHead(key, vault.name, name));
  if (deleted) return DeletedButRecoverable(deleted->name);
  return Status::Ok();
}

StatusOr<SecretService::PreparedSet> SecretService::PrepareSet(const Vault& vault,
                                                               std::string_view name,
                                                               SetSecretParams params) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_RETURN_IF_ERROR(CheckNameFree(*key, vault, name));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) head = ObjectHead{std::string(name), "", std::nullopt};

  int64_t now = clock_->NowSeconds();
  PreparedSet prepared;
  SecretVersion& s = prepared.secret;
  s.name = head->name;
  s.version = NewVersionId();
  s.value = std::move(params.value);
  s.content_type = std::move(params.content_type);
  s.tags = std::move(params.tags);
  s.attributes.enabled = params.enabled.value_or(true);
  s.attributes.not_before = params.not_before;
  s.attributes.expires = params.expires;
  s.attributes.created = now;
  s.attributes.updated = now;
  head->latest_version = s.version;
  KH_RETURN_IF_ERROR(
      objects_.PutVersion(*key, prepared.batch, vault.name, name, s.version, SecretToFields(s)));
  KH_RETURN_IF_ERROR(objects_.PutLiveHead(*key, prepared.batch, vault.name, *head));
  return prepared;
}

Status SecretService::ValidateSet(std::string_view name, const SetSecretParams& params) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_RETURN_IF_ERROR(ValidateSecretValue(params.value));
  KH_RETURN_IF_ERROR(ValidateTags(params.tags));
  return ValidateContentType(params.content_type);
}

StatusOr<SecretVersion> SecretService::Set(const Vault& vault, std::string_view name,
                                           SetSecretParams params) {
  KH_RETURN_IF_ERROR(ValidateSet(name, params));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(PreparedSet prepared, PrepareSet(vault, name, std::move(params)));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(prepared.batch));
  return std::move(prepared.secret);
}

bool SecretService::TrySetAsync(const Vault& vault, std::string_view name, SetSecretParams params,
                                SetCallback done) {
  if (Status st = ValidateSet(name, params); !st.ok()) {
    done(st);
    return true;
  }
  std::optional<NameLocks::Held> held = locks_.TryLock(vault.name, name);
  if (!held) return false;  // another write to this name is under way: take the blocking path
  auto prepared = PrepareSet(vault, name, std::move(params));
  if (!prepared.ok()) {
    held->Release();
    done(prepared.status());
    return true;
  }
  // The lock is held until the commit's outcome is known, then released on the committing
  // thread; std::function needs a copyable callable, hence the shared state.
  struct InFlight {
    NameLocks::Held held;
    SecretVersion secret;
    SetCallback done;
  };
  auto state = std::make_shared<InFlight>(
      InFlight{std::move(*held), std::move(prepared->secret), std::move(done)});
  barrier_->store().CommitAsync(std::move(prepared->batch), [state](Status st) {
    state->held.Release();
    if (st.ok()) {
      state->done(std::move(state->secret));
    } else {
      state->done(std::move(st));
    }
  });
  return true;
}

StatusOr<SecretVersion> SecretService::Get(const Vault& vault, std::string_view name,
                                           std::string_view version) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return SecretNotFound(name, version);
  KH_ASSIGN_OR_RETURN(
      SecretVersion s,
      ReadVersion(*key, vault, name, version.empty() ? head->latest_version : version));
  if (!s.attributes.enabled) {
    return PermissionDenied("Operation get is not allowed on a disabled secret.", "SecretDisabled");
  }
  return s;
}

StatusOr<SecretVersion> SecretService::Update(const Vault& vault, std::string_view name,
                                              std::string_view version,
                                              const SecretUpdate& update) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  if (update.tags) KH_RETURN_IF_ERROR(ValidateTags(*update.tags));
  KH_RETURN_IF_ERROR(ValidateContentType(update.content_type));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return SecretNotFound(name, version);
  std::string ver = version.empty() ? head->latest_version : std::string(version);
  KH_ASSIGN_OR_RETURN(SecretVersion s, ReadVersion(*key, vault, name, ver));
  if (update.content_type) s.content_type = *update.content_type;
  if (update.tags) s.tags = *update.tags;
  if (update.enabled) s.attributes.enabled = *update.enabled;
  if (update.not_before) s.attributes.not_before = *update.not_before;
  if (update.expires) s.attributes.expires = *update.expires;
  s.attributes.updated = clock_->NowSeconds();
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(objects_.PutVersion(*key, batch, vault.name, name, ver, SecretToFields(s)));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return s;
}

StatusOr<Page<SecretVersion>> SecretService::List(const Vault& vault, std::string_view marker,
                                                  size_t max) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  // One extra row tells whether another page exists.
  KH_ASSIGN_OR_RETURN(auto heads, objects_.Heads(*key, vault.name, false, marker, max + 1));
  Page<SecretVersion> page;
  for (size_t i = 0; i < heads.size() && i < max; ++i) {
    KH_ASSIGN_OR_RETURN(SecretVersion s,
                        ReadVersion(*key, vault, heads[i].name, heads[i].latest_version));
    s.value.Clear();
    page.items.push_back(std::move(s));
  }
  if (heads.size() > max) page.next_marker = Lower(heads[max - 1].name);
  return page;
}

StatusOr<Page<SecretVersion>> SecretService::ListVersions(const Vault& vault, std::string_view name,
                                                          std::string_view marker, size_t max) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  Page<SecretVersion> page;
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return page;
  KH_ASSIGN_OR_RETURN(auto rows, objects_.Versions(*key, vault.name, name, marker, max + 1));
  for (size_t i = 0; i < rows.size() && i < max; ++i) {
    SecretVersion s = SecretFromFields(rows[i].version, rows[i].fields);
    s.value.Clear();
    page.items.push_back(std::move(s));
  }
  if (rows.size() > max) page.next_marker = rows[max - 1].version;
  return page;
}

StatusOr<DeletedSecret> SecretService::Delete(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return SecretNotFound(name);
  KH_ASSIGN_OR_RETURN(SecretVersion latest, ReadVersion(*key, vault, name, head->latest_version));
  int64_t now = clock_->NowSeconds();
  head->deleted = DeletedInfo{now, now + int64_t{vault.retention_days} * kSecondsPerDay};
  storage::WriteBatch batch;
  objects_.DeleteLiveHead(batch, vault.name, name);
  KH_RETURN_IF_ERROR(objects_.PutDeletedHead(*key, batch, vault.name, *head));
  batch.Put(
      PurgeScheduleEntry(head->deleted->scheduled_purge_date, kScheduleKind, vault.name, name), "");
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return DeletedSecret{std::move(latest), *head->deleted};
}

StatusOr<DeletedSecret> SecretService::GetDeleted(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto head, objects_.DeletedHead(*key, vault.name, name));
  if (!head) return DeletedSecretNotFound(name);
  return ReadDeleted(*key, vault, *head);
}

StatusOr<Page<DeletedSecret>> SecretService::ListDeleted(const Vault& vault,
                                                         std::string_view marker, size_t max) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_ASSIGN_OR_RETURN(auto heads, objects_.Heads(*key, vault.name, true, marker, max + 1));
  Page<DeletedSecret> page;
  for (size_t i = 0; i < heads.size() && i < max; ++i) {
    KH_ASSIGN_OR_RETURN(DeletedSecret d, ReadDeleted(*key, vault, heads[i]));
    d.latest.value.Clear();
    page.items.push_back(std::move(d));
  }
  if (heads.size() > max) page.next_marker = Lower(heads[max - 1].name);
  return page;
}

StatusOr<SecretVersion> SecretService::Recover(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(auto head, objects_.DeletedHead(*key, vault.name, name));
  if (!head) return DeletedSecretNotFound(name);
  KH_ASSIGN_OR_RETURN(SecretVersion latest, ReadVersion(*key, vault, name, head->latest_version));
  storage::WriteBatch batch;
  objects_.DeleteDeletedHead(batch, vault.name, name);
  batch.Delete(
      PurgeScheduleEntry(head->deleted->scheduled_purge_date, kScheduleKind, vault.name, name));
  KH_RETURN_IF_ERROR(objects_.PutLiveHead(*key, batch, vault.name, *head));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return latest;
}

Status SecretService::RemoveDeleted(const barrier::ScopeKey& key, std::string_view vault_name,
                                    const ObjectHead& head) {
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(objects_.DeleteAllVersions(batch, vault_name, head.name));
  objects_.DeleteDeletedHead(batch, vault_name, head.name);
  if (head.deleted) {
    batch.Delete(PurgeScheduleEntry(head.deleted->scheduled_purge_date, kScheduleKind, vault_name,
                                    head.name));
  }
  return barrier_->store().Commit(batch);
}

Status SecretService::Purge(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(auto head, objects_.DeletedHead(*key, vault.name, name));
  if (!head) return DeletedSecretNotFound(name);
  if (!vault.PurgeAllowed()) {
    return PermissionDenied(
        "Operation \"purge\" is not allowed because purge protection is enabled for this vault. "
        "Key Vault service will automatically purge it after the retention period has passed.\r\n"
        "Vault: " +
            vault.name + ";location=" + vault.location,
        "PurgeProtectionEnabled");
  }
  return RemoveDeleted(*key, vault.name, *head);
}

Status SecretService::PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now) {
  auto key = barrier_->VaultKey(Lower(vault_name));
  if (!key.ok()) return key.status().code() == StatusCode::kNotFound ? Status::Ok() : key.status();
  NameLocks::Held held = locks_.Lock(vault_name, name);
  KH_ASSIGN_OR_RETURN(auto head, objects_.DeletedHead(**key, vault_name, name));
  if (!head || !head->deleted || head->deleted->scheduled_purge_date > now) return Status::Ok();
  return RemoveDeleted(**key, vault_name, *head);
}

StatusOr<std::string> SecretService::Backup(const Vault& vault, std::string_view name) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return SecretNotFound(name);
  KH_ASSIGN_OR_RETURN(auto versions, objects_.Versions(*key, vault.name, name, "", 0));
  Fields blob;
  blob.Set("kind", "secret");
  blob.Set("name", head->name);
  blob.Set("latest", head->latest_version);
  std::map<std::string, std::string> encoded;
  for (const auto& v : versions) encoded[v.version] = v.fields.Encode();
  blob.SetMap("versions", encoded);
  KH_ASSIGN_OR_RETURN(std::string sealed, barrier_->backup().Seal(kBackupAad, blob.Encode()));
  return std::string(kBackupMagic) + sealed;
}

StatusOr<SecretVersion> SecretService::Restore(const Vault& vault, std::string_view blob) {
  Status invalid = InvalidArgument(
      "The backup blob is invalid, corrupted, or was not produced "
      "by this Keyhaven server.");
  if (blob.substr(0, kBackupMagic.size()) != kBackupMagic) return invalid;
  auto plain = barrier_->backup().Open(kBackupAad, blob.substr(kBackupMagic.size()));
  if (!plain.ok()) return invalid;
  auto decoded = Fields::Decode(plain->Reveal());
  if (!decoded.ok() || decoded->GetOr("kind", "") != "secret") return invalid;
  ObjectHead head{decoded->GetOr("name", ""), decoded->GetOr("latest", ""), std::nullopt};
  KH_RETURN_IF_ERROR(ValidateObjectName(head.name, "Secret"));
  std::map<std::string, std::string> versions = decoded->GetMap("versions");
  if (!versions.count(head.latest_version)) return invalid;

  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, head.name);
  KH_RETURN_IF_ERROR(CheckNameFree(*key, vault, head.name));
  KH_ASSIGN_OR_RETURN(auto live, objects_.LiveHead(*key, vault.name, head.name));
  if (live) {
    return Conflict("Secret " + head.name +
                    " already exists in this vault; restore needs a name "
                    "that is not in use.");
  }
  storage::WriteBatch batch;
  std::optional<SecretVersion> latest;
  for (const auto& [version, bytes] : versions) {
    auto fields = Fields::Decode(bytes);
    if (!fields.ok()) return invalid;
    KH_RETURN_IF_ERROR(objects_.PutVersion(*key, batch, vault.name, head.name, version, *fields));
    if (version == head.latest_version) latest = SecretFromFields(version, *fields);
  }
  batch.ExpectAbsent(objects_.LivePath(vault.name, head.name));
  KH_RETURN_IF_ERROR(objects_.PutLiveHead(*key, batch, vault.name, head));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  return std::move(*latest);
}

}  // namespace kh::domain
