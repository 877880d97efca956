#include "barrier/backup_journal.h"

#include <chrono>
#include <cstdio>
#include <map>

#include "core/fields.h"

namespace kh::barrier {
namespace {

constexpr std::string_view kVaultDataPrefix = "v/";
constexpr std::string_view kVaultRecordPrefix = "vaults/";
constexpr std::string_view kVaultKeyPrefix = "vaultkeys/";
constexpr std::string_view kSchedulePrefix = "sched/";
constexpr std::string_view kRotationPrefix = "keyrot/";

// The n-th '/'-separated part of s (0-based), or "" when there is none.
std::string_view Part(std::string_view s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos) return {};
    s.remove_prefix(slash + 1);
  }
  return s.substr(0, s.find('/'));
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

uint64_t WallMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

std::string VaultOfPath(std::string_view path) {
  if (StartsWith(path, kVaultDataPrefix)) return std::string(Part(path, 1));
  if (StartsWith(path, kVaultRecordPrefix)) return std::string(path.substr(kVaultRecordPrefix.size()));
  if (StartsWith(path, kSchedulePrefix)) return std::string(Part(path, 3));
  if (StartsWith(path, kRotationPrefix)) return std::string(Part(path, 1));
  return {};
}

std::string JournalKey(uint64_t seq) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(seq));
  return std::string(kJournalPrefix) + hex;
}

JournalingStore::JournalingStore(std::unique_ptr<storage::Store> inner)
    : inner_(std::move(inner)) {}

void JournalingStore::Attach(Barrier* barrier, const Clock* clock,
                             std::function<bool(std::string_view)> journaled) {
  clock_ = clock;
  journaled_ = std::move(journaled);
  barrier_.store(barrier);
}

uint64_t JournalingStore::NextSeq() {
  uint64_t last = last_seq_.load();
  for (;;) {
    const uint64_t next = std::max(WallMicros(), last + 1);
    if (last_seq_.compare_exchange_weak(last, next)) return next;
  }
}

Status JournalingStore::AddJournalEntry(storage::WriteBatch& batch) {
  Barrier* barrier = barrier_.load();
  if (!barrier) return Status::Ok();
  // Keys of vaults created in this very batch are not in the store yet.
  std::map<std::string, std::shared_ptr<const ScopeKey>, std::less<>> new_keys;
  for (const auto& op : batch.ops) {
    if (op.type == storage::WriteBatch::OpType::kPut && StartsWith(op.key, kVaultKeyPrefix)) {
      const std::string vault = op.key.substr(kVaultKeyPrefix.size());
      KH_ASSIGN_OR_RETURN(new_keys[vault], barrier->UnwrapVaultKey(vault, op.value));
    }
  }
  std::vector<std::string> ops;
  std::map<std::string, bool, std::less<>> journaled;  // per vault, asked once per batch
  for (const auto& op : batch.ops) {
    const std::string vault = VaultOfPath(op.key);
    if (vault.empty()) continue;
    auto known = journaled.find(vault);
    if (known == journaled.end()) known = journaled.emplace(vault, journaled_(vault)).first;
    if (!known->second) continue;
    Fields entry;
    entry.Set("path", op.key);
    if (op.type == storage::WriteBatch::OpType::kDelete) {
      entry.Set("t", "d");
    } else {
      entry.Set("t", "p");
      if (StartsWith(op.key, kVaultDataPrefix)) {
        std::shared_ptr<const ScopeKey> key;
        if (auto it = new_keys.find(vault); it != new_keys.end()) {
          key = it->second;
        } else {
          KH_ASSIGN_OR_RETURN(key, barrier->VaultKey(vault));
        }
        KH_ASSIGN_OR_RETURN(SecretBytes plain, key->Open(op.key, op.value));
        entry.Set("value", plain.Reveal());
      } else if (StartsWith(op.key, kVaultRecordPrefix)) {
        KH_ASSIGN_OR_RETURN(SecretBytes plain, barrier->system().Open(op.key, op.value));
        entry.Set("value", plain.Reveal());
      }
    }
    ops.push_back(entry.Encode());
  }
  if (ops.empty()) return Status::Ok();
  const uint64_t seq = NextSeq();
  Fields record;
  record.SetInt("seq", static_cast<int64_t>(seq));
  record.SetInt("time", clock_->NowSeconds());
  record.SetList("ops", ops);
  std::string plain = record.Encode();
  auto sealed = barrier->SealBackup(kJournalAad, plain);
  std::fill(plain.begin(), plain.end(), '\0');
  for (auto& op : ops) std::fill(op.begin(), op.end(), '\0');
  if (!sealed.ok()) return sealed.status();
  batch.Put(JournalKey(seq), std::move(*sealed));
  return Status::Ok();
}

StatusOr<std::optional<std::string>> JournalingStore::Get(std::string_view key) {
  return inner_->Get(key);
}

StatusOr<std::vector<storage::KeyValue>> JournalingStore::Scan(std::string_view prefix,
                                                               std::string_view start_after,
                                                               size_t limit) {
  return inner_->Scan(prefix, start_after, limit);
}

Status JournalingStore::Commit(const storage::WriteBatch& batch) {
  if (!barrier_.load()) return inner_->Commit(batch);
  storage::WriteBatch journaled = batch;
  KH_RETURN_IF_ERROR(AddJournalEntry(journaled));
  return inner_->Commit(journaled);
}

void JournalingStore::CommitAsync(storage::WriteBatch batch, std::function<void(Status)> done) {
  if (Status st = AddJournalEntry(batch); !st.ok()) return done(st);
  inner_->CommitAsync(std::move(batch), std::move(done));
}

storage::StoreStats JournalingStore::Stats() const { return inner_->Stats(); }

}  // namespace kh::barrier
