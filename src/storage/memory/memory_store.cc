#include "storage/memory/memory_store.h"

#include <atomic>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "storage/internal/scan_range.h"

namespace kh::storage {
namespace {

class MemoryStore final : public Store {
 public:
  StatusOr<std::optional<std::string>> Get(std::string_view key) override {
    std::shared_lock lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  StatusOr<std::vector<KeyValue>> Scan(std::string_view prefix, std::string_view start_after,
                                       size_t limit) override {
    internal::ScanRange range = internal::MakeScanRange(prefix, start_after);
    std::vector<KeyValue> out;
    if (range.empty) return out;
    std::shared_lock lock(mu_);
    for (auto it = map_.lower_bound(range.lower); it != map_.end(); ++it) {
      if (range.upper && it->first >= *range.upper) break;
      if (limit != 0 && out.size() == limit) break;
      out.push_back(KeyValue{it->first, it->second});
    }
    return out;
  }

  Status Commit(const WriteBatch& batch) override {
    KH_RETURN_IF_ERROR(ValidateBatch(batch));
    if (batch.empty()) return Status::Ok();
    std::unique_lock lock(mu_);
    commits_.fetch_add(1, std::memory_order_relaxed);
    for (const WriteBatch::Precondition& pre : batch.preconditions) {
      auto it = map_.find(pre.key);
      bool holds = pre.value ? (it != map_.end() && it->second == *pre.value) : it == map_.end();
      if (!holds) return PreconditionFailedError();
    }
    for (const WriteBatch::Op& op : batch.ops) {
      if (op.type == WriteBatch::OpType::kPut) {
        map_.insert_or_assign(op.key, op.value);
      } else {
        map_.erase(op.key);
      }
    }
    return Status::Ok();
  }

  StoreStats Stats() const override {
    uint64_t commits = commits_.load(std::memory_order_relaxed);
    return StoreStats{commits, commits};
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::string, std::less<>> map_;
  std::atomic<uint64_t> commits_{0};
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace kh::storage
