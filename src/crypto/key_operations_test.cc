// KeyMaterial's operations: every algorithm round-trips, results are cross-checked against plain
// OpenSSL EVP calls or published test vectors, and every wrong argument is BadParameter.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/key_material.h"
#include "crypto/key_material_test_util.h"
#include "crypto/rng.h"

namespace kh::crypto {
namespace {

using testing::EvpRsa;
using testing::IsBadParameter;
using testing::OctKey;
using testing::SharedEc;
using testing::SharedRsa2048;
using testing::Unhex;
using E = EncryptionAlgorithm;
using S = SignatureAlgorithm;

constexpr E kRsaAlgorithms[] = {E::kRsa15, E::kRsaOaep, E::kRsaOaep256};

const char* OaepMd(E alg) {
  return alg == E::kRsa15 ? nullptr : alg == E::kRsaOaep ? "SHA1" : "SHA256";
}

// ---- RSA encryption ----

TEST(KeyOperationsTest, RsaEncryptDecryptAndWrapUnwrapRoundTrip) {
  const KeyMaterial& key = SharedRsa2048().key;
  const std::string secret = RandomBytes(32);
  for (E alg : kRsaAlgorithms) {
    StatusOr<EncryptResult> sealed = key.Encrypt(alg, secret);
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    EXPECT_EQ(sealed->ciphertext.size(), 256u);
    EXPECT_TRUE(sealed->iv.empty() && sealed->tag.empty());
    StatusOr<SecretBytes> opened = key.Decrypt(alg, sealed->ciphertext);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->Reveal(), secret);

    StatusOr<std::string> wrapped = key.WrapKey(alg, secret);
    ASSERT_TRUE(wrapped.ok());
    EXPECT_NE(*wrapped, sealed->ciphertext);  // randomized padding
    StatusOr<SecretBytes> unwrapped = key.UnwrapKey(alg, *wrapped);
    ASSERT_TRUE(unwrapped.ok());
    EXPECT_EQ(unwrapped->Reveal(), secret);
  }
}

TEST(KeyOperationsTest, RsaCiphertextsInteroperateWithOpenSsl) {
  const auto& pair = SharedRsa2048();
  for (E alg : kRsaAlgorithms) {
    // Ours decrypts with plain EVP ...
    StatusOr<EncryptResult> sealed = pair.key.Encrypt(alg, "interop");
    ASSERT_TRUE(sealed.ok());
    bool ok = false;
    EXPECT_EQ(EvpRsa(pair.pkey.get(), false, OaepMd(alg), sealed->ciphertext, &ok), "interop");
    EXPECT_TRUE(ok) << AlgorithmName(alg);
    // ... and EVP's decrypts with ours.
    const std::string theirs = EvpRsa(pair.pkey.get(), true, OaepMd(alg), "from evp", &ok);
    ASSERT_TRUE(ok);
    StatusOr<SecretBytes> opened = pair.key.Decrypt(alg, theirs);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->Reveal(), "from evp");
  }
  // RSA-OAEP-256 really is SHA-256/MGF1-SHA-256: EVP with SHA-1 parameters cannot decrypt it.
  StatusOr<EncryptResult> sealed = pair.key.Encrypt(E::kRsaOaep256, "x");
  bool ok = true;
  EvpRsa(pair.pkey.get(), false, "SHA1", sealed->ciphertext, &ok);
  EXPECT_FALSE(ok);
}

TEST(KeyOperationsTest, RsaPlaintextLimits) {
  const KeyMaterial& key = SharedRsa2048().key;
  const struct {
    E alg;
    size_t max;
  } cases[] = {{E::kRsa15, 245}, {E::kRsaOaep, 214}, {E::kRsaOaep256, 190}};
  for (const auto& c : cases) {
    EXPECT_TRUE(key.Encrypt(c.alg, std::string(c.max, 'p')).ok()) << AlgorithmName(c.alg);
    EXPECT_TRUE(key.Encrypt(c.alg, "").ok());
    EXPECT_TRUE(IsBadParameter(key.Encrypt(c.alg, std::string(c.max + 1, 'p')).status(),
                               "at most " + std::to_string(c.max) + " bytes"));
    EXPECT_TRUE(IsBadParameter(key.WrapKey(c.alg, std::string(c.max + 1, 'p')).status()));
  }
}

