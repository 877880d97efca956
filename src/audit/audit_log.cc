#include "audit/audit_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <future>
#include <iostream>
#include <optional>

#include "audit/json_text.h"
#include "core/base64.h"
#include "crypto/hash.h"

namespace kh::audit {
namespace {

constexpr auto kCycle = std::chrono::milliseconds(5);
constexpr int64_t kSyncEveryMs = 1000;
constexpr int64_t kPruneEveryMs = 3600 * 1000;
constexpr size_t kTailBytes = 1 << 20;  // enough for the last whole record of a file
constexpr char kPrefix[] = "audit-";
constexpr char kSuffix[] = ".jsonl";

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string CompactTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[24];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
  return text;
}

Status SysError(const std::string& what) {
  return Unavailable("The audit log cannot be written (" + what + ": " + std::strerror(errno) +
                     ").");
}

Status MakeDirectory(const std::string& dir) {
  std::string partial;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || (dir[i] == '/' && i > 0)) {
      partial = dir.substr(0, i);
      if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
        return SysError("mkdir " + partial);
      }
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return SysError(dir);
  }
  return Status::Ok();
}

void SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The audit files in `dir`, oldest first (their names start with a zero-padded seq).
std::vector<std::string> AuditFiles(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name.rfind(kPrefix, 0) == 0 && name.size() > sizeof kSuffix &&
          name.compare(name.size() - (sizeof kSuffix - 1), sizeof kSuffix - 1, kSuffix) == 0) {
        names.push_back(std::move(name));
      }
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The last well-formed chained record of a file, if any.
std::optional<ChainPosition> LastRecordOf(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  ::fstat(fd, &st);
  const off_t start = st.st_size > static_cast<off_t>(kTailBytes) ? st.st_size - kTailBytes : 0;
  std::string tail(static_cast<size_t>(st.st_size - start), '\0');
  ssize_t n = ::pread(fd, tail.data(), tail.size(), start);
  ::close(fd);
  if (n < 0) return std::nullopt;
  tail.resize(static_cast<size_t>(n));
  size_t end = tail.size();
  while (end > 0) {
    size_t begin = tail.rfind('\n', end - 1);
    begin = begin == std::string::npos ? 0 : begin + 1;
    if (auto line = ParseChainedLine(std::string_view(tail).substr(begin, end - begin));
        line.ok()) {
      return ChainPosition{line->seq, line->hash};
    }
    if (begin == 0) break;
    end = begin - 1;
  }
  return std::nullopt;
}

Status WritePublicKey(const std::string& dir, const crypto::EcPrivateKey& signer,
                      const std::string& key_id) {
  std::string text = "{";
  AppendJsonField(text, "kty", "EC", true);
  AppendJsonField(text, "crv", "P-256");
  AppendJsonField(text, "x", Base64UrlEncode(signer.PublicX()));
  AppendJsonField(text, "y", Base64UrlEncode(signer.PublicY()));
  AppendJsonField(text, "kid", key_id);
  text += "}\n";
  const std::string path = dir + "/audit-public-key.json";
  const std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return SysError("open " + temp);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) return SysError("write " + path);
  return Status::Ok();
}

}  // namespace

std::string AuditKeyId(const crypto::EcPrivateKey& signer) {
  return Base64UrlEncode(crypto::Sha256(signer.PublicX() + signer.PublicY()).substr(0, 16));
}

StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditLogOptions options,
                                                   const crypto::EcPrivateKey& signer) {
  if (!options.now_ms) options.now_ms = SystemNowMs;
  KH_RETURN_IF_ERROR(MakeDirectory(options.directory));
  KH_RETURN_IF_ERROR(WritePublicKey(options.directory, signer, AuditKeyId(signer)));
  ChainPosition at;
  std::string previous_file;
  const std::vector<std::string> files = AuditFiles(options.directory);
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    if (auto last = LastRecordOf(options.directory + "/" + *it)) {
      at = std::move(*last);
      previous_file = *it;
      break;
    }
  }
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options), signer, at, previous_file));
  // The first file now, so that a directory we cannot write stops the server from starting.
  log->next_reason_ = previous_file.empty() ? "start" : "restart";
  KH_RETURN_IF_ERROR(log->Cycle(false));
  log->PruneOldFiles();
  log->writer_ = std::thread([raw = log.get()] { raw->Run(); });
  return log;
}

AuditLog::AuditLog(AuditLogOptions options, const crypto::EcPrivateKey& signer, ChainPosition at,
                   std::string previous_file)
    : options_(std::move(options)),
      signer_(signer),
      key_id_(AuditKeyId(signer)),
      at_(std::move(at)),
      previous_file_(std::move(previous_file)) {
  last_checkpoint_ms_ = last_sync_ms_ = last_prune_ms_ = Now();
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (fd_ >= 0) ::close(fd_);
}

