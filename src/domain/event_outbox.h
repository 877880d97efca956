#pragma once
// The event outbox: deliveries that are owed to webhooks, kept in the store (sealed, system
// scope, sys/event-outbox/{seq}) until the endpoint took them, so delivery is at-least-once across
// restarts. A copy of every pending entry is kept in memory for the dispatcher. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "barrier/barrier.h"
#include "core/status_or.h"

namespace kh::domain {

struct OutboxEntry {
  uint64_t seq = 0;          // assigned by Add
  std::string subscription;  // its name
  std::string payload;       // the event as the subscription's schema writes it (JSON)
  int attempts = 0;
  int64_t next_attempt_ms = 0;
  int64_t first_ms = 0;    // when it was published
  std::string last_error;  // of the last failed attempt; never a body
};

class EventOutbox {
 public:
  explicit EventOutbox(barrier::Barrier* barrier) : barrier_(barrier) {}

  // Reads what was owed when the server stopped.
  Status Load();
  // Stores entries (one commit) and assigns their seqs.
  Status Add(std::vector<OutboxEntry> entries);
  // Entries whose next attempt is due, oldest first, at most `limit`.
  std::vector<OutboxEntry> Due(int64_t now_ms, size_t limit) const;
  // Stores a failed attempt's count, error and next time.
  Status Update(const OutboxEntry& entry);
  // Delivered (or dead-lettered): gone from the store.
  Status Remove(uint64_t seq);
  size_t Pending() const;

 private:
  barrier::Barrier* barrier_;
  mutable std::mutex mu_;
  std::map<uint64_t, OutboxEntry> pending_;
  uint64_t next_seq_ = 1;
};

}  // namespace kh::domain
