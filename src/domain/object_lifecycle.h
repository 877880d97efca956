#pragma once
// ObjectLifecycle: the kind-independent life of a vault object after it is written — soft
// delete, get/list deleted, recover, purge (honouring purge protection), scheduled purge, and
// backup/restore of every version. Secrets, keys and (next) certificates differ only in their
// collection, wording, backup magic/AAD and how a version's Fields decode, so the services keep
// those and delegate the rest here, keeping error texts and on-disk/backup formats identical.
// Decoding is left to callbacks that run at the point the services used to read, under the
// same name lock and before anything is written.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "domain/vault.h"
#include "domain/versioned_objects.h"

namespace kh::domain {

struct ObjectKind {
  std::string_view noun;          // "Secret": name validation and capitalised wording
  std::string_view kind;          // "secret": messages, purge schedule, backup "kind"
  std::string_view not_found;     // error code, e.g. "SecretNotFound"
  std::string_view backup_magic;  // prefix of a backup blob
  std::string_view backup_aad;    // AAD the backup is sealed under
};

class ObjectLifecycle {
 public:
  // Reads whatever the caller needs of `head` (its latest version) under `key`.
  using Read = std::function<Status(const barrier::ScopeKey& key, const ObjectHead& head)>;
  // Removes a deleted object for good (the service's purge, with its own extras).
  using Remove = std::function<Status(const barrier::ScopeKey& key, std::string_view vault_name,
                                      const ObjectHead& head)>;
  // Decodes a restored latest version before the restore commits.
  using Restored = std::function<Status(const ObjectHead& head, const Fields& fields)>;
  // Rewrites one version's record on its way into a backup blob or out of one (keys put token
  // references for HSM material there); may be empty.
  using Rewrite = std::function<Status(Fields& fields)>;

  ObjectLifecycle(barrier::Barrier* barrier, const Clock* clock, VersionedObjects* objects,
                  NameLocks* locks, ObjectKind kind);

  Status NotFoundError(std::string_view name, std::string_view version = {}) const;
  Status DeletedNotFound(std::string_view name) const;
  Status CheckNameFree(const barrier::ScopeKey& key, std::string_view vault, std::string_view name);
  // For a certificate's key or secret: Ok when `name` is absent or managed (backs the
  // certificate of that name); else Conflict.
  Status CheckFreeForCertificate(const Vault& vault, std::string_view name);
  // Locks `name`, checks it as above, and adds version `version` as the managed latest to
  // `batch`, with the record `make` returns for the name as first created. Returns the lock, to
  // hold until the caller has committed `batch`.
  using MakeRecord = std::function<Fields(const std::string& stored_name)>;
  StatusOr<NameLocks::Held> PutManagedVersion(const Vault& vault, std::string_view name,
                                              std::string_view version, const MakeRecord& make,
                                              storage::WriteBatch& batch);
  // Locks `name` and adds to `batch` version `version` of a managed object with enabled and
  // updated set (a certificate enabled or disabled with its key and secret). Returns the lock, to
  // hold until the caller has committed; NotFound when there is no such version.
  StatusOr<NameLocks::Held> PutManagedEnabled(const Vault& vault, std::string_view name,
                                              std::string_view version, bool enabled, int64_t now,
                                              storage::WriteBatch& batch);
  // 403 when a direct caller tries `operation` on a managed object (one backing a certificate).
  Status CheckAccess(const ObjectHead& head, ObjectAccess access, std::string_view operation) const;

  // Each returns the head it acted on after `read` succeeded.
  StatusOr<ObjectHead> Delete(const Vault& vault, std::string_view name, const Read& read);
  Status GetDeleted(const Vault& vault, std::string_view name, const Read& read);
  // `read` runs for each deleted head of the page; returns the next marker, if any.
  StatusOr<std::optional<std::string>> ListDeleted(const Vault& vault, std::string_view marker,
                                                   size_t max, const Read& read);
  Status Recover(const Vault& vault, std::string_view name, const Read& read);
  Status Purge(const Vault& vault, std::string_view name, const Remove& remove);
  Status PurgeIfDue(std::string_view vault_name, std::string_view name, int64_t now,
                    const Remove& remove);
  // Deletes every version, the deleted head and its schedule entry; `extra` adds to the batch.
  Status RemoveDeleted(std::string_view vault_name, const ObjectHead& head,
                       const std::function<void(storage::WriteBatch&)>& extra = {});

  // Takes a just-restored object out again (every version and its live head), for a restore of
  // several objects that failed part-way.
  Status RemoveLive(std::string_view vault_name, std::string_view name);

  StatusOr<std::string> Backup(const Vault& vault, std::string_view name,
                               const Rewrite& rewrite = {});
  Status Restore(const Vault& vault, std::string_view blob, const Restored& latest,
                 const Rewrite& rewrite = {});

 private:
  StatusOr<std::shared_ptr<const barrier::ScopeKey>> KeyFor(const Vault& vault);

  barrier::Barrier* barrier_;
  const Clock* clock_;
  VersionedObjects* objects_;
  NameLocks* locks_;
  ObjectKind kind_;
};

}  // namespace kh::domain