TEST(KeyOperationsTest, RsaDecryptionFailuresSayNoMoreThanAzure) {
  const KeyMaterial& key = SharedRsa2048().key;
  StatusOr<EncryptResult> sealed = key.Encrypt(E::kRsaOaep256, "secret");
  ASSERT_TRUE(sealed.ok());
  std::string tampered = sealed->ciphertext;
  tampered[100] ^= 0x40;
  Status first = key.Decrypt(E::kRsaOaep256, tampered).status();
  EXPECT_TRUE(IsBadParameter(first, "Error occurred while decoding OAEP padding."));
  // A ciphertext for the other OAEP hash, and an all-0xff value (>= n), fail the same way.
  Status second = key.Decrypt(E::kRsaOaep, sealed->ciphertext).status();
  Status third = key.Decrypt(E::kRsaOaep256, std::string(256, '\xff')).status();
  EXPECT_EQ(second.message(), first.message());
  EXPECT_EQ(third.message(), first.message());
  EXPECT_TRUE(IsBadParameter(key.UnwrapKey(E::kRsaOaep, tampered).status(), "OAEP"));

  // RSA1_5: an error, or (OpenSSL >= 3.2's implicit rejection) a random message, never the
  // plaintext.
  sealed = key.Encrypt(E::kRsa15, "secret");
  tampered = sealed->ciphertext;
  tampered[2] ^= 0x01;
  StatusOr<SecretBytes> opened = key.Decrypt(E::kRsa15, tampered);
  if (opened.ok()) {
    EXPECT_NE(opened->Reveal(), "secret");
  } else {
    EXPECT_TRUE(IsBadParameter(opened.status()));
  }
  // The wrong length is an argument error, reported before any private-key operation.
  EXPECT_TRUE(IsBadParameter(key.Decrypt(E::kRsaOaep256, std::string(255, 'c')).status(),
                             "Invalid length of 'value': 255 bytes"));
  EXPECT_TRUE(IsBadParameter(key.Decrypt(E::kRsa15, "").status(), "requires 256 bytes"));
}

// ---- AES ----

struct AesCase {
  E alg;
  size_t key_bytes;
};
constexpr AesCase kGcmCases[] = {{E::kA128Gcm, 16}, {E::kA192Gcm, 24}, {E::kA256Gcm, 32}};
constexpr AesCase kCbcCases[] = {{E::kA128Cbc, 16},    {E::kA192Cbc, 24},    {E::kA256Cbc, 32},
                                 {E::kA128CbcPad, 16}, {E::kA192CbcPad, 24}, {E::kA256CbcPad, 32}};
constexpr AesCase kKwCases[] = {{E::kA128Kw, 16},           {E::kA192Kw, 24},
                                {E::kA256Kw, 32},           {E::kCkmAesKeyWrap, 16},
                                {E::kCkmAesKeyWrap, 24},    {E::kCkmAesKeyWrap, 32},
                                {E::kCkmAesKeyWrapPad, 16}, {E::kCkmAesKeyWrapPad, 32}};

TEST(KeyOperationsTest, AesGcmRoundTripsWithFreshIvs) {
  for (const AesCase& c : kGcmCases) {
    KeyMaterial key = OctKey(RandomBytes(c.key_bytes));
    for (size_t size : {0, 1, 16, 1000}) {
      const std::string plaintext = RandomBytes(size);
      StatusOr<EncryptResult> sealed = key.Encrypt(c.alg, plaintext, {"", "aad", ""});
      ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
      EXPECT_EQ(sealed->iv.size(), kAesGcmIvSize);
      EXPECT_EQ(sealed->tag.size(), kAesGcmTagSize);
      EXPECT_EQ(sealed->ciphertext.size(), size);
      StatusOr<SecretBytes> opened =
          key.Decrypt(c.alg, sealed->ciphertext, {sealed->iv, "aad", sealed->tag});
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      EXPECT_EQ(opened->Reveal(), plaintext);
    }
    StatusOr<EncryptResult> a = key.Encrypt(c.alg, "same");
    StatusOr<EncryptResult> b = key.Encrypt(c.alg, "same");
    EXPECT_NE(a->iv, b->iv);
    EXPECT_NE(a->ciphertext, b->ciphertext);
  }
}

