#pragma once
// RecordCache: point reads served from memory (DESIGN.md section 5: a cache of the stored,
// already encrypted, records). It holds what the database holds, including "absent", for the
// keys read or written recently. Writes go through it after their transaction is durable;
// a read that raced with a write is not cached (a per-shard generation detects the race), so
// the cache never returns a value older than the last acknowledged write.
// Bounded: a shard over its budget is emptied. Thread-safe.
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "storage/write_batch.h"

namespace kh::storage::internal {

constexpr size_t kRecordCacheBytes = 64 * 1024 * 1024;

class RecordCache {
 public:
  struct Lookup {
    bool hit = false;
    std::optional<std::string> value;  // on a hit: nullopt means "absent"
    uint64_t generation = 0;           // on a miss: pass to Fill()
  };

  Lookup Get(std::string_view key);
  // Caches what a read found, unless a write to the same shard happened since Get().
  void Fill(std::string_view key, const std::optional<std::string>& value, uint64_t generation);
  // Applies a durable batch.
  void Apply(const WriteBatch& batch);

 private:
  struct Shard {
    std::mutex mu;
    uint64_t generation = 0;
    size_t bytes = 0;
    std::unordered_map<std::string, std::optional<std::string>> entries;
  };
  static constexpr size_t kShards = 16;
  static constexpr size_t kShardBytes = kRecordCacheBytes / kShards;

  Shard& ShardFor(std::string_view key);
  void Store(Shard& shard, std::string_view key, std::optional<std::string> value);

  std::array<Shard, kShards> shards_;
};

}  // namespace kh::storage::internal
