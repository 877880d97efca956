// The Store contract, run against every implementation (see store.h). A new backend passes by
// adding a factory to INSTANTIATE_TEST_SUITE_P below.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "storage/internal/test_util.h"
#include "storage/memory/memory_store.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"

namespace kh::storage {
namespace {

using namespace std::string_literals;

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;

  friend void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }
};

std::unique_ptr<Store> OpenSqlite(const std::string& dir, size_t readers, size_t max_group) {
  SqliteOptions options;
  options.path = dir + "/kv.db";
  options.read_connections = readers;
  options.max_batches_per_transaction = max_group;
  StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

class StoreConformanceTest : public testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().open(dir_.path());
    ASSERT_NE(store_, nullptr);
  }

  void Put(std::string key, std::string value) {
    WriteBatch batch;
    batch.Put(std::move(key), std::move(value));
    ASSERT_TRUE(store_->Commit(batch).ok());
  }
  std::optional<std::string> Get(std::string_view key) {
    StatusOr<std::optional<std::string>> value = store_->Get(key);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : std::nullopt;
  }
  std::vector<std::string> ScanKeys(std::string_view prefix, std::string_view start_after = "",
                                    size_t limit = 0) {
    StatusOr<std::vector<KeyValue>> rows = store_->Scan(prefix, start_after, limit);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> keys;
    if (rows.ok()) {
      for (const KeyValue& row : *rows) keys.push_back(row.key);
    }
    return keys;
  }

  internal::ScopedTempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, PutGetOverwriteDelete) {
  EXPECT_EQ(Get("k"), std::nullopt);
  Put("k", "v1");
  EXPECT_EQ(Get("k"), "v1");
  Put("k", "v2");
  EXPECT_EQ(Get("k"), "v2");
  WriteBatch del;
  del.Delete("k");
  del.Delete("never-existed");
  ASSERT_TRUE(store_->Commit(del).ok());
  EXPECT_EQ(Get("k"), std::nullopt);
  EXPECT_TRUE(store_->Commit(WriteBatch()).ok());
}

TEST_P(StoreConformanceTest, OpsApplyInOrderWithinABatch) {
  Put("b", "old");
  WriteBatch batch;
  batch.Put("a", "1");
  batch.Put("a", "2");
  batch.Delete("b");
  batch.Put("b", "3");
  batch.Put("c", "x");
  batch.Delete("c");
  ASSERT_TRUE(store_->Commit(batch).ok());
  EXPECT_EQ(Get("a"), "2");
  EXPECT_EQ(Get("b"), "3");
  EXPECT_EQ(Get("c"), std::nullopt);
}

TEST_P(StoreConformanceTest, BinaryKeysAndValues) {
  const std::string key = "k\x00\xff/\x00"s;
  const std::string value = "\x00v\x00\xff\x01"s;
  Put(key, value);
  Put("empty", "");
  EXPECT_EQ(Get(key), value);
  EXPECT_EQ(Get("k"), std::nullopt);
  EXPECT_EQ(Get("k\x00"s), std::nullopt);
  EXPECT_EQ(Get("empty"), "");  // present with an empty value, not absent
  StatusOr<std::vector<KeyValue>> rows = store_->Scan("k", "", 0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], (KeyValue{key, value}));
}

