#include "domain/versioned_objects.h"

#include <functional>

#include "domain/names.h"

namespace kh::domain {
namespace {

Fields HeadToFields(const ObjectHead& head) {
  Fields f;
  f.Set("name", head.name);
  f.Set("latest", head.latest_version);
  if (head.managed) f.SetBool("managed", true);
  if (head.deleted) {
    f.SetInt("deleted_date", head.deleted->deleted_date);
    f.SetInt("scheduled_purge_date", head.deleted->scheduled_purge_date);
  }
  return f;
}

StatusOr<ObjectHead> HeadFromBytes(const SecretBytes& bytes) {
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes.Reveal()));
  ObjectHead head;
  head.name = f.GetOr("name", "");
  head.latest_version = f.GetOr("latest", "");
  head.managed = f.GetBool("managed", false);
  if (f.Has("deleted_date")) {
    head.deleted = DeletedInfo{f.GetInt("deleted_date").value_or(0),
                               f.GetInt("scheduled_purge_date").value_or(0)};
  }
  return head;
}

}  // namespace

VersionedObjects::VersionedObjects(barrier::Barrier* barrier, std::string collection)
    : barrier_(barrier), collection_(std::move(collection)) {}

std::string VersionedObjects::Prefix(std::string_view vault, std::string_view part) const {
  return VaultDataPrefix(vault) + collection_ + "/" + std::string(part) + "/";
}
std::string VersionedObjects::LivePath(std::string_view vault, std::string_view name) const {
  return Prefix(vault, "o") + Lower(name);
}
std::string VersionedObjects::VersionPrefix(std::string_view vault, std::string_view name) const {
  return Prefix(vault, "o") + Lower(name) + kVersionSeparator;
}

std::string VersionedObjects::DeletedPath(std::string_view vault, std::string_view name) const {
  return Prefix(vault, "deleted") + Lower(name);
}
std::string VersionedObjects::VersionPath(std::string_view vault, std::string_view name,
                                          std::string_view version) const {
  return VersionPrefix(vault, name) + std::string(version);
}

StatusOr<std::optional<ObjectHead>> VersionedObjects::LiveHead(const barrier::ScopeKey& key,
                                                               std::string_view vault,
                                                               std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(key, LivePath(vault, name)));
  if (!bytes) return std::optional<ObjectHead>();
  KH_ASSIGN_OR_RETURN(ObjectHead head, HeadFromBytes(*bytes));
  return std::optional<ObjectHead>(std::move(head));
}

StatusOr<std::optional<ObjectHead>> VersionedObjects::DeletedHead(const barrier::ScopeKey& key,
                                                                  std::string_view vault,
                                                                  std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(key, DeletedPath(vault, name)));
  if (!bytes) return std::optional<ObjectHead>();
  KH_ASSIGN_OR_RETURN(ObjectHead head, HeadFromBytes(*bytes));
  return std::optional<ObjectHead>(std::move(head));
}

StatusOr<std::optional<Fields>> VersionedObjects::Version(const barrier::ScopeKey& key,
                                                          std::string_view vault,
                                                          std::string_view name,
                                                          std::string_view version) {
  KH_ASSIGN_OR_RETURN(auto bytes, barrier_->Read(key, VersionPath(vault, name, version)));
  if (!bytes) return std::optional<Fields>();
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes->Reveal()));
  return std::optional<Fields>(std::move(f));
}

StatusOr<std::vector<ObjectHead>> VersionedObjects::Heads(const barrier::ScopeKey& key,
                                                          std::string_view vault, bool deleted,
                                                          std::string_view start_after,
                                                          size_t limit) {
  std::vector<ObjectHead> out;
  if (deleted) {
    std::string prefix = Prefix(vault, "deleted");
    std::string after = start_after.empty() ? "" : prefix + std::string(start_after);
    KH_ASSIGN_OR_RETURN(auto rows, barrier_->Scan(key, prefix, after, limit));
    for (const auto& row : rows) {
      KH_ASSIGN_OR_RETURN(ObjectHead head, HeadFromBytes(row.plaintext));
      out.push_back(std::move(head));
    }
    return out;
  }
  // Live heads share their key space with their versions (`o/{name}`, `o/{name}\x01{ver}`), so
  // walk it by skipping: after a name, continue past every key that starts with it + separator.
  std::string prefix = Prefix(vault, "o");
  auto past = [&](std::string_view path_name) {
    return prefix + std::string(path_name) + kVersionSeparator + "\xff";
  };
  std::string after = start_after.empty() ? "" : past(start_after);
  while (limit == 0 || out.size() < limit) {
    KH_ASSIGN_OR_RETURN(auto rows, barrier_->Scan(key, prefix, after, 1));
    if (rows.empty()) break;
    std::string_view rest = std::string_view(rows[0].path).substr(prefix.size());
    size_t separator = rest.find(kVersionSeparator);
    after = past(rest.substr(0, separator));
    if (separator != std::string_view::npos) continue;  // versions of a deleted name
    KH_ASSIGN_OR_RETURN(ObjectHead head, HeadFromBytes(rows[0].plaintext));
    out.push_back(std::move(head));
  }
  return out;
}

