#include "core/base64.h"

#include <gtest/gtest.h>

namespace kh {
namespace {

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
}

TEST(Base64Test, RoundTripsAllBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(char(i));
  EXPECT_EQ(*Base64Decode(Base64Encode(all)), all);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(all)), all);
}

TEST(Base64Test, RejectsGarbage) {
  EXPECT_FALSE(Base64UrlDecode("a").ok());
  EXPECT_FALSE(Base64UrlDecode("ab$d").ok());
  EXPECT_FALSE(Base64Decode("ab===").ok());
}

}  // namespace
}  // namespace kh
