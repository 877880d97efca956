#include "storage/sqlite/internal/writer.h"

#include <charconv>
#include <string>

#include "storage/sqlite/internal/checkpointer.h"
#include "storage/store.h"

namespace kh::storage::internal {

StatusOr<std::unique_ptr<Writer>> Writer::Open(const std::string& path, int busy_timeout_ms) {
  std::unique_ptr<Writer> writer(new Writer());
  KH_ASSIGN_OR_RETURN(writer->connection_,
                      Connection::Open(path, Connection::Mode::kWriter, busy_timeout_ms));
  Connection& db = writer->connection_;
  KH_ASSIGN_OR_RETURN(std::string mode, db.QueryText("PRAGMA journal_mode=WAL", "enable WAL"));
  if (mode != "wal") return Internal("storage: the database cannot use WAL journal mode");
  // Temporary structures (sorters, any statement journal) stay in memory, never in temp files.
  KH_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY", "set temp_store"));
  // Keep the B-tree pages the committer touches in its own cache rather than re-reading them
  // from the OS on every transaction.
  KH_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size=-65536", "set cache_size"));
  // synchronous is per connection; only this one writes, so only it needs FULL.
  KH_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL", "set synchronous"));
  std::string size_limit = "PRAGMA journal_size_limit=" + std::to_string(kJournalSizeLimitBytes);
  KH_RETURN_IF_ERROR(db.Exec(size_limit.c_str(), "set journal_size_limit"));
  // Checkpoints normally run on the Checkpointer's thread; this is only the safety net.
  std::string autocheckpoint =
      "PRAGMA wal_autocheckpoint=" + std::to_string(kCommitterAutoCheckpointPages);
  KH_RETURN_IF_ERROR(db.Exec(autocheckpoint.c_str(), "set wal_autocheckpoint"));

  KH_ASSIGN_OR_RETURN(std::string version, db.QueryText("PRAGMA user_version", "read version"));
  int version_number = 0;
  std::from_chars(version.data(), version.data() + version.size(), version_number);
  if (version_number > kSchemaVersion) {
    return Internal("storage: the database was written by a newer version of Keyhaven");
  }
  KH_RETURN_IF_ERROR(db.Exec(
      "BEGIN IMMEDIATE;"
      "CREATE TABLE IF NOT EXISTS kv(key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
      "PRAGMA user_version=1;"
      "COMMIT;",
      "create schema"));
  static_assert(kSchemaVersion == 1, "update the schema statement above");
  KH_RETURN_IF_ERROR(writer->Prepare());
  return writer;
}

Status Writer::Prepare() {
  sqlite3* db = connection_.get();
  KH_ASSIGN_OR_RETURN(begin_, Statement::Prepare(db, "BEGIN IMMEDIATE", "begin transaction"));
  KH_ASSIGN_OR_RETURN(commit_, Statement::Prepare(db, "COMMIT", "commit"));
  KH_ASSIGN_OR_RETURN(rollback_, Statement::Prepare(db, "ROLLBACK", "rollback"));
  KH_ASSIGN_OR_RETURN(
      get_, Statement::Prepare(db, "SELECT value FROM kv WHERE key = ?1", "check precondition"));
  KH_ASSIGN_OR_RETURN(put_, Statement::Prepare(db,
                                               "INSERT INTO kv(key, value) VALUES(?1, ?2) "
                                               "ON CONFLICT(key) DO UPDATE SET value = ?2",
                                               "put"));
  KH_ASSIGN_OR_RETURN(delete_, Statement::Prepare(db, "DELETE FROM kv WHERE key = ?1", "delete"));
  return Status::Ok();
}

Status Writer::CommitGroup(std::span<const WriteBatch* const> batches, std::span<Status> results) {
  KH_RETURN_IF_ERROR(begin_.Run());
  for (size_t i = 0; i < batches.size(); ++i) {
    bool transaction_usable = true;
    results[i] = ApplyBatch(*batches[i], transaction_usable);
    // Some errors (e.g. SQLITE_FULL, or a failed ROLLBACK TO) end or poison the whole
    // transaction; then no batch of the group may be acknowledged.
    if (!transaction_usable || !connection_.InTransaction()) {
      RollbackTransaction();
      return results[i].ok() ? Internal("storage: transaction aborted") : results[i];
    }
  }
  Status committed = commit_.Run();
  if (!committed.ok()) {
    RollbackTransaction();
    return committed;
  }
  return Status::Ok();
}

Status Writer::ApplyBatch(const WriteBatch& batch, bool& transaction_usable) {
  // Preconditions only read, so a failure needs no rollback.
  KH_RETURN_IF_ERROR(CheckPreconditions(batch));
  // No savepoint per batch: its undo journal costs a page copy per touched page, and ops can
  // only fail for reasons that doom the whole transaction anyway (disk full, I/O error, a
  // batch ValidateBatch let through). Then the group rolls back and no batch is acknowledged.
  Status applied = ApplyOps(batch);
  if (!applied.ok()) transaction_usable = false;
  return applied;
}

Status Writer::CheckPreconditions(const WriteBatch& batch) {
  for (const WriteBatch::Precondition& pre : batch.preconditions) {
    ResetOnExit reset(get_);
    KH_RETURN_IF_ERROR(get_.BindBlob(1, pre.key));
    KH_ASSIGN_OR_RETURN(bool exists, get_.Step());
    bool holds = pre.value ? (exists && get_.ColumnView(0) == *pre.value) : !exists;
    if (!holds) return PreconditionFailedError();
  }
  return Status::Ok();
}

Status Writer::ApplyOps(const WriteBatch& batch) {
  for (const WriteBatch::Op& op : batch.ops) {
    if (op.type == WriteBatch::OpType::kPut) {
      ResetOnExit reset(put_);
      KH_RETURN_IF_ERROR(put_.BindBlob(1, op.key));
      KH_RETURN_IF_ERROR(put_.BindBlob(2, op.value));
      KH_RETURN_IF_ERROR(put_.Run());
    } else {
      ResetOnExit reset(delete_);
      KH_RETURN_IF_ERROR(delete_.BindBlob(1, op.key));
      KH_RETURN_IF_ERROR(delete_.Run());
    }
  }
  return Status::Ok();
}

void Writer::RollbackTransaction() {
  if (connection_.InTransaction()) rollback_.Run().IgnoreError();
}

}  // namespace kh::storage::internal