TEST_P(StoreConformanceTest, ScanOrdersKeysBytewiseAsUnsigned) {
  const std::vector<std::string> sorted = {"\x00"s, "\x00\x00"s, "\x01",  "a",         "a\x00"s,
                                           "a\0b"s, "a\x01",     "a\xff", "a\xff\xff", "b",
                                           "\x7f",  "\x80",      "\xff",  "\xff\xff"};
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) Put(*it, "v:" + *it);
  EXPECT_EQ(ScanKeys(""), sorted);
  EXPECT_EQ(ScanKeys("a\xff"), (std::vector<std::string>{"a\xff", "a\xff\xff"}));
  EXPECT_EQ(ScanKeys("\xff"), (std::vector<std::string>{"\xff", "\xff\xff"}));
  EXPECT_EQ(ScanKeys("a\x00"s), (std::vector<std::string>{"a\x00"s, "a\0b"s}));
  EXPECT_EQ(ScanKeys("\x00"s), (std::vector<std::string>{"\x00"s, "\x00\x00"s}));
  EXPECT_EQ(ScanKeys("", "a\x00"s, 2), (std::vector<std::string>{"a\0b"s, "a\x01"}));
  StatusOr<std::vector<KeyValue>> rows = store_->Scan("a\x00"s, "", 0);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1].value, "v:a\x00"s + "b");
}

TEST_P(StoreConformanceTest, ScanPrefixStartAfterAndLimit) {
  for (const char* key : {"v/a/1", "v/a/2", "v/a/3", "v/a0", "v/b/1", "v/a", "w"}) Put(key, "x");
  using Keys = std::vector<std::string>;
  EXPECT_EQ(ScanKeys("v/a/"), (Keys{"v/a/1", "v/a/2", "v/a/3"}));
  EXPECT_EQ(ScanKeys("v/a/", "v/a/1"), (Keys{"v/a/2", "v/a/3"}));
  EXPECT_EQ(ScanKeys("v/a/", "v/a/15"), (Keys{"v/a/2", "v/a/3"}));  // need not exist
  EXPECT_EQ(ScanKeys("v/a/", "v/a/3"), Keys{});
  EXPECT_EQ(ScanKeys("v/a/", "a"), (Keys{"v/a/1", "v/a/2", "v/a/3"}));  // before the prefix
  EXPECT_EQ(ScanKeys("v/a/", "v/b"), Keys{});                           // after the prefix
  EXPECT_EQ(ScanKeys("v/a/", "", 2), (Keys{"v/a/1", "v/a/2"}));
  EXPECT_EQ(ScanKeys("v/", "", 1), (Keys{"v/a"}));
  EXPECT_EQ(ScanKeys("x/"), Keys{});
  EXPECT_EQ(ScanKeys(""), (Keys{"v/a", "v/a/1", "v/a/2", "v/a/3", "v/a0", "v/b/1", "w"}));

  Keys paged;  // paging with start_after = last key seen visits every key exactly once
  std::string last;
  while (true) {
    Keys page = ScanKeys("v/", last, 2);
    paged.insert(paged.end(), page.begin(), page.end());
    if (page.size() < 2) break;
    last = page.back();
  }
  EXPECT_EQ(paged, (Keys{"v/a", "v/a/1", "v/a/2", "v/a/3", "v/a0", "v/b/1"}));
}

TEST_P(StoreConformanceTest, PreconditionsGateTheWholeBatch) {
  Put("existing", "v1");
  Put("empty", "");
  auto commit_with = [&](const std::function<void(WriteBatch&)>& expect) {
    WriteBatch batch;
    expect(batch);
    batch.Put("written", "yes");
    batch.Delete("existing");
    return store_->Commit(batch);
  };
  std::vector<std::function<void(WriteBatch&)>> failing = {
      [](WriteBatch& b) { b.ExpectAbsent("existing"); },
      [](WriteBatch& b) { b.ExpectValue("existing", "v2"); },
      [](WriteBatch& b) { b.ExpectValue("existing", "v1\0"s); },
      [](WriteBatch& b) { b.ExpectValue("missing", ""); },
      [](WriteBatch& b) { b.ExpectAbsent("empty"); },
      [](WriteBatch& b) {
        b.ExpectValue("existing", "v1");
        b.ExpectAbsent("existing");
      },
  };
  for (size_t i = 0; i < failing.size(); ++i) {
    Status status = commit_with(failing[i]);
    EXPECT_EQ(status.code(), StatusCode::kConflict) << i << ": " << status.ToString();
    EXPECT_EQ(status.azure_code(), "Conflict");
    EXPECT_EQ(status.inner_code(), "PreconditionFailed");
    EXPECT_TRUE(IsPreconditionFailed(status));
    EXPECT_EQ(Get("written"), std::nullopt) << i;
    EXPECT_EQ(Get("existing"), "v1") << i;
  }
  EXPECT_TRUE(commit_with([](WriteBatch& b) {
                b.ExpectValue("existing", "v1");
                b.ExpectValue("empty", "");
                b.ExpectAbsent("missing");
              }).ok());
  EXPECT_EQ(Get("written"), "yes");
  EXPECT_EQ(Get("existing"), std::nullopt);

  WriteBatch check_only;  // preconditions alone: a validated no-op
  check_only.ExpectValue("written", "yes");
  EXPECT_TRUE(store_->Commit(check_only).ok());
}

