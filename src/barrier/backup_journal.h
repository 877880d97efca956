#pragma once
// Automatic backups, part 1: the journal. JournalingStore wraps the real Store; every committed
// batch that changes a vault with automatic backups (its objects under "v/{vault}/", its record
// "vaults/{vault}", its purge-schedule and key-rotation-index entries) gets one more row in the
// same transaction: "journal/{seq}", the batch's changes as plaintext records, sealed under the
// backup key. A change is therefore in the journal exactly when it is acknowledged, durably, and
// never without it. JournalShipper (journal_target.h) then moves the rows to the backup target.
//
// Entry (before sealing, associated data "journal/v1"): Fields{seq, time, ops}, each op an
// encoded Fields{t: "p"|"d", path, value}; `value` is the opened record (empty for deletes and
// index rows). seq grows with the wall clock in microseconds (unique, increasing across
// restarts); `time` is the server clock's seconds, for point-in-time rebuilds.
//
// Checkpoints (for retention): Checkpoint() writes, for every journaled vault, one row holding
// the vault's whole state (Fields{seq, time, snapshot: vault, ops: puts of every record}); the
// first row of a checkpoint has the key suffix "c" so the shipper starts a segment with it.
// Commits are held back while a checkpoint is taken, so every row with a lower seq is in the
// snapshot and no row with a higher seq is: replaying from a snapshot onwards is exact, and
// segments before an old enough checkpoint can be removed (JournalShipper::Prune).
//
// Thread-safe. Before Attach, commits pass through unchanged (the barrier reads its own keys
// through this store before it can open anything).
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "storage/store.h"

namespace kh::barrier {

inline constexpr std::string_view kJournalPrefix = "journal/";
inline constexpr std::string_view kJournalAad = "journal/v1";

// The vault a stored path belongs to ("" for none): v/{vault}/..., vaults/{vault},
// sched/{when}/{kind}/{vault}/{name}, keyrot/{vault}/{name}.
std::string VaultOfPath(std::string_view path);

class JournalingStore : public storage::Store {
 public:
  explicit JournalingStore(std::unique_ptr<storage::Store> inner);

  // Starts journaling. `journaled(vault)` says whether a vault has automatic backups (it may
  // read the store). The barrier must be built over this store.
  void Attach(Barrier* barrier, const Clock* clock,
              std::function<bool(std::string_view vault)> journaled);

  StatusOr<std::optional<std::string>> Get(std::string_view key) override;
  StatusOr<std::vector<storage::KeyValue>> Scan(std::string_view prefix,
                                                std::string_view start_after,
                                                size_t limit) override;
  Status Commit(const storage::WriteBatch& batch) override;
  void CommitAsync(storage::WriteBatch batch, std::function<void(Status)> done) override;
  storage::StoreStats Stats() const override;

  storage::Store& inner() { return *inner_; }

  // Writes a checkpoint of every journaled vault (see above); returns how many vaults.
  StatusOr<size_t> Checkpoint();

  // Now, on the clock of journal seqs: the wall clock in microseconds, or the last seq issued
  // when seqs ran ahead of it.
  uint64_t JournalClockMicros() const;

 private:
  // Commits share the gate; a checkpoint holds it alone.
  void EnterCommit();
  void ExitCommit();
  // One checkpoint row for `vault`: its record (as stored), every record it owns and its index
  // rows (`index_paths`).
  Status SnapshotVault(const std::string& vault, std::string_view sealed_record,
                       const std::vector<std::string>& index_paths, bool first);
  // Fields{seq, time, snapshot?, ops} sealed under the backup key; wipes `ops`.
  StatusOr<std::string> SealEntry(uint64_t seq, std::string_view snapshot,
                                  std::vector<std::string>& ops);
  // The journal row for `batch`'s vault changes; none when it changes no journaled vault.
  StatusOr<std::optional<storage::WriteBatch::Op>> JournalRow(const storage::WriteBatch& batch);
  uint64_t NextSeq();

  std::unique_ptr<storage::Store> inner_;
  std::atomic<Barrier*> barrier_{nullptr};
  const Clock* clock_ = nullptr;
  std::function<bool(std::string_view)> journaled_;
  std::atomic<uint64_t> last_seq_{0};
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  int commits_in_flight_ = 0;
  bool checkpointing_ = false;
};

// True for the key of a checkpoint's first row: JournalKey(seq) + "c". (Not "ends in c": a
// plain row's 16 hex digits may end in 'c' too.)
inline bool IsCheckpointKey(std::string_view key) {
  return key.size() == kJournalPrefix.size() + 17 && key.back() == 'c';
}

// "journal/{seq as 16 hex digits}": rows sort in seq order.
std::string JournalKey(uint64_t seq);

}  // namespace kh::barrier
