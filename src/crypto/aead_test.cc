#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crypto/rng.h"

namespace kh::crypto {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

bool IsDecryptionFailure(const Status& status) {
  return status.code() == StatusCode::kInternal && status.azure_code() == kDecryptionFailed;
}

TEST(AeadTest, RoundTrip) {
  const SecretBytes key = RandomSecret(kAeadKeySize);
  StatusOr<std::string> sealed = AeadSeal(key, "hello world", "vault/a/secret/b");
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->size(), kAeadOverhead + 11);
  StatusOr<SecretBytes> opened = AeadOpen(key, *sealed, "vault/a/secret/b");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->Reveal(), "hello world");
}

TEST(AeadTest, RoundTripEdgeSizes) {
  const SecretBytes key = RandomSecret(kAeadKeySize);
  for (size_t size : {0, 1, 15, 16, 17, 4096, 100000}) {
    const std::string plaintext = RandomBytes(size);
    for (std::string_view aad : {std::string_view(), std::string_view("aad")}) {
      StatusOr<std::string> sealed = AeadSeal(key, plaintext, aad);
      ASSERT_TRUE(sealed.ok());
      StatusOr<SecretBytes> opened = AeadOpen(key, *sealed, aad);
      ASSERT_TRUE(opened.ok()) << size;
      EXPECT_EQ(opened->Reveal(), plaintext);
    }
  }
}

TEST(AeadTest, SecretPlaintextOverload) {
  const SecretBytes key = RandomSecret(kAeadKeySize);
  const SecretBytes plaintext = RandomSecret(32);
  StatusOr<std::string> sealed = AeadSeal(key, plaintext, "aad");
  ASSERT_TRUE(sealed.ok());
  StatusOr<SecretBytes> opened = AeadOpen(key, *sealed, "aad");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plaintext);
}

TEST(AeadTest, FreshNonceEachTime) {
  const SecretBytes key = RandomSecret(kAeadKeySize);
  std::set<std::string> nonces;
  for (int i = 0; i < 50; ++i) nonces.insert(AeadSeal(key, "same", "")->substr(0, kAeadNonceSize));
  EXPECT_EQ(nonces.size(), 50u);
}

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, with AAD).
TEST(AeadTest, KnownAnswer) {
  const SecretBytes key(Unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
  const std::string sealed = Unhex(
      "cafebabefacedbaddecaf888"
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
      "76fc6ece0f4e1768cddf8853bb2d551b");
  const std::string aad = Unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  StatusOr<SecretBytes> opened = AeadOpen(key, sealed, aad);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->Reveal(),
            Unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"));
}

TEST(AeadTest, DetectsEveryBitFlip) {
  const SecretBytes key = RandomSecret(kAeadKeySize);
  const std::string sealed = *AeadSeal(key, "attack at dawn", "path");
  // Every bit of nonce, ciphertext and tag is covered.
  for (size_t byte = 0; byte < sealed.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = sealed;
      tampered[byte] = static_cast<char>(tampered[byte] ^ (1 << bit));
      StatusOr<SecretBytes> opened = AeadOpen(key, tampered, "path");
      ASSERT_FALSE(opened.ok()) << byte << ":" << bit;
      EXPECT_TRUE(IsDecryptionFailure(opened.status()));
    }
  }
}

TEST(AeadTest, RejectsWrongAadKeyAndTruncation) {
  const SecretBytes key = RandomSecret(kAeadKeySize);
  const std::string sealed = *AeadSeal(key, "value", "vault/a/secret/b");
  EXPECT_TRUE(IsDecryptionFailure(AeadOpen(key, sealed, "vault/a/secret/c").status()));
  EXPECT_TRUE(IsDecryptionFailure(AeadOpen(key, sealed, "").status()));
  EXPECT_TRUE(IsDecryptionFailure(
      AeadOpen(RandomSecret(kAeadKeySize), sealed, "vault/a/secret/b").status()));
  EXPECT_TRUE(IsDecryptionFailure(
      AeadOpen(key, sealed.substr(0, sealed.size() - 1), "vault/a/secret/b").status()));
  EXPECT_TRUE(IsDecryptionFailure(AeadOpen(key, sealed + "x", "vault/a/secret/b").status()));
  EXPECT_TRUE(IsDecryptionFailure(AeadOpen(key, "", "").status()));
  EXPECT_TRUE(IsDecryptionFailure(AeadOpen(key, std::string(kAeadOverhead - 1, 'a'), "").status()));
}

TEST(AeadTest, RejectsBadKeySize) {
  for (size_t size : {0, 16, 31, 33}) {
    const SecretBytes key = RandomSecret(size);
    EXPECT_EQ(AeadSeal(key, "x", "").status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(AeadOpen(key, std::string(64, 'a'), "").status().code(),
              StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace kh::crypto