TEST_P(StoreConformanceTest, PreconditionsSeeStateBeforeTheBatch) {
  WriteBatch create;  // insert-if-absent
  create.ExpectAbsent("name");
  create.Put("name", "first");
  ASSERT_TRUE(store_->Commit(create).ok());
  WriteBatch again = create;
  again.ops[0].value = "second";
  EXPECT_TRUE(IsPreconditionFailed(store_->Commit(again)));
  EXPECT_EQ(Get("name"), "first");
}

TEST_P(StoreConformanceTest, RejectsOversizedKeys) {
  WriteBatch batch;
  batch.Put(std::string(kMaxKeyBytes + 1, 'k'), "v");
  EXPECT_EQ(store_->Commit(batch).code(), StatusCode::kTooLarge);
  batch.Clear();
  batch.ExpectAbsent(std::string(kMaxKeyBytes + 1, 'k'));
  EXPECT_EQ(store_->Commit(batch).code(), StatusCode::kTooLarge);
}

void RunThreads(int count, const std::function<void(int)>& body) {
  std::vector<std::thread> threads;
  for (int t = 0; t < count; ++t) threads.emplace_back(body, t);
  for (std::thread& thread : threads) thread.join();
}

TEST_P(StoreConformanceTest, ConcurrentCommitsAreAllApplied) {
  constexpr int kThreads = 16, kBatches = 200;
  std::atomic<int> failures{0};
  RunThreads(kThreads, [&](int t) {
    for (int i = 0; i < kBatches; ++i) {
      std::string key = "t/" + std::to_string(t) + "/" + std::to_string(i);
      WriteBatch batch;
      batch.ExpectAbsent(key + "/a");
      batch.Put(key + "/a", key);
      batch.Put(key + "/b", key);
      if (!store_->Commit(batch).ok()) ++failures;
    }
  });
  EXPECT_EQ(failures.load(), 0);
  StatusOr<std::vector<KeyValue>> rows = store_->Scan("t/", "", 0);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), size_t{2 * kThreads * kBatches});
  for (const KeyValue& row : *rows) EXPECT_EQ(row.key.substr(0, row.key.size() - 2), row.value);
  EXPECT_GE(store_->Stats().commits, uint64_t{kThreads * kBatches});
  EXPECT_LE(store_->Stats().transactions, store_->Stats().commits);
}

TEST_P(StoreConformanceTest, FailedBatchesDoNotAffectConcurrentOnes) {
  constexpr int kThreads = 8, kBatches = 50;
  std::atomic<int> unexpected{0};
  RunThreads(kThreads, [&](int t) {
    for (int i = 0; i < kBatches; ++i) {
      std::string suffix = std::to_string(t) + "/" + std::to_string(i);
      WriteBatch bad;
      bad.ExpectValue("nonexistent", "x");
      bad.Put("bad/" + suffix, "x");
      WriteBatch good;
      good.Put("good/" + suffix, "x");
      if (!IsPreconditionFailed(store_->Commit(bad))) ++unexpected;
      if (!store_->Commit(good).ok()) ++unexpected;
    }
  });
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(ScanKeys("bad/").size(), 0u);
  EXPECT_EQ(ScanKeys("good/").size(), size_t{kThreads * kBatches});
}

