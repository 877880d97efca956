#include "storage/internal/scan_range.h"

#include <gtest/gtest.h>

#include <string>

namespace kh::storage::internal {
namespace {

using namespace std::string_literals;

TEST(PrefixSuccessorTest, IncrementsLastByteAndDropsTrailingFF) {
  EXPECT_EQ(PrefixSuccessor("abc"), "abd");
  EXPECT_EQ(PrefixSuccessor("a\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("a\xff\xff"), "b");
  EXPECT_EQ(PrefixSuccessor("a\x7f"), "a\x80");
  EXPECT_EQ(PrefixSuccessor("\x00"s), "\x01");
  EXPECT_EQ(PrefixSuccessor(""), std::nullopt);
  EXPECT_EQ(PrefixSuccessor("\xff\xff"), std::nullopt);
}

TEST(MakeScanRangeTest, PrefixOnly) {
  ScanRange range = MakeScanRange("v/a/", "");
  EXPECT_EQ(range.lower, "v/a/");
  EXPECT_EQ(range.upper, "v/a0");
  EXPECT_FALSE(range.empty);
}

TEST(MakeScanRangeTest, StartAfterInsidePrefixIsExclusive) {
  ScanRange range = MakeScanRange("v/", "v/k");
  EXPECT_EQ(range.lower, "v/k\x00"s);
  EXPECT_EQ(range.upper, "v0");
  EXPECT_FALSE(range.empty);
}

TEST(MakeScanRangeTest, StartAfterBeforePrefixIsIgnored) {
  ScanRange range = MakeScanRange("v/", "a");
  EXPECT_EQ(range.lower, "v/");
  EXPECT_FALSE(range.empty);
}

TEST(MakeScanRangeTest, StartAfterBeyondPrefixIsEmpty) {
  EXPECT_TRUE(MakeScanRange("v/", "w").empty);
  EXPECT_TRUE(MakeScanRange("v/", "v0").empty);
  EXPECT_FALSE(MakeScanRange("v/", "v/\xff\xff").empty);
}

TEST(MakeScanRangeTest, EmptyPrefixIsUnbounded) {
  ScanRange range = MakeScanRange("", "\xff");
  EXPECT_EQ(range.lower, "\xff\x00"s);
  EXPECT_EQ(range.upper, std::nullopt);
  EXPECT_FALSE(range.empty);
}

}  // namespace
}  // namespace kh::storage::internal
