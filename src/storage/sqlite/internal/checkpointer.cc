#include "storage/sqlite/internal/checkpointer.h"

#include <sqlite3.h>

#include <exception>

namespace kh::storage::internal {

StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& path,
                                                            int busy_timeout_ms) {
  std::unique_ptr<Checkpointer> c(new Checkpointer());
  KH_ASSIGN_OR_RETURN(c->connection_,
                      Connection::Open(path, Connection::Mode::kWriter, busy_timeout_ms));
  // The checkpoint's fsync of the database file is what makes the WAL frames safe to reuse.
  KH_RETURN_IF_ERROR(c->connection_.Exec("PRAGMA synchronous=FULL", "set synchronous"));
  try {
    c->thread_ = std::thread([raw = c.get()] { raw->Run(); });
  } catch (const std::exception&) {
    return Internal("storage: cannot start the checkpoint thread");
  }
  return c;
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    bool last = stopping_;
    lock.unlock();
    // PASSIVE never blocks the writer or readers; what it cannot copy now it copies next time.
    sqlite3_wal_checkpoint_v2(connection_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
    lock.lock();
    if (last) return;
    wake_.wait_for(lock, std::chrono::milliseconds(kCheckpointIntervalMs),
                   [this] { return stopping_; });
  }
}

}  // namespace kh::storage::internal
