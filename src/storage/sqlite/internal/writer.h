#pragma once
// Writer: the single writing connection of a SQLite store, with its cached statements. It
// creates/validates the schema on open and applies a group of batches as one transaction.
// Not thread-safe: exactly one thread (the store's committer) may use it at a time.
#include <memory>
#include <span>
#include <string>

#include "core/status.h"
#include "core/status_or.h"
#include "storage/sqlite/internal/sqlite_handle.h"
#include "storage/write_batch.h"

namespace kh::storage::internal {

inline constexpr int kSchemaVersion = 1;
// After a checkpoint the WAL file is truncated back to at most this size.
inline constexpr int kJournalSizeLimitBytes = 64 * 1024 * 1024;

class Writer {
 public:
  // Opens or creates the database at `path`: WAL, synchronous=FULL, the kv table.
  static StatusOr<std::unique_ptr<Writer>> Open(const std::string& path, int busy_timeout_ms);

  // Applies `batches` in order inside one BEGIN IMMEDIATE ... COMMIT (one fsync). Each batch is
  // judged on its own preconditions, which see the batches before it; results[i] receives batch
  // i's outcome (OK or PreconditionFailedError). Any SQLite error while applying ops fails the
  // transaction as a whole: then nothing was committed, the return value is non-OK and
  // `results` must be disregarded.
  Status CommitGroup(std::span<const WriteBatch* const> batches, std::span<Status> results);

 private:
  Writer() = default;
  Status Prepare();
  // Applies one batch within the open transaction. A failed precondition leaves the transaction
  // untouched; a failed op sets `transaction_usable` to false.
  Status ApplyBatch(const WriteBatch& batch, bool& transaction_usable);
  Status CheckPreconditions(const WriteBatch& batch);
  Status ApplyOps(const WriteBatch& batch);
  void RollbackTransaction();

  Connection connection_;
  Statement begin_, commit_, rollback_;
  Statement get_, put_, delete_;
};

}  // namespace kh::storage::internal