TEST(KeyOperationsTest, AesCbcRoundTrips) {
  for (const AesCase& c : kCbcCases) {
    KeyMaterial key = OctKey(RandomBytes(c.key_bytes));
    const bool pad = Info(c.alg).mode == CipherMode::kAesCbcPad;
    for (size_t size : {0, 16, 48, 5, 33}) {
      if (!pad && size % 16 != 0) continue;
      const std::string plaintext = RandomBytes(size);
      StatusOr<EncryptResult> sealed = key.Encrypt(c.alg, plaintext);  // random IV
      ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
      EXPECT_EQ(sealed->iv.size(), kAesCbcIvSize);
      EXPECT_TRUE(sealed->tag.empty());
      EXPECT_EQ(sealed->ciphertext.size(), pad ? (size / 16 + 1) * 16 : size);
      StatusOr<SecretBytes> opened = key.Decrypt(c.alg, sealed->ciphertext, {.iv = sealed->iv});
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      EXPECT_EQ(opened->Reveal(), plaintext);
    }
  }
}

TEST(KeyOperationsTest, AesKeyWrapRoundTrips) {
  for (const AesCase& c : kKwCases) {
    KeyMaterial key = OctKey(RandomBytes(c.key_bytes));
    const bool pad = Info(c.alg).mode == CipherMode::kAesKwPad;
    for (size_t size : {16, 24, 32, 64, 1, 7, 20}) {
      if (!pad && size % 8 != 0) continue;
      const std::string secret = RandomBytes(size);
      StatusOr<std::string> wrapped = key.WrapKey(c.alg, secret);
      ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
      EXPECT_EQ(wrapped->size(), (size + 7) / 8 * 8 + 8);
      StatusOr<SecretBytes> unwrapped = key.UnwrapKey(c.alg, *wrapped);
      ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
      EXPECT_EQ(unwrapped->Reveal(), secret);
    }
  }
}

TEST(KeyOperationsTest, AesGcmMatchesTheGcmSpecificationVectors) {
  // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 3, 4, 10 and 16 (the
  // vectors NIST's GCM validation uses).
  const std::string p = Unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
  const std::string iv = Unhex("cafebabefacedbaddecaf888");
  const std::string aad = Unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const struct {
    E alg;
    const char* key;
    size_t plaintext_size;
    bool with_aad;
    const char* ciphertext;
    const char* tag;
  } cases[] = {
      {E::kA128Gcm, "feffe9928665731c6d6a8f9467308308", 64, false,
       "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
       "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
       "4d5c2af327cd64a62cf35abd2ba6fab4"},
      {E::kA128Gcm, "feffe9928665731c6d6a8f9467308308", 60, true,
       "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
       "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
       "5bc94fbc3221a5db94fae95ae7121a47"},
      {E::kA192Gcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c", 60, true,
       "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c"
       "7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
       "2519498e80f1478f37ba55bd6d27618c"},
      {E::kA256Gcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", 60, true,
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
       "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
       "76fc6ece0f4e1768cddf8853bb2d551b"},
  };
  for (const auto& c : cases) {
    KeyMaterial key = OctKey(Unhex(c.key));
    const std::string tag = Unhex(c.tag);
    const std::string used_aad = c.with_aad ? aad : "";
    StatusOr<SecretBytes> opened = key.Decrypt(c.alg, Unhex(c.ciphertext), {iv, used_aad, tag});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->Reveal(), p.substr(0, c.plaintext_size));
    std::string bad_tag = tag;
    bad_tag[15] ^= 1;
    EXPECT_TRUE(
        IsBadParameter(key.Decrypt(c.alg, Unhex(c.ciphertext), {iv, used_aad, bad_tag}).status()));
  }
}

