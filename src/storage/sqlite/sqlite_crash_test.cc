// Crash durability: a child process commits from several threads and reports each acknowledged
// key through a pipe; the parent SIGKILLs it mid-stream, reopens the database and checks that
// every acknowledged write survived and the file is intact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/internal/test_util.h"
#include "storage/sqlite/internal/sqlite_handle.h"
#include "storage/sqlite/sqlite_store.h"

namespace kh::storage {
namespace {

constexpr int kChildThreads = 4;
constexpr int kMaxCommitsPerThread = 100000;  // bound in case the parent never kills us
constexpr size_t kAcksBeforeKill = 300;

std::string Key(int thread, int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "c/%d/%06d", thread, i);
  return buf;
}

// Runs in the forked child; never returns.
[[noreturn]] void RunChild(const std::string& path, int ack_fd) {
  SqliteOptions options;
  options.path = path;
  StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  if (!store.ok()) _exit(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < kChildThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kMaxCommitsPerThread; ++i) {
        WriteBatch batch;
        std::string key = Key(t, i);
        batch.ExpectAbsent(key);
        batch.Put(key, "value-of-" + key);
        if (!(*store)->Commit(batch).ok()) _exit(3);
        std::string line = key + "\n";  // < PIPE_BUF, so the write is atomic
        if (write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
          _exit(4);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  _exit(0);
}

TEST(SqliteCrashTest, AcknowledgedCommitsSurviveSigkill) {
  internal::ScopedTempDir dir;
  const std::string path = dir.File("kv.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    RunChild(path, fds[1]);
  }
  close(fds[1]);

  std::vector<std::string> acked;
  std::string pending;
  bool killed = false;
  char buf[4096];
  while (true) {
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is gone
    pending.append(buf, static_cast<size_t>(n));
    for (size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
      acked.push_back(pending.substr(0, eol));
      pending.erase(0, eol + 1);
    }
    if (!killed && acked.size() >= kAcksBeforeKill) {
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      killed = true;  // keep reading: acks written before the kill are still in the pipe
    }
  }
  close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "child exited on its own, status " << wstatus;
  EXPECT_TRUE(pending.empty());
  ASSERT_GE(acked.size(), kAcksBeforeKill);

  SqliteOptions options;
  options.path = path;
  StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const std::string& key : acked) {
    StatusOr<std::optional<std::string>> value = (*store)->Get(key);
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(*value, "value-of-" + key) << "acknowledged write lost: " << key;
  }
  // Each child thread committed sequentially, so what survives is a gap-free prefix per thread.
  StatusOr<std::vector<KeyValue>> rows = (*store)->Scan("c/", "", 0);
  ASSERT_TRUE(rows.ok());
  EXPECT_GE(rows->size(), acked.size());
  std::map<int, int> next_index;
  for (const KeyValue& row : *rows) {
    int thread = 0, index = 0;
    ASSERT_EQ(std::sscanf(row.key.c_str(), "c/%d/%d", &thread, &index), 2);
    EXPECT_EQ(index, next_index[thread]++) << "gap before " << row.key;
  }
  store->reset();

  StatusOr<internal::Connection> db =
      internal::Connection::Open(path, internal::Connection::Mode::kReader, 1000);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryText("PRAGMA integrity_check", "test"), "ok");
  std::printf("[ crash    ] %zu acknowledged before/at kill, %zu rows survived\n", acked.size(),
              rows->size());
}

}  // namespace
}  // namespace kh::storage
