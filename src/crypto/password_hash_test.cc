#include "crypto/password_hash.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace kh::crypto {
namespace {

// Most tests use a low cost; DefaultCost covers the real parameters once.
constexpr ScryptParams kCheap{4, 8, 1};

TEST(PasswordHashTest, DefaultCost) {
  const auto start = std::chrono::steady_clock::now();
  const std::string encoded = HashPassword("correct horse battery staple");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(encoded.rfind("scrypt$15$8$1$", 0), 0u) << encoded;
  EXPECT_EQ(encoded.size(), std::string("scrypt$15$8$1$").size() + 22 + 1 + 43);
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", encoded));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapl", encoded));
  // Not a benchmark; only catches the cost silently dropping to something trivial.
  EXPECT_GT(elapsed, std::chrono::milliseconds(5));
}

TEST(PasswordHashTest, SaltedAndVerifiable) {
  const std::string a = HashPasswordWithParams("secret", kCheap);
  const std::string b = HashPasswordWithParams("secret", kCheap);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("scrypt$4$8$1$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("secret", a));
  EXPECT_TRUE(VerifyPassword("secret", b));
  EXPECT_FALSE(VerifyPassword("Secret", a));
  EXPECT_FALSE(VerifyPassword("", a));
  // Not asserted: "secret\0" also verifies, since HMAC zero-pads its key (see the header).
}

TEST(PasswordHashTest, EmptyAndBinaryPasswords) {
  const std::string empty = HashPasswordWithParams("", kCheap);
  EXPECT_TRUE(VerifyPassword("", empty));
  EXPECT_FALSE(VerifyPassword("x", empty));
  const std::string binary("\0\xff$\n", 4);
  EXPECT_TRUE(VerifyPassword(binary, HashPasswordWithParams(binary, kCheap)));
}

TEST(PasswordHashTest, RejectsTamperedHash) {
  std::string encoded = HashPasswordWithParams("secret", kCheap);
  // Flip the last hash character (stays valid base64url) and change the cost.
  std::string flipped = encoded;
  flipped[flipped.size() - 2] = flipped[flipped.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyPassword("secret", flipped));
  std::string recosted = encoded;
  recosted.replace(0, 9, "scrypt$5$");
  EXPECT_FALSE(VerifyPassword("secret", recosted));
}

TEST(PasswordHashTest, RejectsMalformed) {
  const std::string good = HashPasswordWithParams("pw", kCheap);
  const std::string salt_and_hash = good.substr(std::string("scrypt$4$8$1$").size());
  for (const std::string& bad : {
           std::string(),
           std::string("scrypt"),
           std::string("$$$$$"),
           "bcrypt$4$8$1$" + salt_and_hash,
           "scrypt$4$8$" + salt_and_hash,
           "scrypt$4$8$1$1$" + salt_and_hash,
           "scrypt$x$8$1$" + salt_and_hash,
           "scrypt$-4$8$1$" + salt_and_hash,
           "scrypt$+4$8$1$" + salt_and_hash,
           "scrypt$$8$1$" + salt_and_hash,
           "scrypt$0$8$1$" + salt_and_hash,
           "scrypt$40$8$1$" + salt_and_hash,
           "scrypt$21$8$1$" + salt_and_hash,
           "scrypt$20$32$1$" + salt_and_hash,  // 4 GiB: over the memory bound
           "scrypt$4$0$1$" + salt_and_hash,
           "scrypt$4$8$0$" + salt_and_hash,
           "scrypt$4$8$99$" + salt_and_hash,
           "scrypt$4$8$1$" + salt_and_hash + "$",
           "scrypt$4$8$1$!!!!$" + good.substr(good.rfind('$') + 1),
           "scrypt$4$8$1$AAAA$" + good.substr(good.rfind('$') + 1),  // 3-byte salt
           good.substr(0, good.rfind('$') + 1) + "AAAA",             // 3-byte hash
           good.substr(0, good.rfind('$') + 1),
       }) {
    EXPECT_FALSE(VerifyPassword("pw", bad)) << bad;
  }
}

}  // namespace
}  // namespace kh::crypto