TEST_P(StoreConformanceTest, CompareAndSetIncrementsAreExact) {
  constexpr int kThreads = 8, kIncrements = 12;
  std::atomic<int> errors{0};
  RunThreads(kThreads, [&](int) {
    for (int done = 0; done < kIncrements && errors == 0;) {
      StatusOr<std::optional<std::string>> current = store_->Get("counter");
      if (!current.ok()) {
        ++errors;
        return;
      }
      WriteBatch batch;
      if (current->has_value()) {
        batch.ExpectValue("counter", **current);
        batch.Put("counter", std::to_string(std::stoi(**current) + 1));
      } else {
        batch.ExpectAbsent("counter");
        batch.Put("counter", "1");
      }
      Status status = store_->Commit(batch);
      if (status.ok()) {
        ++done;
      } else if (!IsPreconditionFailed(status)) {
        ++errors;
      }
    }
  });
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(Get("counter"), std::to_string(kThreads * kIncrements));
}

TEST_P(StoreConformanceTest, ReadersNeverSeeHalfABatch) {
  Put("acct/a", "100");
  Put("acct/b", "0");
  std::atomic<bool> writing{true};
  std::atomic<int> bad_reads{0};
  std::thread reader([&] {
    while (writing) {
      StatusOr<std::vector<KeyValue>> rows = store_->Scan("acct/", "", 0);
      if (!rows.ok() || rows->size() != 2 ||
          std::stoi((*rows)[0].value) + std::stoi((*rows)[1].value) != 100) {
        ++bad_reads;
      }
    }
  });
  for (int i = 1; i <= 50; ++i) {  // move one unit from a to b, atomically
    WriteBatch batch;
    batch.Put("acct/a", std::to_string(100 - i));
    batch.Put("acct/b", std::to_string(i));
    EXPECT_TRUE(store_->Commit(batch).ok());  // not ASSERT: the reader must still be joined
  }
  writing = false;
  reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    AllStores, StoreConformanceTest,
    testing::Values(StoreFactory{"Memory", [](const std::string&) { return NewMemoryStore(); }},
                    StoreFactory{"Sqlite",
                                 [](const std::string& dir) { return OpenSqlite(dir, 4, 256); }},
                    StoreFactory{"SqliteOneReaderGroupsOfSixteen",
                                 [](const std::string& dir) { return OpenSqlite(dir, 1, 16); }}),
    [](const testing::TestParamInfo<StoreFactory>& info) { return info.param.name; });

}  // namespace
}  // namespace kh::storage

namespace kh::storage {
namespace {

TEST_P(StoreConformanceTest, CommitAsyncReportsOutcomesAndIsDurable) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Status> outcomes;
  constexpr int kBatches = 40;
  for (int i = 0; i < kBatches; ++i) {
    WriteBatch batch;
    batch.Put("async/" + std::to_string(i), "v" + std::to_string(i));
    if (i % 10 == 0) batch.ExpectAbsent("async/0");  // fails for i > 0: async/0 exists by then
    store_->CommitAsync(std::move(batch), [&](Status st) {
      std::lock_guard lock(mu);
      outcomes.push_back(std::move(st));
      cv.notify_all();
    });
    if (i == 0) {  // make async/0 exist before the later preconditions are checked
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outcomes.size() == 1; });
    }
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return outcomes.size() == kBatches; });
  size_t failed = 0;
  for (const Status& st : outcomes) failed += IsPreconditionFailed(st);
  EXPECT_EQ(failed, 3u);
  EXPECT_EQ(*store_->Get("async/1").value(), "v1");
  EXPECT_FALSE(store_->Get("async/10").value().has_value());
}

}  // namespace
}  // namespace kh::storage
