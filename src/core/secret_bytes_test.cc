#include "core/secret_bytes.h"

#include <gtest/gtest.h>

namespace kh {
namespace {

TEST(SecretBytesTest, CopiesAreDeepAndEqual) {
  SecretBytes a(std::string_view("hunter2"));
  SecretBytes b = a;
  EXPECT_TRUE(a == b);
  b.MutableData()[0] = 'H';
  EXPECT_FALSE(a == b);
  EXPECT_EQ(a.Reveal(), "hunter2");
}

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  SecretBytes a(std::string_view("key"));
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT: checking moved-from state on purpose
  EXPECT_EQ(b.Reveal(), "key");
}

TEST(SecretBytesTest, ResizeKeepsPrefix) {
  SecretBytes a(std::string_view("abc"));
  a.Resize(5);
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(a.Reveal().substr(0, 3), "abc");
  EXPECT_EQ(a.Reveal()[4], '\0');
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace kh