TEST(KeyOperationsTest, AesCbcMatchesSp800_38aVectors) {
  // NIST SP 800-38A F.2.1, F.2.3 and F.2.5 (CBC-AES128/192/256.Encrypt).
  const std::string iv = Unhex("000102030405060708090a0b0c0d0e0f");
  const std::string p = Unhex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  const struct {
    E alg;
    E pad_alg;
    const char* key;
    const char* ciphertext;
  } cases[] = {
      {E::kA128Cbc, E::kA128CbcPad, "2b7e151628aed2a6abf7158809cf4f3c",
       "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
       "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
      {E::kA192Cbc, E::kA192CbcPad, "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
       "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
       "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd"},
      {E::kA256Cbc, E::kA256CbcPad,
       "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
       "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
       "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
  };
  for (const auto& c : cases) {
    KeyMaterial key = OctKey(Unhex(c.key));
    StatusOr<EncryptResult> sealed = key.Encrypt(c.alg, p, {.iv = iv});
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    EXPECT_EQ(testing::Hex(sealed->ciphertext), c.ciphertext);
    EXPECT_EQ(sealed->iv, iv);
    StatusOr<SecretBytes> opened = key.Decrypt(c.alg, Unhex(c.ciphertext), {.iv = iv});
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(opened->Reveal(), p);
    // With PKCS#7 padding the same blocks come first, then one block of padding.
    StatusOr<EncryptResult> padded = key.Encrypt(c.pad_alg, p, {.iv = iv});
    ASSERT_TRUE(padded.ok());
    EXPECT_EQ(padded->ciphertext.size(), 80u);
    EXPECT_EQ(testing::Hex(padded->ciphertext.substr(0, 64)), c.ciphertext);
  }
}

TEST(KeyOperationsTest, AesKeyWrapMatchesRfc3394AndRfc5649Vectors) {
  const std::string kek256 =
      Unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const std::string data128 = Unhex("00112233445566778899aabbccddeeff");
  const struct {
    E alg;
    std::string kek;
    std::string data;
    const char* wrapped;
  } cases[] = {
      // RFC 3394 4.1, 4.2, 4.6.
      {E::kA128Kw, kek256.substr(0, 16), data128,
       "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"},
      {E::kA192Kw, kek256.substr(0, 24), data128,
       "96778b25ae6ca435f92b5b97c050aed2468ab8a17ad84e5d"},
      {E::kA256Kw, kek256, data128 + kek256.substr(0, 16),
       "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"},
      {E::kCkmAesKeyWrap, kek256.substr(0, 16), data128,
       "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"},
      // RFC 5649 section 6.
      {E::kCkmAesKeyWrapPad, Unhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8"),
       Unhex("c37b7e6492584340bed12207808941155068f738"),
       "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"},
      {E::kCkmAesKeyWrapPad, Unhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8"),
       Unhex("466f7250617369"), "afbeb0f07dfbf5419200f2ccb50bb24f"},
  };
  for (const auto& c : cases) {
    KeyMaterial key = OctKey(c.kek);
    StatusOr<std::string> wrapped = key.WrapKey(c.alg, c.data);
    ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
    EXPECT_EQ(testing::Hex(*wrapped), c.wrapped) << AlgorithmName(c.alg);
    StatusOr<SecretBytes> unwrapped = key.UnwrapKey(c.alg, Unhex(c.wrapped));
    ASSERT_TRUE(unwrapped.ok());
    EXPECT_EQ(unwrapped->Reveal(), c.data);
  }
}

TEST(KeyOperationsTest, AesGcmOutputDecryptsWithOpenSsl) {
  const std::string raw = RandomBytes(32);
  KeyMaterial key = OctKey(raw);
  StatusOr<EncryptResult> sealed = key.Encrypt(E::kA256Gcm, "plain text", {"", "the aad", ""});
  ASSERT_TRUE(sealed.ok());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ASSERT_EQ(
      EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), testing::U(raw), testing::U(sealed->iv), nullptr),
      1);
  int length = 0;
  ASSERT_EQ(EVP_DecryptUpdate(ctx, nullptr, &length, testing::U("the aad"), 7), 1);
  std::string out(sealed->ciphertext.size(), '\0');
  ASSERT_EQ(EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &length,
                              testing::U(sealed->ciphertext), int(sealed->ciphertext.size())),
            1);
  ASSERT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, sealed->tag.data()), 1);
  unsigned char scratch[16];
  EXPECT_EQ(EVP_DecryptFinal_ex(ctx, scratch, &length), 1);
  EXPECT_EQ(out, "plain text");
  EVP_CIPHER_CTX_free(ctx);
}

