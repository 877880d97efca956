#include "storage/sqlite/internal/read_pool.h"

#include <algorithm>

namespace kh::storage::internal {
namespace {

constexpr char kGetSql[] = "SELECT value FROM kv WHERE key = ?1";
constexpr char kScanBoundedSql[] =
    "SELECT key, value FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3";
constexpr char kScanUnboundedSql[] =
    "SELECT key, value FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?2";

}  // namespace

class ReadPool::Lease {
 public:
  explicit Lease(ReadPool& pool) : pool_(pool), reader_(pool.Acquire()) {}
  ~Lease() { pool_.Release(reader_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Reader* operator->() const { return reader_; }

 private:
  ReadPool& pool_;
  Reader* reader_;
};

StatusOr<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path, size_t connections,
                                                   int busy_timeout_ms) {
  std::unique_ptr<ReadPool> pool(new ReadPool());
  for (size_t i = 0; i < std::max<size_t>(connections, 1); ++i) {
    auto reader = std::make_unique<Reader>();
    KH_ASSIGN_OR_RETURN(reader->connection,
                        Connection::Open(path, Connection::Mode::kReader, busy_timeout_ms));
    sqlite3* db = reader->connection.get();
    KH_ASSIGN_OR_RETURN(reader->get, Statement::Prepare(db, kGetSql, "get"));
    KH_ASSIGN_OR_RETURN(reader->scan_bounded, Statement::Prepare(db, kScanBoundedSql, "scan"));
    KH_ASSIGN_OR_RETURN(reader->scan_unbounded, Statement::Prepare(db, kScanUnboundedSql, "scan"));
    pool->free_.push_back(reader.get());
    pool->readers_.push_back(std::move(reader));
  }
  return pool;
}

ReadPool::Reader* ReadPool::Acquire() {
  std::unique_lock lock(mu_);
  available_.wait(lock, [this] { return !free_.empty(); });
  Reader* reader = free_.back();
  free_.pop_back();
  return reader;
}

void ReadPool::Release(Reader* reader) {
  {
    std::lock_guard lock(mu_);
    free_.push_back(reader);
  }
  available_.notify_one();
}

StatusOr<std::optional<std::string>> ReadPool::Get(std::string_view key) {
  Lease reader(*this);
  Statement& get = reader->get;
  ResetOnExit reset(get);
  KH_RETURN_IF_ERROR(get.BindBlob(1, key));
  KH_ASSIGN_OR_RETURN(bool row, get.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(get.ColumnBlob(0));
}

StatusOr<std::vector<KeyValue>> ReadPool::Scan(const ScanRange& range, size_t limit) {
  std::vector<KeyValue> out;
  if (range.empty) return out;
  // SQLite treats a negative LIMIT as "no limit".
  int64_t sql_limit = limit == 0 ? -1 : static_cast<int64_t>(limit);
  Lease reader(*this);
  Statement& scan = range.upper ? reader->scan_bounded : reader->scan_unbounded;
  ResetOnExit reset(scan);
  KH_RETURN_IF_ERROR(scan.BindBlob(1, range.lower));
  if (range.upper) {
    KH_RETURN_IF_ERROR(scan.BindBlob(2, *range.upper));
    KH_RETURN_IF_ERROR(scan.BindInt64(3, sql_limit));
  } else {
    KH_RETURN_IF_ERROR(scan.BindInt64(2, sql_limit));
  }
  while (true) {
    KH_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) break;
    out.push_back(KeyValue{scan.ColumnBlob(0), scan.ColumnBlob(1)});
  }
  return out;
}

}  // namespace kh::storage::internal
