#include "crypto/rng.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace kh::crypto {
namespace {

TEST(RngTest, ReturnsRequestedSizes) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_TRUE(RandomSecret(0).empty());
  EXPECT_EQ(RandomBytes(1).size(), 1u);
  EXPECT_EQ(RandomBytes(1000).size(), 1000u);
  EXPECT_EQ(RandomSecret(32).size(), 32u);
}

TEST(RngTest, OutputsDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(RandomBytes(16));
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_NE(RandomSecret(32), RandomSecret(32));
}

TEST(RngTest, LooksUniform) {
  // A very loose sanity check that the buffer is actually filled: every byte value appears.
  const std::string bytes = RandomBytes(64 * 1024);
  int counts[256] = {};
  for (unsigned char c : bytes) ++counts[c];
  for (int count : counts) {
    EXPECT_GT(count, 128);
    EXPECT_LT(count, 384);
  }
}

}  // namespace
}  // namespace kh::crypto
