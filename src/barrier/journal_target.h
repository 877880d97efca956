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
#include "storage/store.h"

namespace kh::barrier {

class JournalTarget {
 public:
  explicit JournalTarget(std::string dir);
  ~JournalTarget();
  JournalTarget(const JournalTarget&) = delete;
  JournalTarget& operator=(const JournalTarget&) = delete;

  const std::string& dir() const { return dir_; }
  // Appends the sealed entries (first_seq names a new segment) and syncs them to disk.
  Status Append(uint64_t first_seq, const std::vector<std::string>& sealed_entries);

  // Every complete record of every segment in `dir`, in seq order.
  static StatusOr<std::vector<std::string>> ReadAll(const std::string& dir);

  static constexpr size_t kSegmentBytes = size_t{64} << 20;

 private:
  Status OpenSegment(uint64_t first_seq);
  std::string dir_;
  std::mutex mu_;
  int fd_ = -1;
  size_t segment_size_ = 0;
};

class JournalShipper {
 public:
  // `store` is the store the journal rows are in (the JournalingStore or its inner store).
  JournalShipper(storage::Store* store, JournalTarget* target);
  ~JournalShipper();  // stops the thread, if started

  // Moves up to `max_entries` rows; returns how many were shipped.
  StatusOr<size_t> ShipOnce(size_t max_entries = 1024);
  // Ships until the journal is empty or shipping fails.
  Status Drain();
  // A background thread that ships every `interval_ms` (and at once after Nudge()).
  void Start(int interval_ms = 200);
  void Stop();
  // Rows waiting in the store (a health figure: grows while the target fails).
  StatusOr<size_t> Pending();

 private:
  void Run(int interval_ms);
  storage::Store* store_;
  JournalTarget* target_;
  std::mutex ship_mu_;  // one shipment at a time
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool failing_ = false;
  std::thread thread_;
};

}  // namespace kh::barrier
