#include "audit/line_queue.h"

#include <iostream>

#include "audit/service_metrics.h"

namespace kh::audit {

std::string RenderForwarderHealth(const std::vector<ForwarderHealth>& sinks) {
  if (sinks.empty()) return "";
  std::string out;
  const auto family = [&](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& h : sinks) {
      out += std::string(name) + "{sink=\"" + PrometheusLabelValue(h.name) + "\"} " +
             std::to_string(value(h)) + "\n";
    }
  };
  family("keyhaven_audit_sink_up", "gauge", "1 when the sink's last send succeeded.",
         [](const ForwarderHealth& h) { return h.up ? 1 : 0; });
  family("keyhaven_audit_sink_records_sent_total", "counter", "Audit records the sink delivered.",
         [](const ForwarderHealth& h) { return h.sent; });
  family("keyhaven_audit_sink_failures_total", "counter", "Sends to the sink that failed.",
         [](const ForwarderHealth& h) { return h.failures; });
  family("keyhaven_audit_sink_records_dropped_total", "counter",
         "Audit records the sink gave up when its queue was full.",
         [](const ForwarderHealth& h) { return h.dropped; });
  family("keyhaven_audit_sink_records_queued", "gauge", "Audit records waiting for the sink.",
         [](const ForwarderHealth& h) { return h.queued; });
  return out;
}

LineQueue::LineQueue(std::string name, size_t max_lines, size_t batch,
                     std::function<Status(const std::vector<std::string>&)> send,
                     std::chrono::milliseconds first_backoff)
    : name_(std::move(name)),
      max_lines_(max_lines),
      batch_(batch),
      send_(std::move(send)),
      first_backoff_(first_backoff) {
  health_.name = name_;
  thread_ = std::thread([this] { Run(); });
}

LineQueue::~LineQueue() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LineQueue::Push(std::string_view lines) {
  {
    std::lock_guard lock(mu_);
    while (!lines.empty()) {
      const size_t end = lines.find('\n');
      lines_.emplace_back(lines.substr(0, end));
      lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
    }
    while (lines_.size() > max_lines_) {
      lines_.pop_front();
      ++health_.dropped;
    }
    health_.queued = lines_.size();
  }
  wake_.notify_one();
}

ForwarderHealth LineQueue::Health() const {
  std::lock_guard lock(mu_);
  return health_;
}

void LineQueue::Run() {
  std::chrono::milliseconds backoff{0};
  std::unique_lock lock(mu_);
  while (true) {
    if (backoff.count() > 0) {
      wake_.wait_for(lock, backoff, [&] { return stop_; });
    } else {
      wake_.wait(lock, [&] { return stop_ || !lines_.empty(); });
    }
    if (lines_.empty() && stop_) break;
    if (lines_.empty()) continue;
    const size_t n = std::min(batch_, lines_.size());
    std::vector<std::string> batch(lines_.begin(), lines_.begin() + static_cast<long>(n));
    const bool last_try = stop_;
    const uint64_t dropped_before = health_.dropped;
    lock.unlock();
    Status sent = send_(batch);
    lock.lock();
    health_.up = sent.ok();
    if (sent.ok()) {
      // Push only appends, and drops from the front when full: what it dropped meanwhile came
      // out of this batch first.
      const uint64_t dropped = health_.dropped - dropped_before;
      const size_t remove =
          std::min(dropped >= n ? 0 : n - static_cast<size_t>(dropped), lines_.size());
      lines_.erase(lines_.begin(), lines_.begin() + static_cast<long>(remove));
      health_.sent += n - std::min<uint64_t>(dropped, n);  // those are counted as dropped
      backoff = std::chrono::milliseconds(0);
    } else {
      ++health_.failures;
      if (health_.failures == 1 || health_.failures % 100 == 0) {
        std::cerr << "keyhaven: audit sink " << name_ << ": " << sent.message() << "\n";
      }
      backoff = backoff.count() == 0 ? first_backoff_
                                     : std::min(backoff * 2, std::chrono::milliseconds(60000));
      if (last_try) break;
    }
    health_.queued = lines_.size();
  }
}

}  // namespace kh::audit
