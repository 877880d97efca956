#include "domain/event_subscriptions.h"

#include "core/ascii.h"
#include "core/fields.h"

namespace kh::domain {
namespace {

constexpr std::string_view kPrefix = "sys/event-subscriptions/";

Fields Encode(const EventSubscription& s) {
  Fields f;
  f.Set("name", s.name);
  f.Set("vault", s.vault);
  f.Set("endpoint", s.endpoint);
  f.SetList("event_types", s.event_types);
  f.Set("subject_begins_with", s.subject_begins_with);
  f.Set("subject_ends_with", s.subject_ends_with);
  f.Set("schema", s.schema == EventSchema::kCloudEvents ? "cloudevents" : "eventgrid");
  f.SetInt("max_delivery_attempts", s.max_delivery_attempts);
  f.SetInt("created", s.created);
  return f;
}

EventSubscription Decode(const Fields& f) {
  EventSubscription s;
  s.name = f.GetOr("name", "");
  s.vault = f.GetOr("vault", "");
  s.endpoint = f.GetOr("endpoint", "");
  s.event_types = f.GetList("event_types");
  s.subject_begins_with = f.GetOr("subject_begins_with", "");
  s.subject_ends_with = f.GetOr("subject_ends_with", "");
  s.schema =
      f.GetOr("schema", "") == "cloudevents" ? EventSchema::kCloudEvents : EventSchema::kEventGrid;
  s.max_delivery_attempts = static_cast<int>(f.GetInt("max_delivery_attempts").value_or(30));
  s.created = f.GetInt("created").value_or(0);
  return s;
}

}  // namespace

bool EventSubscription::Matches(std::string_view event_vault, std::string_view type,
                                std::string_view subject) const {
  if (!vault.empty() && vault != AsciiLower(event_vault)) return false;
  if (!event_types.empty()) {
    bool listed = false;
    for (const auto& t : event_types) listed |= AsciiEqualsIgnoreCase(t, type);
    if (!listed) return false;
  }
  // Event Grid's subject filters compare case-insensitively.
  const std::string s = AsciiLower(subject);
  if (!subject_begins_with.empty() && s.rfind(AsciiLower(subject_begins_with), 0) != 0) {
    return false;
  }
  if (!subject_ends_with.empty()) {
    const std::string end = AsciiLower(subject_ends_with);
    if (s.size() < end.size() || s.compare(s.size() - end.size(), end.size(), end) != 0) {
      return false;
    }
  }
  return true;
}

Status CheckSubscriptionName(std::string_view name) {
  if (name.size() < 3 || name.size() > 64) {
    return InvalidArgument("An event subscription name has 3 to 64 characters.");
  }
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return InvalidArgument("An event subscription name has only letters, digits and '-'.");
    }
  }
  return Status::Ok();
}

Status EventSubscriptions::Put(const EventSubscription& s) {
  KH_RETURN_IF_ERROR(CheckSubscriptionName(s.name));
  if (s.endpoint.rfind("https://", 0) != 0 || s.endpoint.size() > 2048) {
    return InvalidArgument("The endpoint must be an https:// URL of at most 2048 characters.");
  }
  if (s.max_delivery_attempts < 1 || s.max_delivery_attempts > 30) {
    return InvalidArgument("maxDeliveryAttempts must be from 1 to 30.");
  }
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(barrier_->Write(
      barrier_->system(), batch, std::string(kPrefix) + AsciiLower(s.name), Encode(s).Encode()));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  std::lock_guard lock(mu_);
  cache_.reset();
  ++generation_;
  return Status::Ok();
}

StatusOr<std::optional<EventSubscription>> EventSubscriptions::Get(std::string_view name) {
  KH_ASSIGN_OR_RETURN(auto bytes,
                      barrier_->Read(barrier_->system(), std::string(kPrefix) + AsciiLower(name)));
  if (!bytes) return std::optional<EventSubscription>();
  KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(bytes->Reveal()));
  return std::optional<EventSubscription>(Decode(f));
}

StatusOr<std::shared_ptr<const std::vector<EventSubscription>>> EventSubscriptions::List() {
  uint64_t read_at;
  {
    std::lock_guard lock(mu_);
    if (cache_) return cache_;
    read_at = generation_;
  }
  KH_ASSIGN_OR_RETURN(auto records, barrier_->Scan(barrier_->system(), kPrefix, "", 100000));
  auto list = std::make_shared<std::vector<EventSubscription>>();
  for (const auto& r : records) {
    KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(r.plaintext.Reveal()));
    list->push_back(Decode(f));
  }
  std::lock_guard lock(mu_);
  // A Put or Delete during the scan makes this list stale: answer with it, but do not keep it.
  if (generation_ == read_at) cache_ = list;
  return std::shared_ptr<const std::vector<EventSubscription>>(std::move(list));
}

Status EventSubscriptions::Delete(std::string_view name) {
  const std::string path = std::string(kPrefix) + AsciiLower(name);
  KH_ASSIGN_OR_RETURN(auto existing, barrier_->Read(barrier_->system(), path));
  if (!existing) {
    return NotFound("NotFound", "There is no event subscription named " +
                                    std::string(name.substr(0, 64)) + ".");
  }
  storage::WriteBatch batch;
  batch.Delete(path);
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  std::lock_guard lock(mu_);
  cache_.reset();
  ++generation_;
  return Status::Ok();
}

}  // namespace kh::domain
