#pragma once
// Store: an ordered, durable map from byte-string keys to byte-string values. Storage knows
// nothing of HTTP, JSON or encryption; keys are paths such as
// "v/<vault>/secrets/<name>/versions/<ver>" and values are ciphertext made by the barrier above.
//
// Contract shared by every implementation (checked by store_conformance_test.cc):
// - Thread safety: every method may be called concurrently from any number of threads.
// - Ordering: keys compare bytewise as unsigned bytes (memcmp, then shorter first).
// - Commit is atomic (all ops of a batch or none) and, for durable stores, acknowledged only
//   after the batch is on stable storage. Concurrent commits may share one transaction and one
//   fsync (group commit); each batch is still judged on its own preconditions.
// - Errors: kConflict with inner code "PreconditionFailed" when a precondition does not hold
//   (nothing applied); kTooLarge for keys/values over the limits below; kUnavailable when the
//   backend is busy, out of space or shutting down; kInternal for anything else. Messages never
//   contain keys or values.
// - Ownership: a Store owns its connections and threads; destroy it only after every call on it
//   has returned.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/status_or.h"
#include "storage/write_batch.h"

namespace kh::storage {

// Limits enforced by every Store on each op and precondition of a batch.
inline constexpr size_t kMaxKeyBytes = 4096;
inline constexpr size_t kMaxValueBytes = 32 * 1024 * 1024;

inline constexpr char kPreconditionFailed[] = "PreconditionFailed";

struct KeyValue {
  std::string key;
  std::string value;

  bool operator==(const KeyValue&) const = default;
};

struct StoreStats {
  uint64_t commits = 0;       // batches that reached the backend (succeeded or not)
  uint64_t transactions = 0;  // backend transactions committed; < commits proves group commit
};

class Store {
 public:
  virtual ~Store() = default;

  // The value stored under `key`, or nullopt if there is none.
  virtual StatusOr<std::optional<std::string>> Get(std::string_view key) = 0;

  // Keys starting with `prefix` and strictly greater than `start_after` (ignored if empty), in
  // ascending bytewise order, at most `limit` of them (0 = no limit). One consistent snapshot.
  virtual StatusOr<std::vector<KeyValue>> Scan(std::string_view prefix,
                                               std::string_view start_after, size_t limit) = 0;

  // Applies every op of `batch` atomically iff all its preconditions hold; otherwise applies
  // nothing and returns PreconditionFailedError(). On OK the batch is durable. An empty batch
  // is OK and does nothing.
  virtual Status Commit(const WriteBatch& batch) = 0;

  // The same, without blocking the caller: `done` runs once the outcome is known (on the
  // committing thread, or inline), and must be quick and must not call back into the store.
  // The default commits synchronously and then calls `done`.
  virtual void CommitAsync(WriteBatch batch, std::function<void(Status)> done) {
    done(Commit(batch));
  }

  virtual StoreStats Stats() const = 0;
};

// Status(kConflict, "Conflict", "...", "PreconditionFailed").
Status PreconditionFailedError();
bool IsPreconditionFailed(const Status& status);

// Checks a batch against kMaxKeyBytes / kMaxValueBytes. Used by implementations.
Status ValidateBatch(const WriteBatch& batch);

}  // namespace kh::storage
