#pragma once
// ReadPool: a fixed set of read-only WAL connections, each with its own cached prepared
// statements, lent to one caller at a time. Get/Scan are thread-safe; a caller blocks while all
// connections are in use. Each call runs as one SQLite statement, so it sees one consistent
// committed snapshot. Errors: SqliteError statuses (kUnavailable/kInternal).
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status_or.h"
#include "storage/internal/scan_range.h"
#include "storage/sqlite/internal/sqlite_handle.h"
#include "storage/store.h"

namespace kh::storage::internal {

class ReadPool {
 public:
  // The database at `path` must already exist with its schema (the writer creates it).
  static StatusOr<std::unique_ptr<ReadPool>> Open(const std::string& path, size_t connections,
                                                  int busy_timeout_ms);

  StatusOr<std::optional<std::string>> Get(std::string_view key);
  StatusOr<std::vector<KeyValue>> Scan(const ScanRange& range, size_t limit);

 private:
  struct Reader {
    Connection connection;
    Statement get;
    Statement scan_bounded;    // lower <= key < upper
    Statement scan_unbounded;  // lower <= key
  };
  class Lease;

  ReadPool() = default;
  Reader* Acquire();
  void Release(Reader* reader);

  std::vector<std::unique_ptr<Reader>> readers_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<Reader*> free_;  // guarded by mu_
};

}  // namespace kh::storage::internal
