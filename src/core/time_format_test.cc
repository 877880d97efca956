#include "core/time_format.h"

#include <gtest/gtest.h>

namespace kh {
namespace {

TEST(TimeFormatTest, FormatsAndParsesUtc) {
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(ParseIso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIso8601(FormatIso8601(1796012345)), 1796012345);
  EXPECT_EQ(ParseIso8601("2026-11-30T10:00:00.1234567Z"), ParseIso8601("2026-11-30T10:00:00Z"));
  EXPECT_EQ(ParseIso8601("2026-11-30T12:00:00+02:00"), ParseIso8601("2026-11-30T10:00:00Z"));
  EXPECT_EQ(ParseIso8601("2026-11-30"), ParseIso8601("2026-11-30T00:00:00Z"));
}

TEST(TimeFormatTest, RejectsMalformedAndImpossibleDates) {
  for (const char* bad :
       {"", "2026", "2026-13-01", "2026-02-30", "2026-11-30T25:00:00Z", "2026-11-30T10:00:00",
        "2026-11-30 10:00:00Z", "2026-11-30T10:00:00+2", "2026-11-30T10:00:00.Z", "yesterday"}) {
    EXPECT_FALSE(ParseIso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace kh
