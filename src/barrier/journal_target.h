#pragma once
// Automatic backups, part 2: the backup target and the shipper.
//
// JournalTarget is a directory of segment files "journal-{first seq, 16 hex}.khj", each
// "KHJOURNAL1\n" followed by records [4-byte big-endian size][sealed journal entry]. Appends
// are fdatasync'ed (and the directory fsync'ed when a segment is created) before they count,
// so what the target reports written survives a crash of the machine. A record cut short by a
// crash during an append is ignored when reading (it was never reported written, and it is
// still in the store's journal, so the shipper writes it again).
//
// JournalShipper moves "journal/" rows from the store to the target, oldest first: append and
// sync, then delete the rows in one batch. A target that fails (full disk, unmounted) leaves the
// rows in the store, where they wait, durable, until it works again; the shipper logs the
// failure once per outage and retries with backoff. Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status_or.h"
#include "barrier/backup_journal.h"
#include "storage/store.h"

namespace kh::barrier {

class JournalTarget {
 public:
  explicit JournalTarget(std::string dir);
  ~JournalTarget();
  JournalTarget(const JournalTarget&) = delete;
  JournalTarget& operator=(const JournalTarget&) = delete;

  const std::string& dir() const { return dir_; }
  // Appends the sealed entries and syncs them to disk. A new segment, named by first_seq, is
  // started when there is none yet, the current one is full, or `checkpoint` (the entries
  // begin with a checkpoint: the segment's name says so, "journal-{seq}c.khj").
  Status Append(uint64_t first_seq, const std::vector<std::string>& sealed_entries,
                bool checkpoint = false);

  // Removes the segments before the newest checkpoint segment that is at least
  // `retention_seconds` old (segment names carry wall-clock microseconds), so that every point
  // in time of the last `retention_seconds` can still be rebuilt. Returns how many it removed.
  StatusOr<size_t> Prune(int64_t retention_seconds, uint64_t now_micros);

  // Every complete record of every segment in `dir`, in seq order.
  static StatusOr<std::vector<std::string>> ReadAll(const std::string& dir);

  static constexpr size_t kSegmentBytes = size_t{64} << 20;

 private:
  Status OpenSegment(uint64_t first_seq, bool checkpoint);
  std::string dir_;
  std::mutex mu_;
  int fd_ = -1;
  size_t segment_size_ = 0;
};

struct ShipperOptions {
  // Keep the target's history this long (0: keep everything, take no checkpoints).
  int64_t retention_seconds = 0;
  // With retention, how often to write a checkpoint of every journaled vault.
  int64_t checkpoint_seconds = 24 * 3600;
};

class JournalShipper {
 public:
  JournalShipper(JournalingStore* store, JournalTarget* target, ShipperOptions options = {});
  ~JournalShipper();  // stops the thread, if started

  // Moves up to `max_entries` rows; returns how many were shipped.
  StatusOr<size_t> ShipOnce(size_t max_entries = 1024);
  // Ships until the journal is empty or shipping fails.
  Status Drain();
  // A checkpoint now (JournalingStore::Checkpoint), shipped, then old segments pruned.
  Status CheckpointAndPrune();
  // A background thread that ships every `interval_ms` (and at once after Nudge()).
  void Start(int interval_ms = 200);
  void Stop();
  // Rows waiting in the store (a health figure: grows while the target fails).
  StatusOr<size_t> Pending();

 private:
  void Run(int interval_ms);
  JournalingStore* store_;
  JournalTarget* target_;
  ShipperOptions options_;
  int64_t last_checkpoint_ = 0;  // steady seconds; 0 = none yet in this process
  std::mutex ship_mu_;  // one shipment at a time
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool failing_ = false;
  std::thread thread_;
};

}  // namespace kh::barrier
