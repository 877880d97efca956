// SQLite-specific behaviour beyond the shared conformance suite: persistence, file format,
// group commit formation, failure of a whole group, and open-time validation.
#include "storage/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/internal/test_util.h"
#include "storage/sqlite/internal/sqlite_handle.h"

namespace kh::storage {
namespace {

using internal::Connection;

// Controls group formation through SqliteOptions::hold_group_until_for_testing: after Arm(n),
// the committer waits until n batches are queued, so they form deterministic groups.
class GroupGate {
 public:
  std::function<bool(size_t)> Hook() {
    return [this](size_t queued) {
      bool release;
      {
        std::lock_guard lock(mu_);
        observed_ = queued;
        if (queued >= hold_until_) released_ = true;
        release = released_;
      }
      cv_.notify_all();
      return release;
    };
  }
  void Arm(size_t hold_until) {
    std::lock_guard lock(mu_);
    hold_until_ = hold_until;
    observed_ = 0;
    released_ = false;
  }
  void WaitForQueued(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return observed_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t hold_until_ = 0;
  size_t observed_ = 0;
  bool released_ = true;
};

class SqliteStoreTest : public testing::Test {
 protected:
  std::unique_ptr<Store> Open(SqliteOptions options = {}) {
    options.path = path_;
    StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::unique_ptr<Store> OpenGated(SqliteOptions options = {}) {
    options.hold_group_until_for_testing = gate_.Hook();
    return Open(std::move(options));
  }
  static Status PutOne(Store& store, const std::string& key, const std::string& value) {
    WriteBatch batch;
    batch.Put(key, value);
    return store.Commit(batch);
  }

  internal::ScopedTempDir dir_;
  std::string path_ = dir_.File("kv.db");
  GroupGate gate_;
};

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(PutOne(*store, "a", std::string("v\0a", 3)).ok());
    ASSERT_TRUE(PutOne(*store, "b", "vb").ok());
    WriteBatch del;
    del.Delete("b");
    ASSERT_TRUE(store->Commit(del).ok());
  }
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Get("a"), std::string("v\0a", 3));
  EXPECT_EQ(*store->Get("b"), std::nullopt);
  EXPECT_EQ(store->Scan("", "", 0)->size(), 1u);
}

TEST_F(SqliteStoreTest, FileIsWalAndPassesIntegrityCheck) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(PutOne(*store, "k", "v").ok());
  StatusOr<Connection> db = Connection::Open(path_, Connection::Mode::kReader, 1000);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryText("PRAGMA journal_mode", "test"), "wal");
  EXPECT_EQ(*db->QueryText("PRAGMA integrity_check", "test"), "ok");
  EXPECT_EQ(*db->QueryText("SELECT typeof(key) || typeof(value) FROM kv", "test"), "blobblob");
}

TEST_F(SqliteStoreTest, ConcurrentCommitsShareTransactions) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  constexpr int kSerial = 50, kThreads = 16, kPerThread = 100;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kSerial; ++i) ASSERT_TRUE(PutOne(*store, "s/" + std::to_string(i), "v").ok());
  std::chrono::duration<double> serial = std::chrono::steady_clock::now() - start;
  StoreStats before = store->Stats();
  EXPECT_EQ(before.transactions, before.commits);  // one at a time: nothing to group

  start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(PutOne(*store, "c/" + std::to_string(t) + "/" + std::to_string(i), "v").ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::chrono::duration<double> concurrent = std::chrono::steady_clock::now() - start;
  StoreStats after = store->Stats();
  uint64_t commits = after.commits - before.commits;
  uint64_t transactions = after.transactions - before.transactions;
  EXPECT_EQ(commits, uint64_t{kThreads * kPerThread});
  EXPECT_LT(transactions, commits);
  std::printf(
      "[ sqlite   ] 1 thread: %.0f commits/s; %d threads: %.0f commits/s, %.1f batches per "
      "transaction\n",
      kSerial / serial.count(), kThreads, commits / concurrent.count(),
      static_cast<double>(commits) / static_cast<double>(transactions));
}

