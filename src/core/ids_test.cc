#include "core/ids.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace kh {
namespace {

TEST(IdsTest, VersionIdsAre32HexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewVersionId();
    EXPECT_TRUE(std::regex_match(id, std::regex("^[0-9a-f]{32}$")));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(IdsTest, GuidHasVersion4Shape) {
  EXPECT_TRUE(std::regex_match(
      NewGuid(),
      std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")));
}

}  // namespace
}  // namespace kh
