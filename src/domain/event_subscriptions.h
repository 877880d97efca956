#pragma once
// Event subscriptions (Event Grid's, for a vault's events): where events go and which ones.
// Stored sealed in the system scope at sys/event-subscriptions/{name}. Thread-safe; the list is
// cached, since every published event is matched against it.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "barrier/barrier.h"
#include "core/status_or.h"

namespace kh::domain {

enum class EventSchema { kEventGrid, kCloudEvents };

struct EventSubscription {
  std::string name;
  std::string vault;     // the vault whose events it takes (lower case); "" = every vault
  std::string endpoint;  // https:// webhook
  std::vector<std::string>
      event_types;  // "Microsoft.KeyVault.SecretNewVersionCreated"; empty = all
  std::string subject_begins_with;
  std::string subject_ends_with;
  EventSchema schema = EventSchema::kEventGrid;
  int max_delivery_attempts = 30;
  int64_t created = 0;  // Unix seconds

  // Whether an event of `type` about `subject` in `vault` goes to this subscription.
  bool Matches(std::string_view vault, std::string_view type, std::string_view subject) const;
};

// A subscription's name: 3-64 of letters, digits and '-' (as Event Grid's).
Status CheckSubscriptionName(std::string_view name);

class EventSubscriptions {
 public:
  explicit EventSubscriptions(barrier::Barrier* barrier) : barrier_(barrier) {}

  // Creates or replaces. InvalidArgument for a bad name, endpoint or attempt count.
  Status Put(const EventSubscription& subscription);
  StatusOr<std::optional<EventSubscription>> Get(std::string_view name);
  StatusOr<std::shared_ptr<const std::vector<EventSubscription>>> List();
  // NotFound when there is none of that name.
  Status Delete(std::string_view name);

 private:
  barrier::Barrier* barrier_;
  std::mutex mu_;
  std::shared_ptr<const std::vector<EventSubscription>> cache_;  // null until first List
  uint64_t generation_ = 0;  // counts changes, so a List that raced one does not cache it
};

}  // namespace kh::domain
