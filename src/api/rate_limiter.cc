#include "api/rate_limiter.h"

#include <functional>

namespace kh::api {

std::optional<int64_t> RateLimiter::Admit(std::string_view vault) {
  if (limit_ == 0) return std::nullopt;
  int64_t now = clock_->NowSeconds();
  int64_t window_start = now - (now % kRateWindowSeconds);
  Shard& shard = shards_[std::hash<std::string_view>{}(vault) % shards_.size()];
  std::lock_guard lock(shard.mu);
  Window& w = shard.windows[std::string(vault)];
  if (w.start != window_start) w = Window{window_start, 0};
  if (w.count >= limit_) return window_start + kRateWindowSeconds - now;
  ++w.count;
  return std::nullopt;
}

}  // namespace kh::api
