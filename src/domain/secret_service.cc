#include "domain/secret_service.h"

#include "core/ids.h"
#include "domain/names.h"
#include "domain/secret_record.h"

namespace kh::domain {
namespace {

constexpr ObjectKind kSecretKind{"Secret", "secret", "SecretNotFound",
                                 "KHSECRETBACKUP1:", "backup/secret/v1"};

}  // namespace

SecretService::SecretService(barrier::Barrier* barrier, const Clock* clock)
    : barrier_(barrier),
      clock_(clock),
      objects_(barrier, "secrets"),
      lifecycle_(barrier, clock, &objects_, &locks_, kSecretKind) {}

StatusOr<std::shared_ptr<const barrier::ScopeKey>> SecretService::KeyFor(const Vault& vault) {
  return barrier_->VaultKey(Lower(vault.name));
}

StatusOr<SecretVersion> SecretService::ReadVersion(const barrier::ScopeKey& key, const Vault& vault,
                                                   std::string_view name,
                                                   std::string_view version) {
  KH_ASSIGN_OR_RETURN(std::optional<Fields> fields,
                      objects_.Version(key, vault.name, name, version));
  if (!fields) return lifecycle_.NotFoundError(name, version);
  return SecretFromFields(version, *fields);
}

StatusOr<DeletedSecret> SecretService::ReadDeleted(const barrier::ScopeKey& key, const Vault& vault,
                                                   const ObjectHead& head) {
  KH_ASSIGN_OR_RETURN(SecretVersion latest,
                      ReadVersion(key, vault, head.name, head.latest_version));
  return DeletedSecret{std::move(latest), head.deleted.value_or(DeletedInfo{})};
}

StatusOr<SecretService::PreparedSet> SecretService::PrepareSet(const Vault& vault,
                                                               std::string_view name,
                                                               SetSecretParams params) {
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  KH_RETURN_IF_ERROR(lifecycle_.CheckNameFree(*key, vault.name, name));
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (head) KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(*head, ObjectAccess::kDirect, "set"));
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
  if (!head) return lifecycle_.NotFoundError(name, version);
  KH_ASSIGN_OR_RETURN(
      SecretVersion s,
      ReadVersion(*key, vault, name, version.empty() ? head->latest_version : version));
  if (!s.attributes.enabled) {
    return PermissionDenied("Operation get is not allowed on a disabled secret.", "SecretDisabled");
  }
  return s;
}

StatusOr<SecretVersion> SecretService::Update(const Vault& vault, std::string_view name,
                                              std::string_view version, const SecretUpdate& update,
                                              ObjectAccess access) {
  KH_RETURN_IF_ERROR(ValidateObjectName(name, "Secret"));
  if (update.tags) KH_RETURN_IF_ERROR(ValidateTags(*update.tags));
  KH_RETURN_IF_ERROR(ValidateContentType(update.content_type));
  KH_ASSIGN_OR_RETURN(auto key, KeyFor(vault));
  NameLocks::Held held = locks_.Lock(vault.name, name);
  KH_ASSIGN_OR_RETURN(std::optional<ObjectHead> head, objects_.LiveHead(*key, vault.name, name));
  if (!head) return lifecycle_.NotFoundError(name, version);
  KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(*head, access, "update"));
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

StatusOr<DeletedSecret> SecretService::Delete(const Vault& vault, std::string_view name,
                                              ObjectAccess access) {
  SecretVersion latest;
  KH_ASSIGN_OR_RETURN(
      ObjectHead head, lifecycle_.Delete(vault, name, [&](const auto& key, const ObjectHead& h) {
        KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(h, access, "delete"));
        KH_ASSIGN_OR_RETURN(latest, ReadVersion(key, vault, name, h.latest_version));
        return Status::Ok();
      }));
  return DeletedSecret{std::move(latest), *head.deleted};
}

StatusOr<DeletedSecret> SecretService::GetDeleted(const Vault& vault, std::string_view name) {
  std::optional<DeletedSecret> deleted;
  KH_RETURN_IF_ERROR(lifecycle_.GetDeleted(vault, name, [&](const auto& key, const auto& head) {
    KH_ASSIGN_OR_RETURN(deleted, ReadDeleted(key, vault, head));
    return Status::Ok();
  }));
  return std::move(*deleted);
}

StatusOr<Page<DeletedSecret>> SecretService::ListDeleted(const Vault& vault,
                                                         std::string_view marker, size_t max) {
  Page<DeletedSecret> page;
  KH_ASSIGN_OR_RETURN(
      page.next_marker,
      lifecycle_.ListDeleted(vault, marker, max, [&](const auto& key, const ObjectHead& head) {
        KH_ASSIGN_OR_RETURN(DeletedSecret d, ReadDeleted(key, vault, head));
        d.latest.value.Clear();
        page.items.push_back(std::move(d));
        return Status::Ok();
      }));
  return page;
}

StatusOr<SecretVersion> SecretService::Recover(const Vault& vault, std::string_view name,
                                               ObjectAccess access) {
  SecretVersion latest;
  KH_RETURN_IF_ERROR(lifecycle_.Recover(vault, name, [&](const auto& key, const ObjectHead& h) {
    KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(h, access, "recover"));
    KH_ASSIGN_OR_RETURN(latest, ReadVersion(key, vault, name, h.latest_version));
    return Status::Ok();
  }));
  return latest;
}

Status SecretService::RemoveDeleted(const barrier::ScopeKey& key, std::string_view vault_name,
                                    const ObjectHead& head) {
  (void)key;
  return lifecycle_.RemoveDeleted(vault_name, head);
}

ObjectLifecycle::Remove SecretService::Remover() {
  return [this](const auto& key, std::string_view vault_name, const ObjectHead& head) {
    return RemoveDeleted(key, vault_name, head);
  };
}

Status SecretService::Purge(const Vault& vault, std::string_view name, ObjectAccess access) {
  return lifecycle_.Purge(
      vault, name,
      [this, access](const auto& key, std::string_view vault_name, const ObjectHead& head) {
        KH_RETURN_IF_ERROR(lifecycle_.CheckAccess(head, access, "purge"));
        return RemoveDeleted(key, vault_name, head);
      });
}

Status SecretService::CheckFreeForCertificate(const Vault& vault, std::string_view name) {
  return lifecycle_.CheckFreeForCertificate(vault, name);
}

StatusOr<NameLocks::Held> SecretService::PrepareManagedVersion(const Vault& vault,
                                                               std::string_view name,
                                                               SecretVersion& s,
                                                               storage::WriteBatch& batch) {
  return lifecycle_.PutManagedVersion(
      vault, name, s.version,
      [&](const std::string& stored_name) {
        s.name = stored_name;
        s.managed = true;
        return SecretToFields(s);
      },
      batch);
}

Status SecretService::PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now) {
  return lifecycle_.PurgeIfDue(vault_name, name, now, Remover());
}

StatusOr<std::string> SecretService::Backup(const Vault& vault, std::string_view name) {
  return lifecycle_.Backup(vault, name);
}

StatusOr<SecretVersion> SecretService::Restore(const Vault& vault, std::string_view blob) {
  std::optional<SecretVersion> latest;
  KH_RETURN_IF_ERROR(
      lifecycle_.Restore(vault, blob, [&](const ObjectHead& head, const Fields& fields) {
        latest = SecretFromFields(head.latest_version, fields);
        return Status::Ok();
      }));
  return std::move(*latest);
}

}  // namespace kh::domain
