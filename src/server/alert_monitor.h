#pragma once
// Evaluates the alert rules every second (audit/alert_rules.h) and reports each change, fired or
// resolved, to the server log and to the rule's webhook (a JSON POST; best effort, logged when
// it fails).
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "audit/alert_rules.h"

namespace kh::server {

class AlertMonitor {
 public:
  // `webhook_ca_file`: as for event webhooks ("" = the system's trust store).
  AlertMonitor(audit::AlertEngine* engine, std::string webhook_ca_file);
  ~AlertMonitor();

 private:
  void Run();
  void Report(const audit::AlertChange& change, int64_t now_ms);

  audit::AlertEngine* engine_;
  const std::string webhook_ca_file_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace kh::server
