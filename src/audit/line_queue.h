#pragma once
// A bounded queue of lines with its own sender thread, the part every audit forwarder shares:
// Forward() appends, the thread hands batches to `send` and retries a failed batch with
// exponential backoff (1 s doubling to 60 s); beyond `max_lines` the oldest lines go (counted).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_forwarder.h"
#include "core/status.h"

namespace kh::audit {

class LineQueue {
 public:
  // `send` gets up to `batch` lines and returns whether all were delivered.
  LineQueue(std::string name, size_t max_lines, size_t batch,
            std::function<Status(const std::vector<std::string>&)> send,
            std::chrono::milliseconds first_backoff = std::chrono::seconds(1));
  ~LineQueue();  // tries what is queued once more, then stops

  void Push(std::string_view lines);
  ForwarderHealth Health() const;

 private:
  void Run();

  const std::string name_;
  const size_t max_lines_, batch_;
  const std::function<Status(const std::vector<std::string>&)> send_;
  const std::chrono::milliseconds first_backoff_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::string> lines_;
  ForwarderHealth health_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kh::audit
