#pragma once
// SQLite implementation of Store: one WAL database file holding
// kv(key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID, with synchronous=FULL.
//
// - Reads (Get/Scan) use a pool of `read_connections` WAL reader connections and never wait for
//   writes.
// - Writes are group-committed: Commit() queues the batch and blocks; a single committer thread
//   owning the only writing connection takes up to `max_batches_per_transaction` queued batches,
//   applies each inside its own savepoint within one BEGIN IMMEDIATE transaction, commits once
//   (one fsync), then wakes each caller with its own result. If the shared transaction fails,
//   every caller of that group gets the error and none of its batches is applied.
// - Thread safety: all Store methods are thread-safe. The destructor drains queued commits, stops
//   the committer and closes every connection; no call may be in progress or start after it.
// - Errors: OpenSqliteStore returns kUnavailable/kInternal if the file cannot be opened, is not a
//   Keyhaven database, or cannot use WAL. Runtime errors follow the Store contract (busy, full
//   and I/O errors are kUnavailable). Several processes may open one file; SQLite's locks
//   (busy_timeout) serialize their writers.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/status_or.h"
#include "storage/store.h"

namespace kh::storage {

struct SqliteOptions {
  std::string path;  // database file; its directory must exist
  size_t read_connections = 4;
  size_t max_batches_per_transaction = 256;
  // How long to wait for a lock held by another process before failing with kUnavailable.
  int busy_timeout_ms = 5000;
  // Testing only. If set, the committer starts a group only once this returns true for the
  // current queue length; it is re-evaluated after every enqueue and ignored during shutdown.
  // Called on the committer thread with the queue lock held: it must not call the store.
  std::function<bool(size_t queued)> hold_group_until_for_testing;
};

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace kh::storage