TEST_F(SqliteStoreTest, BatchesInOneGroupAreJudgedInOrderAndIndependently) {
  std::unique_ptr<Store> store = OpenGated();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(PutOne(*store, "x", "1").ok());
  StoreStats before = store->Stats();
  std::vector<WriteBatch> batches(4);
  batches[0].ExpectValue("x", "1");  // succeeds, x = 2
  batches[0].Put("x", "2");
  batches[1].ExpectValue("x", "1");  // fails: sees batch 0's write
  batches[1].Put("y", "bad");
  batches[2].ExpectValue("x", "2");  // succeeds: sees batch 0's write
  batches[2].Put("z", "ok");
  batches[3].Put("w", "bad");  // fails
  batches[3].ExpectAbsent("z");

  gate_.Arm(batches.size());
  std::vector<Status> results(batches.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < batches.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = store->Commit(batches[i]); });
    gate_.WaitForQueued(i + 1);  // fixes the queue order
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_TRUE(IsPreconditionFailed(results[1])) << results[1].ToString();
  EXPECT_TRUE(results[2].ok()) << results[2].ToString();
  EXPECT_TRUE(IsPreconditionFailed(results[3])) << results[3].ToString();
  EXPECT_EQ(*store->Get("x"), "2");
  EXPECT_EQ(*store->Get("y"), std::nullopt);
  EXPECT_EQ(*store->Get("z"), "ok");
  EXPECT_EQ(*store->Get("w"), std::nullopt);
  StoreStats after = store->Stats();
  EXPECT_EQ(after.commits - before.commits, 4u);
  EXPECT_EQ(after.transactions - before.transactions, 1u);
}

TEST_F(SqliteStoreTest, GroupsAreCappedAtMaxBatchesPerTransaction) {
  SqliteOptions options;
  options.max_batches_per_transaction = 2;
  std::unique_ptr<Store> store = OpenGated(options);
  ASSERT_NE(store, nullptr);
  gate_.Arm(6);
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] { EXPECT_TRUE(PutOne(*store, std::to_string(i), "v").ok()); });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store->Stats().commits, 6u);
  EXPECT_EQ(store->Stats().transactions, 3u);
}

TEST_F(SqliteStoreTest, WhenTheTransactionFailsEveryBatchInTheGroupFails) {
  SqliteOptions options;
  options.busy_timeout_ms = 20;
  std::unique_ptr<Store> store = OpenGated(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(PutOne(*store, "seed", "v").ok());
  // Another process-like connection holds the write lock, so BEGIN IMMEDIATE times out.
  StatusOr<Connection> other = Connection::Open(path_, Connection::Mode::kWriter, 0);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE", "test").ok());

  gate_.Arm(3);
  std::vector<Status> results(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] { results[i] = PutOne(*store, "k" + std::to_string(i), "v"); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : results) {
    EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
    EXPECT_EQ(status.message().find("k0"), std::string::npos);
  }
  EXPECT_EQ(*store->Get("seed"), "v");  // WAL readers are not blocked by the writer
  EXPECT_EQ(store->Scan("k", "", 0)->size(), 0u);

  ASSERT_TRUE(other->Exec("ROLLBACK", "test").ok());
  EXPECT_TRUE(PutOne(*store, "k0", "v").ok());
  EXPECT_EQ(*store->Get("k0"), "v");
}

TEST_F(SqliteStoreTest, OpenRejectsBadFiles) {
  {
    std::ofstream garbage(path_, std::ios::binary);
    garbage << std::string(8192, 'x');
  }
  SqliteOptions options;
  options.path = path_;
  EXPECT_FALSE(OpenSqliteStore(options).ok());

  options.path = dir_.File("missing-dir/kv.db");
  EXPECT_FALSE(OpenSqliteStore(options).ok());
  options.path = "";
  EXPECT_EQ(OpenSqliteStore(options).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, OpenRejectsANewerSchema) {
  ASSERT_NE(Open(), nullptr);
  {
    StatusOr<Connection> db = Connection::Open(path_, Connection::Mode::kWriter, 1000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version=2", "test").ok());
  }
  SqliteOptions options;
  options.path = path_;
  EXPECT_EQ(OpenSqliteStore(options).status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace kh::storage
