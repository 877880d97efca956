#pragma once
// The audit log: AuditEvents as hash-chained JSON lines (audit_chain.h) in rotating files,
// written by one writer thread so that a request only queues its record.
//
//   DIR/audit-000000000001-20261130T081400Z.jsonl   files, named by their first seq and time
//   DIR/audit-public-key.json                       the checkpoint-signing key's public half
//
// Files rotate by size and age and are removed after the retention period. Every cycle (a few
// milliseconds) the writer appends what has queued in one write(); every few seconds it
// fdatasyncs; every N records or T seconds it appends a signed checkpoint. If the file cannot be
// written (its directory is gone, the disk is full, ...) the log is "not writable" until a later
// cycle succeeds in a fresh file: records wait in memory meanwhile (bounded; beyond the bound
// they are counted as dropped and the count is logged when writing resumes).
//
// Fail-closed (DESIGN.md section 3): the api refuses requests with 503 while the log is not
// writable, and a request that changes state first waits for a write cycle (AfterNextWrite) so
// a sink that broke a moment ago is noticed before anything is changed.
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_chain.h"
#include "audit/audit_event.h"
#include "audit/audit_forwarder.h"
#include "core/status_or.h"
#include "crypto/ec_key.h"

namespace kh::audit {

struct AuditLogOptions {
  std::string directory;
  uint64_t max_file_bytes = uint64_t{100} << 20;
  int64_t rotate_every_ms = int64_t{24} * 3600 * 1000;
  int retention_days = 90;  // 0: keep every file
  int64_t checkpoint_every_ms = 60 * 1000;
  uint64_t checkpoint_every_records = 10000;
  bool fail_closed = true;
  size_t max_queued_events = 200000;
  std::function<int64_t()> now_ms;  // wall clock in Unix ms; default: the system clock
  // Copies of every written batch (syslog, webhook); they must outlive the log.
  std::vector<AuditForwarder*> forwarders;
};

// Records as JSON objects, each followed by "\n" (a formatted record holds no raw newline), in
// one buffer: queuing a record copies it in, with no allocation once the buffer has grown.
struct RecordBatch {
  std::string lines;
  size_t count = 0;

  void Append(const RecordBatch& more) {
    lines.append(more.lines);
    count += more.count;
  }
  void Clear() {
    // Keeps the capacity for the next batch, unless an outage grew it past what a busy cycle needs.
    if (lines.capacity() > (size_t{16} << 20)) {
      lines = std::string();
    } else {
      lines.clear();
    }
    count = 0;
  }
};

struct AuditLogHealth {
  bool writable = true;
  uint64_t records_written = 0;
  uint64_t write_failures = 0;
  uint64_t dropped = 0;
  uint64_t queued = 0;
};

// The id checkpoints name their signing key by: base64url of the first 16 bytes of
// SHA-256(x || y).
std::string AuditKeyId(const crypto::EcPrivateKey& signer);

class AuditLog final : public AuditSink {
 public:
  // Continues the chain of the newest file in the directory (a new file, reason "restart"), or
  // starts one. `signer` must outlive the log.
  static StatusOr<std::unique_ptr<AuditLog>> Open(AuditLogOptions options,
                                                  const crypto::EcPrivateKey& signer);
  // Writes what is queued and a final checkpoint.
  ~AuditLog() override;

  void Write(const AuditEvent& event) override;

  // Ok, or Unavailable when fail-closed and the last write attempt failed.
  Status CheckWritable() const override;
  // Runs `done` on the writer thread after its next write cycle, with that cycle's verdict
  // (always Ok when fail-open).
  void AfterNextWrite(std::function<void(Status)> done) override;
  // Writes everything queued so far; the cycle's verdict.
  Status Flush();

  AuditLogHealth Health() const;
  std::string CurrentFile() const;

 private:
  AuditLog(AuditLogOptions options, const crypto::EcPrivateKey& signer, ChainPosition at,
           std::string previous_file);
  void Run();
  // Writes unwritten_ (and a file start, checkpoint, rotation as due): the cycle's verdict.
  Status Cycle(bool final);
  Status OpenNewFile(ChainPosition& pos, std::string& out);
  bool FileWasReplaced() const;
  // fdatasync of the current file if anything was written since the last one.
  Status Sync();
  Status WriteAll(const std::string& text);
  void AppendCheckpoint(ChainPosition& pos, std::string& out);
  void AppendChainRecord(ChainPosition& pos, std::string_view operation, std::string_view members,
                         std::string& out);
  void PruneOldFiles();
  int64_t Now() const;

  const AuditLogOptions options_;
  const crypto::EcPrivateKey& signer_;
  const std::string key_id_;

  // Shared with request threads.
  mutable std::mutex mu_;
  std::condition_variable wake_;
  RecordBatch queued_;  // formatted by the requests' threads
  std::vector<std::function<void(Status)>> waiters_;
  bool stop_ = false;
  std::atomic<bool> writable_{true};  // read by every request without the lock
  AuditLogHealth health_;
  std::string current_file_;

  // The writer thread's own state.
  RecordBatch unwritten_;  // taken from the queue, not yet written (a failed cycle)
  ChainPosition at_;
  std::string previous_file_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  std::string file_path_;
  uint64_t file_bytes_ = 0;
  int64_t file_opened_ms_ = 0;
  bool broken_ = false;  // the last write failed: the next cycle starts a fresh file
  uint64_t since_checkpoint_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  int64_t last_sync_ms_ = 0;
  bool sync_due_ = false;  // a checkpoint was written, or a second passed: sync after this cycle
  bool unsynced_ = false;
  int64_t last_prune_ms_ = 0;
  uint64_t dropped_unreported_ = 0;
  uint64_t dropped_reported_ = 0;
  std::string next_reason_;  // why the next file starts: start, restart, rotation, writeFailure
  std::string buffer_;
  std::string object_;

  std::thread writer_;  // started by Open once the first file is written
};

}  // namespace kh::audit
