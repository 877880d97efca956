#pragma once
// The event dispatcher: takes the events requests raise, stores one outbox entry per matching
// subscription (domain/event_outbox.h), and delivers them to the subscriptions' webhooks from
// its own thread, at least once: a failed delivery is retried with exponential backoff (base,
// 2x, 4x, ... at most 10 minutes apart) until the subscription's maxDeliveryAttempts or 24 hours,
// then written to the dead-letter file. Entries survive restarts. Also runs the webhook
// validation handshake for new subscriptions.
//
// Between a request's commit and the dispatcher's next cycle (~50 ms) its event is only in
// memory: a crash in that window loses it (the change itself is durable).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/api.h"
#include "domain/event_outbox.h"
#include "domain/event_subscriptions.h"
#include "http/https_client.h"

namespace kh::server {

struct EventDispatcherOptions {
  std::string webhook_ca_file;    // PEM bundle webhook endpoints are checked against; "" = system
  int64_t retry_base_ms = 10000;  // the first retry's delay
  int64_t max_age_ms = int64_t{24} * 3600 * 1000;
  std::string dead_letter_file;  // JSON lines of undeliverable events
  std::function<int64_t()> now_ms;
};

class EventDispatcher final : public api::EventDelivery {
 public:
  EventDispatcher(EventDispatcherOptions options, domain::EventSubscriptions* subscriptions,
                  domain::EventOutbox* outbox);
  ~EventDispatcher() override;

  // Loads what was owed and starts delivering.
  Status Start();
  void Stop();

  void Publish(std::vector<audit::KeyVaultEvent> events) override;
  Status ValidateEndpoint(const domain::EventSubscription& subscription) override;

  // Delivery counters in Prometheus text.
  std::string RenderMetrics() const;

 private:
  void Run();
  void Enqueue(std::vector<audit::KeyVaultEvent> events);
  void Deliver(domain::OutboxEntry entry,
               const std::vector<domain::EventSubscription>& subscriptions);
  void DeadLetter(const domain::OutboxEntry& entry);
  int64_t Now() const;

  const EventDispatcherOptions options_;
  domain::EventSubscriptions* subscriptions_;
  domain::EventOutbox* outbox_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<audit::KeyVaultEvent> published_;
  std::atomic<bool> stop_{false};  // also read between deliveries, without the lock
  std::atomic<uint64_t> delivered_{0}, failed_attempts_{0}, dead_lettered_{0}, published_count_{0};
  std::unique_ptr<http::HttpsClient> client_;  // the delivering thread's (Start makes it)
  std::thread thread_;
};

}  // namespace kh::server