int64_t AuditLog::Now() const { return options_.now_ms(); }

void AuditLog::Write(const AuditEvent& event) {
  // Formatted here, on the request's thread, into its own reused buffer: the writer thread then
  // only chains and writes, and nothing allocated here is freed on another thread.
  thread_local std::string object;
  object.clear();
  AppendJsonObject(event, object);
  object.push_back('\n');
  std::lock_guard lock(mu_);
  if (queued_.count + health_.queued >= options_.max_queued_events) {
    ++health_.dropped;
    return;
  }
  queued_.lines.append(object);
  ++queued_.count;
}

Status AuditLog::CheckWritable() const {
  if (!options_.fail_closed) return Status::Ok();
  if (writable_.load(std::memory_order_acquire)) return Status::Ok();
  return Unavailable("The audit log cannot be written, so the request was not run.");
}

void AuditLog::AfterNextWrite(std::function<void(Status)> done) {
  {
    std::lock_guard lock(mu_);
    waiters_.push_back(std::move(done));
  }
  wake_.notify_one();
}

Status AuditLog::Flush() {
  std::promise<Status> verdict;
  auto result = verdict.get_future();
  AfterNextWrite([&verdict](Status st) { verdict.set_value(std::move(st)); });
  return result.get();
}

AuditLogHealth AuditLog::Health() const {
  std::lock_guard lock(mu_);
  AuditLogHealth h = health_;
  h.writable = writable_;
  return h;
}

std::string AuditLog::CurrentFile() const {
  std::lock_guard lock(mu_);
  return current_file_;
}

void AuditLog::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait_for(lock, kCycle, [&] { return stop_ || !waiters_.empty(); });
    const bool final = stop_;
    if (unwritten_.count == 0) {
      std::swap(unwritten_, queued_);  // both buffers keep their capacity
    } else {
      unwritten_.Append(queued_);
      queued_.Clear();
    }
    std::vector<std::function<void(Status)>> waiters;
    waiters.swap(waiters_);
    dropped_unreported_ = health_.dropped - dropped_reported_;
    lock.unlock();

    Status st = Cycle(final);
    if (!st.ok()) {
      static std::atomic<int64_t> last_said{0};
      if (Now() - last_said.load() > 10000) {  // once in 10 s, not once per cycle
        last_said = Now();
        std::cerr << "keyhaven: " << st.message() << "\n";
      }
    }
    lock.lock();
    writable_ = st.ok();
    if (!st.ok()) ++health_.write_failures;
    health_.queued = unwritten_.count;
    lock.unlock();
    // After the verdict is visible: a waiter that goes on to CheckWritable() sees the same.
    const Status verdict = options_.fail_closed ? st : Status::Ok();
    for (auto& done : waiters) done(verdict);
    // The periodic fdatasync after the waiters go on, so that requests never wait for it.
    if (st.ok() && sync_due_) {
      if (Status synced = Sync(); !synced.ok()) {
        std::lock_guard verdict_lock(mu_);
        writable_ = false;
      }
    }
    lock.lock();
    if (final) break;
  }
}

bool AuditLog::FileWasReplaced() const {
  struct stat st {};
  return ::stat(file_path_.c_str(), &st) != 0 || st.st_ino != inode_ || st.st_dev != device_;
}

Status AuditLog::OpenNewFile(ChainPosition& pos, std::string& out) {
  KH_RETURN_IF_ERROR(MakeDirectory(options_.directory));
  const int64_t now = Now();
  char seq[24];
  std::snprintf(seq, sizeof seq, "%012llu", static_cast<unsigned long long>(pos.seq + 1));
  const std::string name = kPrefix + std::string(seq) + "-" + CompactTime(now) + kSuffix;
  const std::string path = options_.directory + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return SysError("open " + path);
  struct stat st {};
  ::fstat(fd, &st);
  SyncDirectory(options_.directory);
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
  fd_ = fd;
  device_ = st.st_dev;
  inode_ = st.st_ino;
  file_path_ = path;
  file_bytes_ = static_cast<uint64_t>(st.st_size);
  file_opened_ms_ = now;
  std::string members;
  AppendJsonField(members, "reason", next_reason_);
  AppendJsonField(members, "previousFile", previous_file_);
  AppendJsonField(members, "previousSeq", static_cast<int64_t>(pos.seq));
  AppendJsonField(members, "previousHash", Base64UrlEncode(pos.hash));
  AppendChainRecord(pos, "AuditFileStart", members, out);
  previous_file_ = name;
  {
    std::lock_guard lock(mu_);
    current_file_ = path;
  }
  return Status::Ok();
}