TEST(KeyOperationsTest, AesDecryptionFailuresLookAlike) {
  KeyMaterial key = OctKey(RandomBytes(32));
  StatusOr<EncryptResult> sealed = key.Encrypt(E::kA256Gcm, "secret", {"", "aad", ""});
  ASSERT_TRUE(sealed.ok());
  std::string bad_tag = sealed->tag;
  bad_tag[0] ^= 1;
  std::string bad_ciphertext = sealed->ciphertext;
  bad_ciphertext[0] ^= 1;
  std::string bad_iv = sealed->iv;
  bad_iv[0] ^= 1;
  const Status failures[] = {
      key.Decrypt(E::kA256Gcm, sealed->ciphertext, {sealed->iv, "aad", bad_tag}).status(),
      key.Decrypt(E::kA256Gcm, sealed->ciphertext, {sealed->iv, "other", sealed->tag}).status(),
      key.Decrypt(E::kA256Gcm, sealed->ciphertext, {sealed->iv, "", sealed->tag}).status(),
      key.Decrypt(E::kA256Gcm, bad_ciphertext, {sealed->iv, "aad", sealed->tag}).status(),
      key.Decrypt(E::kA256Gcm, sealed->ciphertext, {bad_iv, "aad", sealed->tag}).status(),
      OctKey(RandomBytes(32))
          .Decrypt(E::kA256Gcm, sealed->ciphertext, {sealed->iv, "aad", sealed->tag})
          .status(),
  };
  for (const Status& status : failures) {
    EXPECT_TRUE(IsBadParameter(status));
    EXPECT_EQ(status.message(), failures[0].message());
  }
  // CBC-PAD: a last block that decrypts to an invalid padding byte (0x00).
  const std::string iv(16, 'i');
  StatusOr<EncryptResult> raw = key.Encrypt(E::kA256Cbc, std::string(16, '\0'), {.iv = iv});
  ASSERT_TRUE(raw.ok());
  Status bad_padding = key.Decrypt(E::kA256CbcPad, raw->ciphertext, {.iv = iv}).status();
  EXPECT_TRUE(IsBadParameter(bad_padding));
  EXPECT_EQ(bad_padding.message(), failures[0].message());
  // Key wrap integrity check.
  StatusOr<std::string> wrapped = key.WrapKey(E::kA256Kw, std::string(32, 'k'));
  ASSERT_TRUE(wrapped.ok());
  (*wrapped)[5] ^= 1;
  EXPECT_TRUE(IsBadParameter(key.UnwrapKey(E::kA256Kw, *wrapped).status(), "unwrapped"));
  EXPECT_TRUE(IsBadParameter(
      OctKey(RandomBytes(32)).UnwrapKey(E::kCkmAesKeyWrapPad, std::string(24, 'w')).status()));
}

