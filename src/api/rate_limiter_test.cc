#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace kh::api {
namespace {

TEST(RateLimiterTest, LimitsEachVaultPerWindow) {
  FakeClock clock(1000);  // a window boundary
  RateLimiter limiter(3, &clock);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Admit("a").has_value());
  clock.Advance(4);
  auto retry = limiter.Admit("a");
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(*retry, 6);
  EXPECT_FALSE(limiter.Admit("b").has_value()) << "another vault has its own budget";
  clock.Advance(6);
  EXPECT_FALSE(limiter.Admit("a").has_value()) << "a new window starts afresh";
}

TEST(RateLimiterTest, ZeroMeansUnlimited) {
  FakeClock clock;
  RateLimiter limiter(0, &clock);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.Admit("a").has_value());
}

}  // namespace
}  // namespace kh::api