void AuditLog::AppendChainRecord(ChainPosition& pos, std::string_view operation,
                                 std::string_view members, std::string& out) {
  object_.clear();
  object_.append("{\"time\":\"");
  object_.append(FormatTimeMillis(Now()));
  object_.push_back('"');
  AppendJsonField(object_, "category", "KeyhavenAuditChain");
  AppendJsonField(object_, "operationName", operation);
  object_.append(members);
  object_.push_back('}');
  AppendChainedLine(object_, pos, out);
}

void AuditLog::AppendCheckpoint(ChainPosition& pos, std::string& out) {
  std::string members;
  AppendJsonField(members, "signedSeq", static_cast<int64_t>(pos.seq));
  AppendJsonField(members, "signedHash", Base64UrlEncode(pos.hash));
  AppendJsonField(members, "keyId", key_id_);
  auto signature = signer_.SignEs256(CheckpointStatement(pos.seq, pos.hash));
  AppendJsonField(members, "signature", signature.ok() ? Base64UrlEncode(*signature) : "");
  AppendChainRecord(pos, "AuditCheckpoint", members, out);
}

Status AuditLog::WriteAll(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("write " + file_path_);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status AuditLog::Cycle(bool final) {
  const int64_t now = Now();
  buffer_.clear();
  ChainPosition pos = at_;
  bool opened = false;
  if (fd_ < 0 || broken_ || FileWasReplaced()) {
    if (fd_ >= 0 && !broken_) next_reason_ = "fileReplaced";
    KH_RETURN_IF_ERROR(OpenNewFile(pos, buffer_));
    opened = true;
  }
  uint64_t records = 0;
  const std::string_view lines = unwritten_.lines;
  for (size_t start = 0, end; start < lines.size(); start = end + 1) {
    end = lines.find('\n', start);
    AppendChainedLine(lines.substr(start, end - start), pos, buffer_);
    ++records;
  }
  if (dropped_unreported_ > 0) {
    std::string members;
    AppendJsonField(members, "count", static_cast<int64_t>(dropped_unreported_));
    AppendChainRecord(pos, "AuditRecordsDropped", members, buffer_);
  }
  const bool rotate = final || file_bytes_ + buffer_.size() >= options_.max_file_bytes ||
                      now - file_opened_ms_ >= options_.rotate_every_ms;
  const uint64_t unsigned_records = since_checkpoint_ + records;
  const bool checkpoint =
      unsigned_records > 0 && (rotate || unsigned_records >= options_.checkpoint_every_records ||
                               now - last_checkpoint_ms_ >= options_.checkpoint_every_ms);
  if (checkpoint) AppendCheckpoint(pos, buffer_);
  if (buffer_.empty()) return Status::Ok();

  Status written = WriteAll(buffer_);
  if (!written.ok()) {
    // The file may now end in part of a line: continue the chain in a fresh file, from the last
    // record known to be whole. The events stay queued for the next cycle.
    broken_ = true;
    next_reason_ = "writeFailure";
    return written;
  }
  if (opened) broken_ = false;
  at_ = pos;
  file_bytes_ += buffer_.size();
  sync_due_ = sync_due_ || checkpoint || now - last_sync_ms_ >= kSyncEveryMs;
  unsynced_ = true;
  since_checkpoint_ = checkpoint ? 0 : unsigned_records;
  if (checkpoint) last_checkpoint_ms_ = now;
  {
    std::lock_guard lock(mu_);
    health_.records_written += records;
    dropped_reported_ += dropped_unreported_;
  }
  dropped_unreported_ = 0;
  unwritten_.Clear();
  for (AuditForwarder* f : options_.forwarders) f->Forward(buffer_);
  if (rotate) {
    KH_RETURN_IF_ERROR(Sync());
    ::close(fd_);
    fd_ = -1;
    next_reason_ = "rotation";
    SyncDirectory(options_.directory);
  }
  if (now - last_prune_ms_ >= kPruneEveryMs) PruneOldFiles();
  return Status::Ok();
}

Status AuditLog::Sync() {
  if (fd_ < 0 || !unsynced_) return Status::Ok();
  if (::fdatasync(fd_) != 0) {
    broken_ = true;
    next_reason_ = "writeFailure";
    return SysError("fdatasync " + file_path_);
  }
  unsynced_ = sync_due_ = false;
  last_sync_ms_ = Now();
  return Status::Ok();
}

void AuditLog::PruneOldFiles() {
  last_prune_ms_ = Now();
  if (options_.retention_days <= 0) return;
  const int64_t cutoff_s = Now() / 1000 - int64_t{options_.retention_days} * 86400;
  for (const std::string& name : AuditFiles(options_.directory)) {
    const std::string path = options_.directory + "/" + name;
    struct stat st {};
    if (path == file_path_ || ::stat(path.c_str(), &st) != 0) continue;
    if (st.st_mtime < cutoff_s) ::unlink(path.c_str());
  }
}

}  // namespace kh::audit
