#pragma once
// RateLimiter: a per-vault request limit over fixed windows, Azure's way of counting
// ("N requests per 10 seconds per vault"). One noisy application cannot starve the other vaults
// of the same server. Refused requests do not count. Thread-safe; sharded so that concurrent
// requests to different vaults rarely share a lock.
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace kh::api {

constexpr int64_t kRateWindowSeconds = 10;
// Default requests per window per vault: far above what one healthy application needs, low
// enough that a runaway client leaves room for the other vaults.
constexpr uint64_t kDefaultVaultRequestsPerWindow = 100000;

class RateLimiter {
 public:
  // `requests_per_window` 0 turns the limit off.
  RateLimiter(uint64_t requests_per_window, const Clock* clock)
      : limit_(requests_per_window), clock_(clock) {}

  // nullopt when admitted; otherwise the seconds until the window ends (for Retry-After).
  std::optional<int64_t> Admit(std::string_view vault);

 private:
  struct Window {
    int64_t start = 0;
    uint64_t count = 0;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Window> windows;
  };

  const uint64_t limit_;
  const Clock* clock_;
  std::array<Shard, 16> shards_;
};

}  // namespace kh::api
