#include "server/event_dispatcher.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <iostream>

#include "audit/key_vault_event.h"
#include "core/ids.h"
#include "http/https_client.h"

namespace kh::server {
namespace {

namespace json = boost::json;

constexpr auto kCycle = std::chrono::milliseconds(50);
constexpr int64_t kMaxBackoffMs = 10 * 60 * 1000;
constexpr size_t kDeliveriesPerCycle = 64;
constexpr char kOrigin[] = "keyhaven";

std::map<std::string, std::string> Headers(const domain::EventSubscription& s,
                                           std::string_view event_type, int delivery_count) {
  if (s.schema == domain::EventSchema::kCloudEvents) {
    return {{"Content-Type", "application/cloudevents+json; charset=utf-8"}};
  }
  return {{"Content-Type", "application/json"},
          {"aeg-event-type", std::string(event_type)},
          {"aeg-subscription-name", s.name},
          {"aeg-delivery-count", std::to_string(delivery_count)},
          {"aeg-data-version", "1"},
          {"aeg-metadata-version", "1"}};
}

http::HttpsClient Client(const std::string& ca_file) {
  http::HttpsClientOptions o;
  o.ca_file = ca_file;
  o.timeout = std::chrono::seconds(10);
  return http::HttpsClient(o);
}

}  // namespace

EventDispatcher::EventDispatcher(EventDispatcherOptions options,
                                 domain::EventSubscriptions* subscriptions,
                                 domain::EventOutbox* outbox)
    : options_(std::move(options)), subscriptions_(subscriptions), outbox_(outbox) {}

EventDispatcher::~EventDispatcher() { Stop(); }  // before client_ goes

int64_t EventDispatcher::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status EventDispatcher::Start() {
  KH_RETURN_IF_ERROR(outbox_->Load());
  client_ = std::make_unique<http::HttpsClient>(Client(options_.webhook_ca_file));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void EventDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventDispatcher::Publish(std::vector<audit::KeyVaultEvent> events) {
  published_count_ += events.size();
  {
    std::lock_guard lock(mu_);
    for (auto& e : events) published_.push_back(std::move(e));
  }
  wake_.notify_one();
}

Status EventDispatcher::ValidateEndpoint(const domain::EventSubscription& s) {
  http::HttpsClient client = Client(options_.webhook_ca_file);
  if (s.schema == domain::EventSchema::kCloudEvents) {
    // CloudEvents' webhook abuse protection: the endpoint must allow us as an origin.
    auto r = client.Request("OPTIONS", s.endpoint, {{"WebHook-Request-Origin", kOrigin}}, "");
    if (!r.ok())
      return InvalidArgument("The endpoint could not be reached: " + r.status().message());
    auto allowed = r->headers.find("webhook-allowed-origin");
    if (r->status != 200 || allowed == r->headers.end() ||
        (allowed->second != kOrigin && allowed->second != "*")) {
      return InvalidArgument(
          "The endpoint did not allow this origin (CloudEvents webhook validation): it must "
          "answer OPTIONS with 200 and WebHook-Allowed-Origin.",
          "EndpointValidationFailed");
    }
    return Status::Ok();
  }
  const std::string code = NewGuid();
  auto r = client.Request("POST", s.endpoint,
                          {{"Content-Type", "application/json"},
                           {"aeg-event-type", "SubscriptionValidation"},
                           {"aeg-subscription-name", s.name}},
                          audit::SubscriptionValidationJson(NewGuid(), s.vault, code, Now()));
  if (!r.ok()) return InvalidArgument("The endpoint could not be reached: " + r.status().message());
  boost::system::error_code ec;
  json::value v = json::parse(r->body, ec);
  const json::value* echoed =
      !ec && v.is_object() ? v.as_object().if_contains("validationResponse") : nullptr;
  if (r->status != 200 || !echoed || !echoed->is_string() || echoed->as_string() != code) {
    return InvalidArgument(
        "The endpoint did not answer the validation event with its validationCode (Event Grid "
        "webhook validation).",
        "EndpointValidationFailed");
  }
  return Status::Ok();
}

void EventDispatcher::Enqueue(std::vector<audit::KeyVaultEvent> events) {
  auto subs = subscriptions_->List();
  if (!subs.ok()) {
    std::cerr << "keyhaven: events: cannot read subscriptions: " << subs.status().message() << "\n";
    return;
  }
  std::vector<domain::OutboxEntry> entries;
  for (const auto& e : events) {
    for (const auto& s : **subs) {
      if (!s.Matches(e.vault_name, e.type, e.subject)) continue;
      domain::OutboxEntry entry;
      entry.subscription = s.name;
      entry.payload = s.schema == domain::EventSchema::kCloudEvents ? audit::ToCloudEventJson(e)
                                                                    : audit::ToEventGridJson(e);
      // The dispatcher's own clock (an event's time may come from the test clock).
      entry.first_ms = entry.next_attempt_ms = Now();
      entries.push_back(std::move(entry));
    }
  }
  if (Status st = outbox_->Add(std::move(entries)); !st.ok()) {
    std::cerr << "keyhaven: events: cannot store deliveries: " << st.message() << "\n";
  }
}

void EventDispatcher::DeadLetter(const domain::OutboxEntry& entry) {
  ++dead_lettered_;
  if (options_.dead_letter_file.empty()) return;
  std::string line = json::serialize(json::object{{"deadLetteredAt", Now()},
                                                  {"subscription", entry.subscription},
                                                  {"deliveryAttempts", entry.attempts},
                                                  {"lastError", entry.last_error}});
  line.pop_back();  // the event's own JSON goes in as it was delivered
  line += ",\"event\":" + entry.payload + "}\n";
  int fd =
      ::open(options_.dead_letter_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
      ::fsync(fd) != 0) {
    std::cerr << "keyhaven: events: cannot write the dead-letter file\n";
  }
  if (fd >= 0) ::close(fd);
}

void EventDispatcher::Deliver(domain::OutboxEntry entry,
                              const std::vector<domain::EventSubscription>& subscriptions) {
  auto sub = std::find_if(subscriptions.begin(), subscriptions.end(),
                          [&](const auto& s) { return s.name == entry.subscription; });
  if (sub == subscriptions.end()) {  // the subscription was deleted: nothing is owed
    outbox_->Remove(entry.seq).IgnoreError();
    return;
  }
  const std::string body =
      sub->schema == domain::EventSchema::kCloudEvents ? entry.payload : "[" + entry.payload + "]";
  // One client for the delivering thread: it keeps the connection to each endpoint it reuses.
  auto r =
      client_->Request("POST", sub->endpoint, Headers(*sub, "Notification", entry.attempts), body);
  if (r.ok() && r->status >= 200 && r->status < 300) {
    ++delivered_;
    outbox_->Remove(entry.seq).IgnoreError();
    return;
  }
  ++failed_attempts_;
  entry.attempts++;
  entry.last_error = r.ok() ? "HTTP " + std::to_string(r->status) : r.status().message();
  const int64_t now = Now();
  if (entry.attempts >= sub->max_delivery_attempts || now - entry.first_ms >= options_.max_age_ms) {
    DeadLetter(entry);
    outbox_->Remove(entry.seq).IgnoreError();
    return;
  }
  const int shift = std::min(entry.attempts - 1, 20);
  entry.next_attempt_ms = now + std::min(options_.retry_base_ms << shift, kMaxBackoffMs);
  outbox_->Update(entry).IgnoreError();
}

void EventDispatcher::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, kCycle, [&] { return stop_ || !published_.empty(); });
    std::vector<audit::KeyVaultEvent> events;
    events.swap(published_);
    lock.unlock();
    if (!events.empty()) Enqueue(std::move(events));
    auto due = outbox_->Due(Now(), kDeliveriesPerCycle);
    if (!due.empty()) {
      auto subs = subscriptions_->List();
      if (subs.ok()) {
        for (auto& entry : due) {
          Deliver(std::move(entry), **subs);
          if (stop_) break;
        }
      }
    }
    lock.lock();
  }
  // Events published but not yet stored are stored now, to be delivered after a restart.
  std::vector<audit::KeyVaultEvent> events;
  events.swap(published_);
  lock.unlock();
  if (!events.empty()) Enqueue(std::move(events));
}

std::string EventDispatcher::RenderMetrics() const {
  std::string out;
  const auto metric = [&out](const char* name, const char* type, const char* help, uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(v) + "\n";
  };
  metric("keyhaven_events_published_total", "counter", "Events raised by requests.",
         published_count_.load());
  metric("keyhaven_event_deliveries_total", "counter", "Event deliveries a webhook accepted.",
         delivered_.load());
  metric("keyhaven_event_delivery_failures_total", "counter",
         "Event delivery attempts that failed.", failed_attempts_.load());
  metric("keyhaven_events_dead_lettered_total", "counter",
         "Events given up on and written to the dead-letter file.", dead_lettered_.load());
  metric("keyhaven_event_deliveries_pending", "gauge", "Deliveries owed to webhooks.",
         outbox_->Pending());
  return out;
}

}  // namespace kh::server
