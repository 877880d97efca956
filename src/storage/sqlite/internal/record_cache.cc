#include "storage/sqlite/internal/record_cache.h"

#include <functional>

namespace kh::storage::internal {
namespace {

constexpr size_t kEntryOverheadBytes = 64;

size_t Cost(std::string_view key, const std::optional<std::string>& value) {
  return key.size() + (value ? value->size() : 0) + kEntryOverheadBytes;
}

}  // namespace

RecordCache::Shard& RecordCache::ShardFor(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

RecordCache::Lookup RecordCache::Get(std::string_view key) {
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(std::string(key));
  if (it == shard.entries.end()) return Lookup{false, std::nullopt, shard.generation};
  return Lookup{true, it->second, shard.generation};
}

void RecordCache::Store(Shard& shard, std::string_view key, std::optional<std::string> value) {
  auto it = shard.entries.find(std::string(key));
  if (it != shard.entries.end()) {
    shard.bytes -= Cost(key, it->second);
    shard.entries.erase(it);
  }
  size_t cost = Cost(key, value);
  if (shard.bytes + cost > kShardBytes) {
    shard.entries.clear();  // simple and bounded; hot keys come back on their next read
    shard.bytes = 0;
  }
  shard.bytes += cost;
  shard.entries.emplace(std::string(key), std::move(value));
}

void RecordCache::Fill(std::string_view key, const std::optional<std::string>& value,
                       uint64_t generation) {
  Shard& shard = ShardFor(key);
  std::lock_guard lock(shard.mu);
  if (shard.generation != generation) return;  // a write landed meanwhile: don't cache stale
  Store(shard, key, value);
}

void RecordCache::Apply(const WriteBatch& batch) {
  for (const auto& op : batch.ops) {
    Shard& shard = ShardFor(op.key);
    std::lock_guard lock(shard.mu);
    ++shard.generation;
    Store(shard, op.key,
          op.type == WriteBatch::OpType::kPut ? std::optional<std::string>(op.value)
                                              : std::nullopt);
  }
}

}  // namespace kh::storage::internal
