#include "storage/sqlite/internal/record_cache.h"

#include <gtest/gtest.h>

namespace kh::storage::internal {
namespace {

TEST(RecordCacheTest, CachesValuesAndAbsence) {
  RecordCache cache;
  auto miss = cache.Get("k");
  EXPECT_FALSE(miss.hit);
  cache.Fill("k", std::nullopt, miss.generation);
  auto absent = cache.Get("k");
  EXPECT_TRUE(absent.hit);
  EXPECT_FALSE(absent.value.has_value());

  WriteBatch batch;
  batch.Put("k", "v1");
  cache.Apply(batch);
  EXPECT_EQ(*cache.Get("k").value, "v1");
  WriteBatch del;
  del.Delete("k");
  cache.Apply(del);
  auto deleted = cache.Get("k");
  EXPECT_TRUE(deleted.hit);
  EXPECT_FALSE(deleted.value.has_value());
}

TEST(RecordCacheTest, AReadThatRacedAWriteIsNotCached) {
  RecordCache cache;
  auto miss = cache.Get("k");  // a reader starts...
  WriteBatch batch;
  batch.Put("k", "new");
  cache.Apply(batch);                       // ...a write lands...
  cache.Fill("k", std::string("old"), miss.generation);  // ...the reader's older result arrives
  EXPECT_EQ(*cache.Get("k").value, "new");
}

TEST(RecordCacheTest, StaysWithinItsBudget) {
  RecordCache cache;
  std::string big(1024 * 1024, 'x');
  for (int i = 0; i < 200; ++i) {
    WriteBatch b;
    b.Put("k" + std::to_string(i), big);
    cache.Apply(b);
  }
  size_t cached = 0;
  for (int i = 0; i < 200; ++i) cached += cache.Get("k" + std::to_string(i)).hit;
  EXPECT_LT(cached * big.size(), kRecordCacheBytes + big.size() * 16);
  EXPECT_GT(cached, 0u);
}

}  // namespace
}  // namespace kh::storage::internal
