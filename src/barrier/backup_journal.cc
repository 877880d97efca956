#include "barrier/backup_journal.h"

#include <algorithm>
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

uint64_t JournalingStore::JournalClockMicros() const {
  return std::max(WallMicros(), last_seq_.load());
}

uint64_t JournalingStore::NextSeq() {
  uint64_t last = last_seq_.load();
  for (;;) {
    const uint64_t next = std::max(WallMicros(), last + 1);
    if (last_seq_.compare_exchange_weak(last, next)) return next;
  }
}

StatusOr<std::optional<storage::WriteBatch::Op>> JournalingStore::JournalRow(
    const storage::WriteBatch& batch) {
  Barrier* barrier = barrier_.load();
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
  if (ops.empty()) return std::optional<storage::WriteBatch::Op>();
  const uint64_t seq = NextSeq();
  KH_ASSIGN_OR_RETURN(std::string sealed, SealEntry(seq, "", ops));
  return std::optional<storage::WriteBatch::Op>(
      storage::WriteBatch::Op{storage::WriteBatch::OpType::kPut, JournalKey(seq), std::move(sealed)});
}

StatusOr<std::string> JournalingStore::SealEntry(uint64_t seq, std::string_view snapshot,
                                                 std::vector<std::string>& ops) {
  Fields entry;
  entry.SetInt("seq", static_cast<int64_t>(seq));
  entry.SetInt("time", clock_->NowSeconds());
  if (!snapshot.empty()) entry.Set("snapshot", snapshot);
  entry.SetList("ops", ops);
  std::string plain = entry.Encode();
  auto sealed = barrier_.load()->SealBackup(kJournalAad, plain);
  // The ops held record plaintext (secret values): wipe every copy.
  std::fill(plain.begin(), plain.end(), '\0');
  for (auto& op : ops) std::fill(op.begin(), op.end(), '\0');
  return sealed;
}

StatusOr<std::optional<std::string>> JournalingStore::Get(std::string_view key) {
  return inner_->Get(key);
}

StatusOr<std::vector<storage::KeyValue>> JournalingStore::Scan(std::string_view prefix,
                                                               std::string_view start_after,
                                                               size_t limit) {
  return inner_->Scan(prefix, start_after, limit);
}

void JournalingStore::EnterCommit() {
  std::unique_lock lock(gate_mu_);
  gate_cv_.wait(lock, [&] { return !checkpointing_; });
  ++commits_in_flight_;
}

void JournalingStore::ExitCommit() {
  {
    std::lock_guard lock(gate_mu_);
    --commits_in_flight_;
  }
  gate_cv_.notify_all();
}

Status JournalingStore::Commit(const storage::WriteBatch& batch) {
  if (!barrier_.load()) return inner_->Commit(batch);
  EnterCommit();
  StatusOr<std::optional<storage::WriteBatch::Op>> row = JournalRow(batch);
  Status st = row.status();
  if (st.ok() && !*row) st = inner_->Commit(batch);
  if (st.ok() && *row) {
    storage::WriteBatch journaled = batch;  // copied only when it gains the journal row
    journaled.ops.push_back(std::move(**row));
    st = inner_->Commit(journaled);
  }
  ExitCommit();
  return st;
}

void JournalingStore::CommitAsync(storage::WriteBatch batch, std::function<void(Status)> done) {
  if (!barrier_.load()) return inner_->CommitAsync(std::move(batch), std::move(done));
  EnterCommit();
  StatusOr<std::optional<storage::WriteBatch::Op>> row = JournalRow(batch);
  if (!row.ok()) {
    ExitCommit();
    return done(row.status());
  }
  if (*row) batch.ops.push_back(std::move(**row));
  inner_->CommitAsync(std::move(batch), [this, done = std::move(done)](Status st) {
    ExitCommit();
    done(st);
  });
}

Status JournalingStore::SnapshotVault(const std::string& vault, std::string_view sealed_record,
                                     const std::vector<std::string>& index_paths, bool first) {
  Barrier* barrier = barrier_.load();
  std::vector<std::string> ops;
  auto put = [&](const std::string& path, std::string_view value) {
    Fields op;
    op.Set("t", "p");
    op.Set("path", path);
    op.Set("value", value);
    ops.push_back(op.Encode());
  };
  const std::string record_path = std::string(kVaultRecordPrefix) + vault;
  KH_ASSIGN_OR_RETURN(SecretBytes record, barrier->system().Open(record_path, sealed_record));
  put(record_path, record.Reveal());
  KH_ASSIGN_OR_RETURN(auto key, barrier->VaultKey(vault));
  KH_ASSIGN_OR_RETURN(auto rows, barrier->Scan(*key, std::string(kVaultDataPrefix) + vault + "/", "", 0));
  for (const auto& row : rows) put(row.path, row.plaintext.Reveal());
  for (const std::string& path : index_paths) put(path, "");
  const uint64_t seq = NextSeq();
  KH_ASSIGN_OR_RETURN(std::string sealed, SealEntry(seq, vault, ops));
  storage::WriteBatch batch;
  batch.Put(JournalKey(seq) + (first ? "c" : ""), std::move(sealed));
  return inner_->Commit(batch);
}

StatusOr<size_t> JournalingStore::Checkpoint() {
  Barrier* barrier = barrier_.load();
  if (!barrier) return size_t{0};
  {
    std::unique_lock lock(gate_mu_);
    gate_cv_.wait(lock, [&] { return !checkpointing_; });
    checkpointing_ = true;
    gate_cv_.wait(lock, [&] { return commits_in_flight_ == 0; });
  }
  auto release = [&] {
    {
      std::lock_guard lock(gate_mu_);
      checkpointing_ = false;
    }
    gate_cv_.notify_all();
  };
  size_t count = 0;
  // The index rows of every vault, read once: purge schedule and key-rotation index.
  std::map<std::string, std::vector<std::string>, std::less<>> index_paths;
  Status st = Status::Ok();
  for (std::string_view prefix : {kSchedulePrefix, kRotationPrefix}) {
    auto index = inner_->Scan(prefix, "", 0);
    if (!index.ok()) {
      st = index.status();
      break;
    }
    for (const auto& row : *index) index_paths[VaultOfPath(row.key)].push_back(row.key);
  }
  StatusOr<std::vector<storage::KeyValue>> vaults = inner_->Scan(kVaultRecordPrefix, "", 0);
  if (st.ok()) st = vaults.status();
  if (st.ok()) {
    for (const auto& row : *vaults) {
      const std::string vault = row.key.substr(kVaultRecordPrefix.size());
      if (!journaled_(vault)) continue;
      st = SnapshotVault(vault, row.value, index_paths[vault], count == 0);
      if (!st.ok()) break;
      ++count;
    }
  }
  release();
  if (!st.ok()) return st;
  return count;
}

storage::StoreStats JournalingStore::Stats() const { return inner_->Stats(); }

}  // namespace kh::barrier
