#include "barrier/journal_target.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

#include "barrier/backup_journal.h"

namespace kh::barrier {
namespace {

constexpr std::string_view kSegmentMagic = "KHJOURNAL1\n";
constexpr std::string_view kSegmentPrefix = "journal-";
constexpr std::string_view kSegmentSuffix = ".khj";

Status IoError(std::string_view what, const std::string& path) {
  return Unavailable("backup target: " + std::string(what) + " " + path + ": " +
                     std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("cannot open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : IoError("cannot sync", dir);
}

std::vector<std::string> SegmentNames(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.size() > kSegmentPrefix.size() + kSegmentSuffix.size() &&
        name.substr(0, kSegmentPrefix.size()) == kSegmentPrefix &&
        name.substr(name.size() - kSegmentSuffix.size()) == kSegmentSuffix) {
      names.emplace_back(name);
    }
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());  // fixed-width hex seq: name order is seq order
  return names;
}

}  // namespace

JournalTarget::JournalTarget(std::string dir) : dir_(std::move(dir)) {}

JournalTarget::~JournalTarget() {
  if (fd_ >= 0) ::close(fd_);
}

Status JournalTarget::OpenSegment(uint64_t first_seq, bool checkpoint) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return IoError("cannot create", dir_);
  const std::string key = JournalKey(first_seq);
  const std::string path = dir_ + "/" + std::string(kSegmentPrefix) +
                           key.substr(kJournalPrefix.size()) + (checkpoint ? "c" : "") +
                           std::string(kSegmentSuffix);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return IoError("cannot stat", path);
  }
  if (st.st_size == 0) {
    if (Status written = WriteAll(fd, kSegmentMagic, path); !written.ok()) {
      ::close(fd);
      return written;
    }
  }
  if (::fdatasync(fd) != 0) {
    ::close(fd);
    return IoError("cannot sync", path);
  }
  KH_RETURN_IF_ERROR(SyncDir(dir_));
  fd_ = fd;
  segment_size_ = static_cast<size_t>(st.st_size) + kSegmentMagic.size();
  return Status::Ok();
}

Status JournalTarget::Append(uint64_t first_seq, const std::vector<std::string>& sealed_entries,
                             bool checkpoint) {
  std::lock_guard lock(mu_);
  if (fd_ < 0 || segment_size_ >= kSegmentBytes || checkpoint) {
    KH_RETURN_IF_ERROR(OpenSegment(first_seq, checkpoint));
  }
  std::string out;
  for (const std::string& entry : sealed_entries) {
    const uint32_t size = static_cast<uint32_t>(entry.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
    out += entry;
  }
  Status written = WriteAll(fd_, out, dir_);
  if (written.ok() && ::fdatasync(fd_) != 0) written = IoError("cannot sync a segment in", dir_);
  if (!written.ok()) {
    // A half-written record may follow; the next append starts a fresh segment, so readers see
    // the cut-off record only at the end of this one, where it is ignored.
    ::close(fd_);
    fd_ = -1;
    return written;
  }
  segment_size_ += out.size();
  return Status::Ok();
}

StatusOr<std::vector<std::string>> JournalTarget::ReadAll(const std::string& dir) {
  std::vector<std::string> entries;
  const std::vector<std::string> names = SegmentNames(dir);
  if (names.empty()) return NotFound("NotFound", "No backup journal segments in " + dir + ".");
  for (const std::string& name : names) {
    std::ifstream in(dir + "/" + name, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.substr(0, kSegmentMagic.size()) != kSegmentMagic) {
      return InvalidArgument(name + " in " + dir + " is not a Keyhaven backup journal segment.");
    }
    size_t at = kSegmentMagic.size();
    while (at + 4 <= data.size()) {
      uint32_t size = 0;
      for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(data[at + i]);
      if (at + 4 + size > data.size()) break;  // cut short by a crash: never acknowledged
      entries.push_back(data.substr(at + 4, size));
      at += 4 + size;
    }
  }
  return entries;
}

StatusOr<size_t> JournalTarget::Prune(int64_t retention_seconds, uint64_t now_micros) {
  std::lock_guard lock(mu_);
  const std::vector<std::string> names = SegmentNames(dir_);
  const uint64_t boundary = now_micros - static_cast<uint64_t>(retention_seconds) * 1000000;
  // The newest checkpoint segment at or before the boundary: everything before it can go.
  size_t keep_from = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string_view hex = std::string_view(names[i]).substr(kSegmentPrefix.size(), 16);
    const bool checkpoint = names[i][kSegmentPrefix.size() + 16] == 'c';
    const uint64_t seq = std::stoull(std::string(hex), nullptr, 16);
    if (checkpoint && seq <= boundary) keep_from = i;
  }
  for (size_t i = 0; i < keep_from; ++i) {
    const std::string path = dir_ + "/" + names[i];
    if (::unlink(path.c_str()) != 0) return IoError("cannot remove", path);
  }
  if (keep_from > 0) KH_RETURN_IF_ERROR(SyncDir(dir_));
  return keep_from;
}

