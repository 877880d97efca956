#pragma once
// RAII wrappers over sqlite3 and sqlite3_stmt, private to storage/sqlite. A Connection or
// Statement is used by one thread at a time (connections are opened SQLITE_OPEN_NOMUTEX); the
// owner provides that exclusion. All values reach SQLite through bound parameters, never SQL
// text. Errors become kh::Status via SqliteError: messages carry the operation name and
// SQLite's generic error text, never keys or values.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/status_or.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kh::storage::internal {

// kUnavailable for busy/locked/full/I-O errors (retryable or operator-fixable), else kInternal.
Status SqliteError(int rc, std::string_view operation);

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // `sql` is trusted program text; `operation` names the statement in error messages.
  static StatusOr<Statement> Prepare(sqlite3* db, std::string_view sql, const char* operation);

  // Binds bytes as a BLOB (so comparisons are bytewise). The bytes are not copied: they must
  // stay alive until Reset().
  Status BindBlob(int index, std::string_view bytes);
  Status BindInt64(int index, int64_t value);
  // Advances one row: true if a row is available, false when done.
  StatusOr<bool> Step();
  // Steps to completion, for statements whose rows (if any) are not needed, then resets.
  Status Run();
  // Column bytes of the current row; the view is valid until the next Step() or Reset().
  std::string_view ColumnView(int column) const;
  std::string ColumnBlob(int column) const { return std::string(ColumnView(column)); }
  // Resets and clears bindings; ends the statement's implicit read transaction.
  void Reset();

 private:
  sqlite3_stmt* stmt_ = nullptr;
  const char* operation_ = "";
};

// Resets a statement when leaving scope, so no statement keeps a snapshot or binding alive.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ~ResetOnExit() { statement_.Reset(); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  Statement& statement_;
};

class Connection {
 public:
  enum class Mode { kWriter, kReader };

  Connection() = default;
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  ~Connection();

  // kWriter creates the file if missing; kReader requires it and sets query_only. Both wait up
  // to `busy_timeout_ms` for locks held by other connections before failing with kUnavailable.
  static StatusOr<Connection> Open(const std::string& path, Mode mode, int busy_timeout_ms);

  // Runs trusted SQL (pragmas, DDL) with no parameters.
  Status Exec(const char* sql, const char* operation);
  // Runs trusted SQL and returns the first column of the first row as text ("" if no row).
  StatusOr<std::string> QueryText(const char* sql, const char* operation);
  bool InTransaction() const;
  sqlite3* get() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace kh::storage::internal