StatusOr<std::vector<VersionRecord>> VersionedObjects::Versions(const barrier::ScopeKey& key,
                                                                std::string_view vault,
                                                                std::string_view name,
                                                                std::string_view start_after,
                                                                size_t limit) {
  std::string prefix = VersionPrefix(vault, name);
  std::string after = start_after.empty() ? "" : prefix + std::string(start_after);
  KH_ASSIGN_OR_RETURN(auto rows, barrier_->Scan(key, prefix, after, limit));
  std::vector<VersionRecord> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(row.plaintext.Reveal()));
    out.push_back(VersionRecord{row.path.substr(prefix.size()), std::move(f)});
  }
  return out;
}

Status VersionedObjects::PutVersion(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                                    std::string_view vault, std::string_view name,
                                    std::string_view version, const Fields& fields) {
  return barrier_->Write(key, batch, VersionPath(vault, name, version), fields.Encode());
}

Status VersionedObjects::PutLiveHead(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                                     std::string_view vault, const ObjectHead& head) {
  ObjectHead live = head;
  live.deleted.reset();
  return barrier_->Write(key, batch, LivePath(vault, head.name), HeadToFields(live).Encode());
}

Status VersionedObjects::PutDeletedHead(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                                        std::string_view vault, const ObjectHead& head) {
  return barrier_->Write(key, batch, DeletedPath(vault, head.name), HeadToFields(head).Encode());
}

void VersionedObjects::DeleteLiveHead(storage::WriteBatch& batch, std::string_view vault,
                                      std::string_view name) {
  batch.Delete(LivePath(vault, name));
}

void VersionedObjects::DeleteDeletedHead(storage::WriteBatch& batch, std::string_view vault,
                                         std::string_view name) {
  batch.Delete(DeletedPath(vault, name));
}

Status VersionedObjects::DeleteAllVersions(storage::WriteBatch& batch, std::string_view vault,
                                           std::string_view name) {
  std::string prefix = VersionPrefix(vault, name);
  KH_ASSIGN_OR_RETURN(auto rows, barrier_->store().Scan(prefix, "", 0));
  for (const auto& row : rows) batch.Delete(row.key);
  return Status::Ok();
}

size_t NameLocks::StripeOf(std::string_view vault, std::string_view name) const {
  return std::hash<std::string>{}(Lower(vault) + "/" + Lower(name)) % stripes_.size();
}

NameLocks::Held NameLocks::Lock(std::string_view vault, std::string_view name) {
  size_t i = StripeOf(vault, name);
  std::unique_lock lock(stripes_[i].mu);
  stripes_[i].cv.wait(lock, [&] { return !stripes_[i].busy; });
  stripes_[i].busy = true;
  return Held(this, i);
}

std::optional<NameLocks::Held> NameLocks::TryLock(std::string_view vault, std::string_view name) {
  size_t i = StripeOf(vault, name);
  std::lock_guard lock(stripes_[i].mu);
  if (stripes_[i].busy) return std::nullopt;
  stripes_[i].busy = true;
  return Held(this, i);
}

NameLocks::Held& NameLocks::Held::operator=(Held&& other) noexcept {
  if (this != &other) {
    Release();
    locks_ = other.locks_;
    stripe_ = other.stripe_;
    other.locks_ = nullptr;
  }
  return *this;
}

void NameLocks::Held::Release() {
  if (!locks_) return;
  Stripe& stripe = locks_->stripes_[stripe_];
  {
    std::lock_guard lock(stripe.mu);
    stripe.busy = false;
  }
  stripe.cv.notify_one();
  locks_ = nullptr;
}

}  // namespace kh::domain
