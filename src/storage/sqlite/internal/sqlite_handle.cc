#include "storage/sqlite/internal/sqlite_handle.h"

#include <sqlite3.h>

#include <climits>
#include <utility>

namespace kh::storage::internal {

Status SqliteError(int rc, std::string_view operation) {
  std::string message = "storage: ";
  message.append(operation);
  message += " failed: ";
  message += sqlite3_errstr(rc);  // generic text for the code; never contains data
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return Unavailable(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

// --- Statement ---------------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), operation_(other.operation_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    operation_ = other.operation_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

StatusOr<Statement> Statement::Prepare(sqlite3* db, std::string_view sql, const char* operation) {
  Statement statement;
  statement.operation_ = operation;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &statement.stmt_, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, operation);
  return statement;
}

Status Statement::BindBlob(int index, std::string_view bytes) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return TooLarge("storage: value too large");
  // A null pointer would bind SQL NULL; an empty blob needs a non-null one.
  const char* data = bytes.data() != nullptr ? bytes.data() : "";
  int rc = sqlite3_bind_blob(stmt_, index, data, static_cast<int>(bytes.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) return SqliteError(rc, operation_);
  return Status::Ok();
}

Status Statement::BindInt64(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) return SqliteError(rc, operation_);
  return Status::Ok();
}

StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, operation_);
}

Status Statement::Run() {
  ResetOnExit reset(*this);
  while (true) {
    KH_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string_view Statement::ColumnView(int column) const {
  // Per the SQLite docs: fetch the pointer first, then the size.
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return std::string_view();
  return std::string_view(static_cast<const char*>(data), static_cast<size_t>(size));
}

void Statement::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);  // returns the last step's error, already reported by Step()
  sqlite3_clear_bindings(stmt_);
}

// --- Connection --------------------------------------------------------------------------------

Connection::Connection(Connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

// Statements are finalized by their owners first; close_v2 defers if any are left.
Connection::~Connection() { sqlite3_close_v2(db_); }

StatusOr<Connection> Connection::Open(const std::string& path, Mode mode, int busy_timeout_ms) {
  // NOMUTEX (one thread per connection at a time) still needs a library built thread-safe.
  if (sqlite3_threadsafe() == 0) return Internal("storage: SQLite was built without threads");
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == Mode::kWriter) flags |= SQLITE_OPEN_CREATE;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  Connection connection(db);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) return SqliteError(rc, "open database");
  sqlite3_extended_result_codes(db, 1);
  rc = sqlite3_busy_timeout(db, busy_timeout_ms);
  if (rc != SQLITE_OK) return SqliteError(rc, "set busy timeout");
  if (mode == Mode::kReader) {
    KH_RETURN_IF_ERROR(connection.Exec("PRAGMA query_only=1", "set query_only"));
  }
  return connection;
}

Status Connection::Exec(const char* sql, const char* operation) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, operation);
  return Status::Ok();
}

StatusOr<std::string> Connection::QueryText(const char* sql, const char* operation) {
  KH_ASSIGN_OR_RETURN(Statement statement, Statement::Prepare(db_, sql, operation));
  ResetOnExit reset(statement);
  KH_ASSIGN_OR_RETURN(bool row, statement.Step());
  if (!row) return std::string();
  return statement.ColumnBlob(0);
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace kh::storage::internal
