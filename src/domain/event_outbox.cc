#include "domain/event_outbox.h"

#include <cstdio>

#include "core/fields.h"

namespace kh::domain {
namespace {

constexpr std::string_view kPrefix = "sys/event-outbox/";

std::string PathOf(uint64_t seq) {
  char hex[24];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(seq));
  return std::string(kPrefix) + hex;
}

std::string Encode(const OutboxEntry& e) {
  Fields f;
  f.SetInt("seq", static_cast<int64_t>(e.seq));
  f.Set("subscription", e.subscription);
  f.Set("payload", e.payload);
  f.SetInt("attempts", e.attempts);
  f.SetInt("next_attempt_ms", e.next_attempt_ms);
  f.SetInt("first_ms", e.first_ms);
  f.Set("last_error", e.last_error);
  return f.Encode();
}

}  // namespace

Status EventOutbox::Load() {
  KH_ASSIGN_OR_RETURN(auto records, barrier_->Scan(barrier_->system(), kPrefix, "", 1000000));
  std::lock_guard lock(mu_);
  for (const auto& r : records) {
    KH_ASSIGN_OR_RETURN(Fields f, Fields::Decode(r.plaintext.Reveal()));
    OutboxEntry e;
    e.seq = static_cast<uint64_t>(f.GetInt("seq").value_or(0));
    e.subscription = f.GetOr("subscription", "");
    e.payload = f.GetOr("payload", "");
    e.attempts = static_cast<int>(f.GetInt("attempts").value_or(0));
    e.next_attempt_ms = f.GetInt("next_attempt_ms").value_or(0);
    e.first_ms = f.GetInt("first_ms").value_or(0);
    e.last_error = f.GetOr("last_error", "");
    next_seq_ = std::max(next_seq_, e.seq + 1);
    pending_[e.seq] = std::move(e);
  }
  return Status::Ok();
}

Status EventOutbox::Add(std::vector<OutboxEntry> entries) {
  if (entries.empty()) return Status::Ok();
  storage::WriteBatch batch;
  {
    std::lock_guard lock(mu_);
    for (auto& e : entries) e.seq = next_seq_++;
  }
  for (const auto& e : entries) {
    KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, PathOf(e.seq), Encode(e)));
  }
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  std::lock_guard lock(mu_);
  for (auto& e : entries) pending_[e.seq] = std::move(e);
  return Status::Ok();
}

std::vector<OutboxEntry> EventOutbox::Due(int64_t now_ms, size_t limit) const {
  std::vector<OutboxEntry> due;
  std::lock_guard lock(mu_);
  for (const auto& [seq, e] : pending_) {
    if (due.size() >= limit) break;
    if (e.next_attempt_ms <= now_ms) due.push_back(e);
  }
  return due;
}

Status EventOutbox::Update(const OutboxEntry& e) {
  storage::WriteBatch batch;
  KH_RETURN_IF_ERROR(barrier_->Write(barrier_->system(), batch, PathOf(e.seq), Encode(e)));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  std::lock_guard lock(mu_);
  pending_[e.seq] = e;
  return Status::Ok();
}

Status EventOutbox::Remove(uint64_t seq) {
  storage::WriteBatch batch;
  batch.Delete(PathOf(seq));
  KH_RETURN_IF_ERROR(barrier_->store().Commit(batch));
  std::lock_guard lock(mu_);
  pending_.erase(seq);
  return Status::Ok();
}

size_t EventOutbox::Pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace kh::domain
