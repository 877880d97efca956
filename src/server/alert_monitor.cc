#include "server/alert_monitor.h"

#include <boost/json.hpp>
#include <chrono>
#include <iostream>

#include "core/time_format.h"
#include "http/https_client.h"

namespace kh::server {

namespace json = boost::json;

AlertMonitor::AlertMonitor(audit::AlertEngine* engine, std::string webhook_ca_file)
    : engine_(engine), webhook_ca_file_(std::move(webhook_ca_file)) {
  thread_ = std::thread([this] { Run(); });
}

AlertMonitor::~AlertMonitor() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AlertMonitor::Run() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; })) {
    lock.unlock();
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    for (const auto& change : engine_->Evaluate(now)) Report(change, now);
    lock.lock();
  }
}

void AlertMonitor::Report(const audit::AlertChange& change, int64_t now_ms) {
  const char* state = change.state.fired ? "Fired" : "Resolved";
  std::cerr << "keyhaven: ALERT " << state << ": rule " << change.rule.name << " (value "
            << change.state.value << ", threshold " << change.rule.threshold << ", window "
            << change.rule.window_seconds << " s)\n";
  if (change.rule.webhook.empty()) return;
  json::object body{{"rule", change.rule.name},
                    {"state", state},
                    {"value", change.state.value},
                    {"threshold", change.rule.threshold},
                    {"windowSeconds", change.rule.window_seconds},
                    {"vault", change.rule.vault},
                    {"time", FormatIso8601(now_ms / 1000)}};
  http::HttpsClientOptions options;
  options.ca_file = webhook_ca_file_;
  options.timeout = std::chrono::seconds(5);
  http::HttpsClient client(options);
  auto r = client.Request("POST", change.rule.webhook, {{"Content-Type", "application/json"}},
                          json::serialize(body));
  if (!r.ok() || r->status < 200 || r->status >= 300) {
    std::cerr << "keyhaven: alert webhook for rule " << change.rule.name << " failed: "
              << (r.ok() ? "HTTP " + std::to_string(r->status) : r.status().message()) << "\n";
  }
}

}  // namespace kh::server
