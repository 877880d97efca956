#include "crypto/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace kh::crypto {
namespace {

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(HashTest, Sha256) {
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, Sha1) {
  EXPECT_EQ(Hex(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1("").size(), kSha1Size);
}

// RFC 4231 test cases 1, 2 and 6.
TEST(HashTest, HmacSha256Rfc4231) {
  EXPECT_EQ(Hex(HmacSha256(SecretBytes(std::string(20, '\x0b')), "Hi There").Reveal()),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256(SecretBytes("Jefe"), "what do ya want for nothing?").Reveal()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Hex(HmacSha256(SecretBytes(std::string(131, '\xaa')),
                           "Test Using Larger Than Block-Size Key - Hash Key First")
                    .Reveal()),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HashTest, HmacSha256EmptyKeyAndData) {
  EXPECT_EQ(Hex(HmacSha256(SecretBytes(), "").Reveal()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// RFC 5869 test case 1.
TEST(HashTest, HkdfSha256Rfc5869Case1) {
  const SecretBytes okm =
      HkdfSha256(SecretBytes(std::string(22, '\x0b')), Unhex("000102030405060708090a0b0c"),
                 Unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  EXPECT_EQ(Hex(okm.Reveal()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 5869 test case 3: empty salt and info.
TEST(HashTest, HkdfSha256Rfc5869Case3) {
  const SecretBytes okm = HkdfSha256(SecretBytes(std::string(22, '\x0b')), "", "", 42);
  EXPECT_EQ(Hex(okm.Reveal()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HashTest, HkdfSha256Lengths) {
  const SecretBytes ikm("input key material");
  EXPECT_EQ(HkdfSha256(ikm, "salt", "info", 1).size(), 1u);
  EXPECT_EQ(HkdfSha256(ikm, "salt", "info", kHkdfSha256MaxLength).size(), kHkdfSha256MaxLength);
  // A shorter output is a prefix of a longer one; different info gives unrelated output.
  EXPECT_EQ(HkdfSha256(ikm, "salt", "info", 16).Reveal(),
            HkdfSha256(ikm, "salt", "info", 32).Reveal().substr(0, 16));
  EXPECT_NE(HkdfSha256(ikm, "salt", "a", 32), HkdfSha256(ikm, "salt", "b", 32));
  EXPECT_EQ(HkdfSha256(SecretBytes(), "", "", 32).size(), 32u);
}

TEST(HashDeathTest, HkdfSha256RejectsBadLength) {
  EXPECT_DEATH(HkdfSha256(SecretBytes("k"), "", "", 0), "HKDF");
  EXPECT_DEATH(HkdfSha256(SecretBytes("k"), "", "", kHkdfSha256MaxLength + 1), "HKDF");
}

TEST(HashTest, Sha256HasherDigestsOneAfterAnother) {
  Sha256Hasher hasher;
  std::string digest(kSha256Size, '\0');
  hasher.Update("ab");
  hasher.Update("c");
  hasher.Finish(digest.data());
  EXPECT_EQ(digest, Sha256("abc"));
  hasher.Update("next");
  hasher.Finish(digest.data());
  EXPECT_EQ(digest, Sha256("next")) << "a digest starts afresh after Finish";
  hasher.Finish(digest.data());
  EXPECT_EQ(digest, Sha256(""));
}

TEST(HashTest, Sha256OfPartsIsTheHashOfTheirConcatenation) {
  EXPECT_EQ(Sha256Of({"ab", "", "c"}), Sha256("abc"));
  EXPECT_EQ(Sha256Of({}), Sha256(""));
}

}  // namespace
}  // namespace kh::crypto
