#pragma once
// Checkpointer: moves committed WAL frames into the database file on its own thread and
// connection, so the committer thread (and every writer waiting on it) never stalls on a
// checkpoint. The committer's own auto-checkpoint stays on, at a much larger size, only as a
// safety net for a checkpointer that falls behind (for example behind a long read).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status_or.h"
#include "storage/sqlite/internal/sqlite_handle.h"

namespace kh::storage::internal {

// WAL pages after which the committer checkpoints by itself (the safety net).
constexpr int kCommitterAutoCheckpointPages = 16384;
// How often the checkpointer runs a PASSIVE checkpoint when poked or idle.
constexpr int kCheckpointIntervalMs = 200;

class Checkpointer {
 public:
  static StatusOr<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                       int busy_timeout_ms);
  ~Checkpointer();  // stops the thread after one last checkpoint

 private:
  Checkpointer() = default;
  void Run();

  Connection connection_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kh::storage::internal
