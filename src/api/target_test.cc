#include "api/target.h"

#include <gtest/gtest.h>

namespace kh::api {
namespace {

TEST(TargetTest, KeepsEmptySegmentsAndDecodesQueryNames) {
  auto t = ParseTarget("/secrets/n/?api%2Dversion=2025-07-01");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->segments, (std::vector<std::string>{"secrets", "n", ""}));
  EXPECT_EQ(t->Query("api-version"), "2025-07-01");
  auto sign = ParseTarget("/keys/k1//sign");
  ASSERT_TRUE(sign.ok());
  EXPECT_EQ(sign->segments, (std::vector<std::string>{"keys", "k1", "", "sign"}));
  EXPECT_TRUE(ParseTarget("/")->segments.empty());
}

TEST(TargetTest, RejectsBadPercentEncoding) {
  EXPECT_FALSE(ParseTarget("/secrets?api-version=%zz").ok());
  EXPECT_FALSE(ParseTarget("/sec%G1rets").ok());
  EXPECT_FALSE(ParseTarget("no-slash").ok());
}

TEST(TargetTest, DecodesPathSegments) {
  auto t = ParseTarget("/secrets/a%2Db?maxresults=3&%24skiptoken=abc");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->segments[1], "a-b");
  EXPECT_EQ(t->Query("$skiptoken"), "abc");
}

}  // namespace
}  // namespace kh::api