JournalShipper::JournalShipper(JournalingStore* store, JournalTarget* target,
                               ShipperOptions options)
    : store_(store), target_(target), options_(options) {}

JournalShipper::~JournalShipper() { Stop(); }

StatusOr<size_t> JournalShipper::ShipOnce(size_t max_entries) {
  std::lock_guard ship_lock(ship_mu_);
  KH_ASSIGN_OR_RETURN(auto rows, store_->Scan(kJournalPrefix, "", max_entries));
  if (rows.empty()) return size_t{0};
  // A checkpoint's first row starts a segment of its own (Prune keeps whole segments).
  size_t begin = 0;
  while (begin < rows.size()) {
    size_t end = begin + 1;
    while (end < rows.size() && !IsCheckpointKey(rows[end].key)) ++end;
    std::vector<std::string> sealed;
    for (size_t i = begin; i < end; ++i) sealed.push_back(rows[i].value);
    const uint64_t first_seq =
        std::stoull(rows[begin].key.substr(kJournalPrefix.size(), 16), nullptr, 16);
    KH_RETURN_IF_ERROR(target_->Append(first_seq, sealed, IsCheckpointKey(rows[begin].key)));
    begin = end;
  }
  storage::WriteBatch shipped;
  for (const auto& row : rows) shipped.Delete(row.key);
  KH_RETURN_IF_ERROR(store_->Commit(shipped));
  return rows.size();
}

Status JournalShipper::Drain() {
  for (;;) {
    KH_ASSIGN_OR_RETURN(size_t shipped, ShipOnce());
    if (shipped == 0) return Status::Ok();
  }
}

Status JournalShipper::CheckpointAndPrune() {
  KH_RETURN_IF_ERROR(store_->Checkpoint().status());
  KH_RETURN_IF_ERROR(Drain());
  // Segment names carry journal seqs, which may run a little ahead of the wall clock (they must
  // grow by at least one per row): measure retention on the journal's own clock.
  return target_->Prune(options_.retention_seconds, store_->JournalClockMicros()).status();
}

StatusOr<size_t> JournalShipper::Pending() {
  KH_ASSIGN_OR_RETURN(auto rows, store_->Scan(kJournalPrefix, "", 0));
  return rows.size();
}

void JournalShipper::Start(int interval_ms) {
  thread_ = std::thread([this, interval_ms] { Run(interval_ms); });
}

void JournalShipper::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JournalShipper::Run(int interval_ms) {
  int backoff_ms = interval_ms;
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    Status shipped = Drain();
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    if (shipped.ok() && options_.retention_seconds > 0 &&
        (last_checkpoint_ == 0 || now - last_checkpoint_ >= options_.checkpoint_seconds)) {
      shipped = CheckpointAndPrune();
      if (shipped.ok()) last_checkpoint_ = now;
    }
    lock.lock();
    if (shipped.ok()) {
      if (failing_) std::cerr << "keyhaven: backup target " << target_->dir() << " works again\n";
      failing_ = false;
      backoff_ms = interval_ms;
    } else {
      if (!failing_) {
        std::cerr << "keyhaven: ALERT backup target failing, changes wait in the store's "
                     "journal: "
                  << shipped.message() << "\n";
      }
      failing_ = true;
      backoff_ms = std::min(backoff_ms * 2, 30000);
    }
    cv_.wait_for(lock, std::chrono::milliseconds(backoff_ms), [&] { return stop_; });
  }
}

}  // namespace kh::barrier