TEST(KeyOperationsTest, AesArgumentErrors) {
  KeyMaterial k128 = OctKey(RandomBytes(16));
  KeyMaterial k256 = OctKey(RandomBytes(32));
  const std::string iv12(12, 'i'), iv16(16, 'i'), tag(16, 't');
  // Key size must match the algorithm.
  EXPECT_TRUE(IsBadParameter(k256.Encrypt(E::kA128Gcm, "x").status(),
                             "Key and encryption algorithm are incompatible"));
  EXPECT_TRUE(IsBadParameter(k128.Encrypt(E::kA256CbcPad, "x").status(), "256-bit key"));
  EXPECT_TRUE(IsBadParameter(k128.WrapKey(E::kA192Kw, std::string(16, 'k')).status()));
  EXPECT_TRUE(IsBadParameter(k256.Decrypt(E::kA128Gcm, "x", {iv12, "", tag}).status()));
  // Wrong operation for the algorithm.
  EXPECT_TRUE(IsBadParameter(k128.Encrypt(E::kA128Kw, std::string(16, 'k')).status(), "wrapKey"));
  EXPECT_TRUE(IsBadParameter(k128.Decrypt(E::kCkmAesKeyWrap, std::string(24, 'k')).status()));
  EXPECT_TRUE(IsBadParameter(k128.WrapKey(E::kA128Gcm, std::string(16, 'k')).status(), "encrypt"));
  EXPECT_TRUE(IsBadParameter(k128.UnwrapKey(E::kA128CbcPad, std::string(32, 'k')).status()));
  // GCM: no caller IV on encrypt; iv and tag required and sized on decrypt.
  EXPECT_TRUE(IsBadParameter(k128.Encrypt(E::kA128Gcm, "x", {.iv = iv12}).status(), "'iv'"));
  EXPECT_TRUE(IsBadParameter(k128.Decrypt(E::kA128Gcm, "x", {"", "", tag}).status(), "'iv'"));
  EXPECT_TRUE(IsBadParameter(k128.Decrypt(E::kA128Gcm, "x", {iv16, "", tag}).status(),
                             "Invalid length of 'iv': 16 bytes. A128GCM requires 12 bytes."));
  EXPECT_TRUE(IsBadParameter(k128.Decrypt(E::kA128Gcm, "x", {iv12, "", ""}).status(), "'tag'"));
  EXPECT_TRUE(IsBadParameter(k128.Decrypt(E::kA128Gcm, "x", {iv12, "", "short"}).status(),
                             "Invalid length of 'tag': 5 bytes"));
  // CBC: 16-byte IV; block multiples.
  EXPECT_TRUE(IsBadParameter(k128.Encrypt(E::kA128Cbc, std::string(16, 'p'), {.iv = iv12}).status(),
                             "Invalid length of 'iv': 12 bytes"));
  EXPECT_TRUE(IsBadParameter(k128.Encrypt(E::kA128Cbc, std::string(17, 'p'), {.iv = iv16}).status(),
                             "multiple of 16"));
  EXPECT_TRUE(IsBadParameter(k128.Decrypt(E::kA128Cbc, std::string(16, 'c')).status(), "'iv'"));
  EXPECT_TRUE(
      IsBadParameter(k128.Decrypt(E::kA128Cbc, std::string(17, 'c'), {.iv = iv16}).status()));
  EXPECT_TRUE(IsBadParameter(k128.Decrypt(E::kA128CbcPad, "", {.iv = iv16}).status(), "non-zero"));
  // Key wrap lengths.
  for (size_t size : {0, 8, 15, 20}) {
    EXPECT_TRUE(IsBadParameter(k128.WrapKey(E::kA128Kw, std::string(size, 'k')).status())) << size;
  }
  EXPECT_TRUE(IsBadParameter(k128.WrapKey(E::kCkmAesKeyWrapPad, "").status()));
  EXPECT_TRUE(IsBadParameter(k128.UnwrapKey(E::kA128Kw, std::string(16, 'w')).status()));
  EXPECT_TRUE(IsBadParameter(k128.UnwrapKey(E::kA128Kw, std::string(25, 'w')).status()));
  EXPECT_TRUE(IsBadParameter(k128.UnwrapKey(E::kCkmAesKeyWrapPad, std::string(8, 'w')).status()));
  // Input limit.
  EXPECT_TRUE(IsBadParameter(
      k128.Encrypt(E::kA128CbcPad, std::string(kMaxKeyOperationInputBytes + 1, 'p')).status(),
      "limit"));
}

