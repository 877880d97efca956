#pragma once
// VersionedObjects: storage layout shared by secrets, keys and certificates of one vault.
//
//   v/{vault}/{collection}/o/{name}               live head: name as created + latest version
//   v/{vault}/{collection}/o/{name}\x01{ver}      one version's record (Fields)
//   v/{vault}/{collection}/deleted/{name}         head of a soft-deleted name (+ deletion dates)
//
// A version sorts right after its head ('\x01' is below every name character), so a new
// version and the head that points at it usually land in the same B-tree page: one page
// written per set, not two.
// Names in paths are lower-cased (Azure names are case-insensitive). Every record is sealed by
// the barrier under the vault's key. Writers serialize per name with NameLocks; this class only
// reads and builds batches, it never commits.
#include <array>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "barrier/barrier.h"
#include "core/fields.h"
#include "domain/secret.h"

namespace kh::domain {

struct ObjectHead {
  std::string name;
  std::string latest_version;
  std::optional<DeletedInfo> deleted;
  // The object backs a certificate (its key or secret): changed only through the certificate.
  bool managed = false;
};

// Who changes an object: its own API, or the certificate it backs (which alone may change a
// managed key or secret).
enum class ObjectAccess { kDirect, kByCertificate };

struct VersionRecord {
  std::string version;
  Fields fields;
};

class VersionedObjects {
 public:
  VersionedObjects(barrier::Barrier* barrier, std::string collection);

  StatusOr<std::optional<ObjectHead>> LiveHead(const barrier::ScopeKey& key, std::string_view vault,
                                               std::string_view name);
  StatusOr<std::optional<ObjectHead>> DeletedHead(const barrier::ScopeKey& key,
                                                  std::string_view vault, std::string_view name);
  StatusOr<std::optional<Fields>> Version(const barrier::ScopeKey& key, std::string_view vault,
                                          std::string_view name, std::string_view version);
  // Heads in name order after `start_after` (a lower-cased name), at most `limit`.
  StatusOr<std::vector<ObjectHead>> Heads(const barrier::ScopeKey& key, std::string_view vault,
                                          bool deleted, std::string_view start_after, size_t limit);
  StatusOr<std::vector<VersionRecord>> Versions(const barrier::ScopeKey& key,
                                                std::string_view vault, std::string_view name,
                                                std::string_view start_after, size_t limit);

  Status PutVersion(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                    std::string_view vault, std::string_view name, std::string_view version,
                    const Fields& fields);
  Status PutLiveHead(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                     std::string_view vault, const ObjectHead& head);
  Status PutDeletedHead(const barrier::ScopeKey& key, storage::WriteBatch& batch,
                        std::string_view vault, const ObjectHead& head);
  void DeleteLiveHead(storage::WriteBatch& batch, std::string_view vault, std::string_view name);
  void DeleteDeletedHead(storage::WriteBatch& batch, std::string_view vault, std::string_view name);
  // Adds deletes for every stored version of `name`.
  Status DeleteAllVersions(storage::WriteBatch& batch, std::string_view vault,
                           std::string_view name);

  std::string LivePath(std::string_view vault, std::string_view name) const;
  std::string DeletedPath(std::string_view vault, std::string_view name) const;
  std::string VersionPath(std::string_view vault, std::string_view name,
                          std::string_view version) const;
  const std::string& collection() const { return collection_; }

  // Between an object's name and its version in a version record's path (whole-vault backups
  // tell version records from heads by it).
  static constexpr char kVersionSeparator = '\x01';

 private:
  std::string Prefix(std::string_view vault, std::string_view part) const;
  std::string VersionPrefix(std::string_view vault, std::string_view name) const;

  barrier::Barrier* barrier_;
  std::string collection_;
};

// Striped locks: writers of one (vault, name) serialize; different names rarely contend.
// A held lock may be released from another thread (an asynchronous write releases it when its
// commit completes), which std::mutex does not allow.
class NameLocks {
 public:
  class Held {
   public:
    Held() = default;
    Held(Held&& other) noexcept : locks_(other.locks_), stripe_(other.stripe_) {
      other.locks_ = nullptr;
    }
    Held& operator=(Held&& other) noexcept;
    ~Held() { Release(); }
    void Release();

   private:
    friend class NameLocks;
    Held(NameLocks* locks, size_t stripe) : locks_(locks), stripe_(stripe) {}
    NameLocks* locks_ = nullptr;
    size_t stripe_ = 0;
  };

  Held Lock(std::string_view vault, std::string_view name);  // blocks
  std::optional<Held> TryLock(std::string_view vault, std::string_view name);

 private:
  struct Stripe {
    std::mutex mu;
    std::condition_variable cv;
    bool busy = false;
  };
  size_t StripeOf(std::string_view vault, std::string_view name) const;
  std::array<Stripe, 256> stripes_;
};

}  // namespace kh::domain