TEST(KeyOperationsTest, AlgorithmsRequireTheirKeyType) {
  const KeyMaterial& rsa = SharedRsa2048().key;
  const KeyMaterial& ec = SharedEc(EcCurve::kP256).key;
  KeyMaterial oct = OctKey(RandomBytes(32));
  EXPECT_TRUE(IsBadParameter(rsa.Encrypt(E::kA256Gcm, "x").status(),
                             "The key is of type 'RSA' and algorithm 'A256GCM' requires an oct "
                             "key."));
  EXPECT_TRUE(IsBadParameter(rsa.WrapKey(E::kA256Kw, std::string(16, 'k')).status()));
  EXPECT_TRUE(IsBadParameter(oct.Encrypt(E::kRsaOaep256, "x").status(), "requires an RSA key"));
  EXPECT_TRUE(IsBadParameter(oct.UnwrapKey(E::kRsa15, std::string(256, 'x')).status()));
  for (E alg : {E::kRsaOaep256, E::kA256Gcm}) {
    EXPECT_TRUE(IsBadParameter(ec.Encrypt(alg, "x").status(), "type 'EC'"));
    EXPECT_TRUE(IsBadParameter(ec.Decrypt(alg, "x").status()));
  }
  EXPECT_TRUE(IsBadParameter(ec.WrapKey(E::kRsaOaep, "x").status()));
  EXPECT_TRUE(IsBadParameter(ec.UnwrapKey(E::kA256Kw, std::string(24, 'x')).status()));
  EXPECT_TRUE(IsBadParameter(rsa.Sign(S::kEs256, std::string(32, 'd')).status(),
                             "Key and signing algorithm are incompatible"));
  EXPECT_TRUE(IsBadParameter(rsa.Sign(S::kHs256, "d").status(), "requires an oct key"));
  EXPECT_TRUE(IsBadParameter(ec.Sign(S::kRs256, std::string(32, 'd')).status(), "RSA key"));
  EXPECT_TRUE(IsBadParameter(ec.Verify(S::kPs256, std::string(32, 'd'), "sig").status()));
  EXPECT_TRUE(IsBadParameter(oct.Sign(S::kEs256, std::string(32, 'd')).status()));
  EXPECT_TRUE(IsBadParameter(oct.Verify(S::kRsNull, "d", "sig").status()));
}

TEST(KeyOperationsTest, LeavesNoOpenSslErrorsBehind) {
  ERR_clear_error();
  const KeyMaterial& rsa = SharedRsa2048().key;
  KeyMaterial oct = OctKey(RandomBytes(32));
  EXPECT_FALSE(rsa.Decrypt(E::kRsaOaep, std::string(256, '\x01')).ok());
  EXPECT_FALSE(rsa.Decrypt(E::kRsa15, std::string(256, '\xff')).ok());
  EXPECT_FALSE(
      oct.Decrypt(E::kA256Gcm, "x", {std::string(12, 'i'), "", std::string(16, 't')}).ok());
  EXPECT_FALSE(oct.UnwrapKey(E::kA256Kw, std::string(24, 'w')).ok());
  EXPECT_FALSE(*rsa.Verify(S::kRs256, std::string(32, 'd'), std::string(256, '\x01')));
  EXPECT_FALSE(*SharedEc(EcCurve::kP384)
                    .key.Verify(S::kEs384, std::string(48, 'd'), std::string(96, '\x01')));
  JwkKeyComponents bad_ec = testing::EcJwk(SharedEc(EcCurve::kP256).pkey.get(), EcCurve::kP256);
  bad_ec.x[5] ^= 1;
  EXPECT_FALSE(KeyMaterial::Import(bad_ec).ok());
  EXPECT_FALSE(
      KeyMaterial::Deserialize(SecretBytes(std::string("\x01R") + std::string(99, '0'))).ok());
  EXPECT_TRUE(KeyMaterial::Deserialize(SharedEc(EcCurve::kP521).key.Serialize()).ok());
  EXPECT_TRUE(KeyMaterial::Deserialize(rsa.Serialize()).ok());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace kh::crypto
