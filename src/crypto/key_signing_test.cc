// KeyMaterial::Sign and Verify, cross-checked with plain OpenSSL EVP calls.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "crypto/key_material.h"
#include "crypto/key_material_test_util.h"
#include "crypto/rng.h"

namespace kh::crypto {
namespace {

using testing::DerToJose;
using testing::Digest;
using testing::EvpSign;
using testing::EvpVerify;
using testing::IsBadParameter;
using testing::JoseToDer;
using testing::OctKey;
using testing::SharedEc;
using testing::SharedRsa2048;
using testing::Unhex;
using S = SignatureAlgorithm;

constexpr S kRsaAlgorithms[] = {S::kRs256, S::kRs384, S::kRs512, S::kPs256, S::kPs384, S::kPs512};

bool IsPss(S alg) { return Info(alg).scheme == SignatureScheme::kRsaPss; }
const char* Md(S alg) {
  const std::string_view d = Info(alg).digest;
  return d == "SHA256" ? "SHA256" : d == "SHA384" ? "SHA384" : "SHA512";
}

TEST(KeySigningTest, RsaSignaturesInteroperateWithOpenSsl) {
  const auto& pair = SharedRsa2048();
  const std::string message = "the message the client hashed";
  for (S alg : kRsaAlgorithms) {
    const std::string digest = Digest(Md(alg), message);
    StatusOr<std::string> sig = pair.key.Sign(alg, digest);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_EQ(sig->size(), 256u);
    // Ours verifies with EVP over the message (EVP hashes it itself) ...
    EXPECT_TRUE(EvpVerify(pair.pkey.get(), Md(alg), message, *sig, IsPss(alg)))
        << AlgorithmName(alg);
    EXPECT_TRUE(*pair.key.Verify(alg, digest, *sig));
    // ... and EVP's verifies with ours.
    const std::string theirs = EvpSign(pair.pkey.get(), Md(alg), message, IsPss(alg));
    EXPECT_TRUE(*pair.key.Verify(alg, digest, theirs)) << AlgorithmName(alg);
    // PKCS#1 v1.5 is deterministic; PSS is randomized.
    if (IsPss(alg)) {
      EXPECT_NE(*pair.key.Sign(alg, digest), *sig);
    } else {
      EXPECT_EQ(theirs, *sig);
    }
  }
}

TEST(KeySigningTest, PssUsesTheDigestLengthAsSaltLength) {
  const auto& pair = SharedRsa2048();
  const std::string message = "salted";
  const std::string digest = Digest("SHA256", message);
  // A PSS signature with the maximum salt length is valid PSS but not PS256 as Azure, .NET and
  // the Python SDK define it (salt = digest length), so it does not verify.
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  ASSERT_EQ(EVP_DigestSignInit_ex(ctx, &pctx, "SHA256", nullptr, nullptr, pair.pkey.get(), nullptr),
            1);
  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_MAX);
  std::string sig(256, '\0');
  size_t size = sig.size();
  ASSERT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size,
                           testing::U(message), message.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EXPECT_FALSE(*pair.key.Verify(S::kPs256, digest, sig));
  // Ours verifies under an explicit 32-byte salt length.
  StatusOr<std::string> ours = pair.key.Sign(S::kPs256, digest);
  ctx = EVP_MD_CTX_new();
  ASSERT_EQ(
      EVP_DigestVerifyInit_ex(ctx, &pctx, "SHA256", nullptr, nullptr, pair.pkey.get(), nullptr), 1);
  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32);
  EXPECT_EQ(
      EVP_DigestVerify(ctx, testing::U(*ours), ours->size(), testing::U(message), message.size()),
      1);
  EVP_MD_CTX_free(ctx);
}

TEST(KeySigningTest, RsNullSignsTheGivenBytes) {
  const KeyMaterial& key = SharedRsa2048().key;
  const std::string digest = Digest("SHA256", "data");
  // RSNULL over a SHA-256 DigestInfo is exactly RS256 over the digest.
  const std::string digest_info = Unhex("3031300d060960864801650304020105000420") + digest;
  StatusOr<std::string> raw = key.Sign(S::kRsNull, digest_info);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(*raw, *key.Sign(S::kRs256, digest));
  EXPECT_TRUE(*key.Verify(S::kRsNull, digest_info, *raw));
  EXPECT_FALSE(*key.Verify(S::kRsNull, digest_info.substr(1), *raw));
  // Any length from 1 to k - 11 bytes.
  EXPECT_TRUE(key.Sign(S::kRsNull, std::string(245, 'x')).ok());
  EXPECT_TRUE(IsBadParameter(key.Sign(S::kRsNull, std::string(246, 'x')).status(), "1 to 245"));
  EXPECT_TRUE(IsBadParameter(key.Sign(S::kRsNull, "").status()));
}

TEST(KeySigningTest, EcdsaSignaturesInteroperateWithOpenSsl) {
  const struct {
    S alg;
    EcCurve curve;
    const char* md;
  } cases[] = {{S::kEs256, EcCurve::kP256, "SHA256"},
               {S::kEs256K, EcCurve::kP256K, "SHA256"},
               {S::kEs384, EcCurve::kP384, "SHA384"},
               {S::kEs512, EcCurve::kP521, "SHA512"}};
  const std::string message = "ecdsa message";
  for (const auto& c : cases) {
    const auto& pair = SharedEc(c.curve);
    const size_t half = CurveCoordinateSize(c.curve);
    const std::string digest = Digest(c.md, message);
    StatusOr<std::string> sig = pair.key.Sign(c.alg, digest);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    ASSERT_EQ(sig->size(), 2 * half) << AlgorithmName(c.alg);
    EXPECT_TRUE(EvpVerify(pair.pkey.get(), c.md, message, JoseToDer(*sig)));
    EXPECT_TRUE(*pair.key.Verify(c.alg, digest, *sig));
    const std::string theirs = DerToJose(EvpSign(pair.pkey.get(), c.md, message), half);
    EXPECT_TRUE(*pair.key.Verify(c.alg, digest, theirs)) << AlgorithmName(c.alg);
    // Wrong signatures verify false, never an error.
    std::string tampered = *sig;
    tampered[3] ^= 1;
    EXPECT_FALSE(*pair.key.Verify(c.alg, digest, tampered));
    EXPECT_FALSE(*pair.key.Verify(c.alg, digest, sig->substr(1)));
    EXPECT_FALSE(*pair.key.Verify(c.alg, digest, ""));
    EXPECT_FALSE(*pair.key.Verify(c.alg, digest, std::string(2 * half, '\0')));
    EXPECT_FALSE(*pair.key.Verify(c.alg, digest, std::string(2 * half, '\xff')));
    std::string other_digest = digest;
    other_digest[0] ^= 1;
    EXPECT_FALSE(*pair.key.Verify(c.alg, other_digest, *sig));
  }
}

TEST(KeySigningTest, EcdsaRequiresTheMatchingCurve) {
  const KeyMaterial& p384 = SharedEc(EcCurve::kP384).key;
  EXPECT_TRUE(
      IsBadParameter(p384.Sign(S::kEs256, std::string(32, 'd')).status(),
                     "Key and signing algorithm are incompatible. The key uses curve "
                     "'P-384', and algorithm 'ES256' can only be used with curve 'P-256'."));
  EXPECT_TRUE(
      IsBadParameter(SharedEc(EcCurve::kP256).key.Sign(S::kEs256K, std::string(32, 'd')).status(),
                     "curve 'P-256K'"));
  EXPECT_TRUE(IsBadParameter(
      SharedEc(EcCurve::kP256K).key.Verify(S::kEs256, std::string(32, 'd'), "x").status()));
  EXPECT_TRUE(
      IsBadParameter(SharedEc(EcCurve::kP521).key.Sign(S::kEs384, std::string(48, 'd')).status()));
}

TEST(KeySigningTest, DigestLengthMustMatchTheAlgorithm) {
  const KeyMaterial& rsa = SharedRsa2048().key;
  EXPECT_TRUE(IsBadParameter(
      rsa.Sign(S::kRs256, std::string(10, 'd')).status(),
      "Invalid length of 'value': 10 bytes. RS256 requires 32 bytes, encoded with base64url."));
  EXPECT_TRUE(IsBadParameter(rsa.Verify(S::kPs384, std::string(32, 'd'), "sig").status(),
                             "Invalid length of 'digest': 32 bytes. PS384 requires 48 bytes"));
  EXPECT_TRUE(IsBadParameter(rsa.Sign(S::kRs512, std::string(48, 'd')).status()));
  EXPECT_TRUE(IsBadParameter(rsa.Sign(S::kPs256, "").status()));
  EXPECT_TRUE(
      IsBadParameter(SharedEc(EcCurve::kP256).key.Sign(S::kEs256, std::string(43, 'd')).status(),
                     "ES256 requires 32 bytes"));
  EXPECT_TRUE(
      IsBadParameter(SharedEc(EcCurve::kP521).key.Sign(S::kEs512, std::string(66, 'd')).status(),
                     "ES512 requires 64 bytes"));
  EXPECT_TRUE(IsBadParameter(
      SharedEc(EcCurve::kP256K).key.Verify(S::kEs256K, std::string(31, 'd'), "s").status()));
}

TEST(KeySigningTest, RsaVerifyIsFalseForWrongSignatures) {
  const auto& pair = SharedRsa2048();
  const std::string digest = Digest("SHA256", "m");
  StatusOr<std::string> sig = pair.key.Sign(S::kRs256, digest);
  ASSERT_TRUE(sig.ok());
  std::string tampered = *sig;
  tampered[100] ^= 1;
  EXPECT_FALSE(*pair.key.Verify(S::kRs256, digest, tampered));
  EXPECT_FALSE(*pair.key.Verify(S::kRs256, digest, ""));
  EXPECT_FALSE(*pair.key.Verify(S::kRs256, digest, sig->substr(1)));
  EXPECT_FALSE(*pair.key.Verify(S::kRs256, digest, *sig + "x"));
  EXPECT_FALSE(*pair.key.Verify(S::kRs256, digest, std::string(256, '\xff')));  // >= n
  EXPECT_FALSE(*pair.key.Verify(S::kPs256, digest, *sig));  // right key, wrong padding
  EXPECT_FALSE(*testing::OtherRsa2048().key.Verify(S::kRs256, digest, *sig));
}

TEST(KeySigningTest, HmacMatchesOpenSsl) {
  const std::string raw = RandomBytes(32);
  KeyMaterial key = OctKey(raw);
  const struct {
    S alg;
    const char* md;
    size_t size;
  } cases[] = {{S::kHs256, "SHA256", 32}, {S::kHs384, "SHA384", 48}, {S::kHs512, "SHA512", 64}};
  for (const auto& c : cases) {
    for (const std::string& data : {std::string(), std::string("message"), RandomBytes(5000)}) {
      unsigned char expected[64];
      size_t size = 0;
      ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, c.md, nullptr, raw.data(), raw.size(),
                          testing::U(data), data.size(), expected, sizeof(expected), &size),
                nullptr);
      StatusOr<std::string> mac = key.Sign(c.alg, data);
      ASSERT_TRUE(mac.ok()) << mac.status().ToString();
      EXPECT_EQ(*mac, std::string(reinterpret_cast<char*>(expected), size));
      EXPECT_EQ(mac->size(), c.size);
      EXPECT_TRUE(*key.Verify(c.alg, data, *mac));
      std::string tampered = *mac;
      tampered.back() ^= 1;
      EXPECT_FALSE(*key.Verify(c.alg, data, tampered));
      EXPECT_FALSE(*key.Verify(c.alg, data, mac->substr(0, 16)));
      EXPECT_FALSE(*key.Verify(c.alg, data + "x", *mac));
    }
  }
  // Any oct size works for HMAC.
  EXPECT_TRUE(OctKey(RandomBytes(16)).Sign(S::kHs512, "m").ok());
  EXPECT_TRUE(IsBadParameter(
      key.Sign(S::kHs256, std::string(kMaxKeyOperationInputBytes + 1, 'm')).status()));
}

TEST(KeySigningTest, Rsa4096EndToEnd) {
  StatusOr<KeyMaterial> key = KeyMaterial::GenerateRsa(4096);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->size_bits(), 4096);
  EXPECT_EQ(key->PublicComponents().n.size(), 512u);
  const std::string digest = Digest("SHA512", "big");
  StatusOr<std::string> sig = key->Sign(S::kPs512, digest);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 512u);
  EXPECT_TRUE(*key->Verify(S::kPs512, digest, *sig));
  const std::string secret(446, 's');  // 512 - 2 * 32 - 2
  StatusOr<EncryptResult> sealed = key->Encrypt(EncryptionAlgorithm::kRsaOaep256, secret);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(key->Decrypt(EncryptionAlgorithm::kRsaOaep256, sealed->ciphertext)->Reveal(), secret);
  StatusOr<KeyMaterial> back = KeyMaterial::Deserialize(key->Serialize());
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back->Verify(S::kPs512, digest, *sig));
}

TEST(KeySigningTest, ConcurrentUseOfOneKey) {
  const KeyMaterial& rsa = SharedRsa2048().key;
  const KeyMaterial& ec = SharedEc(EcCurve::kP256).key;
  const std::string digest = Digest("SHA256", "concurrent");
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        StatusOr<std::string> a = rsa.Sign(S::kPs256, digest);
        StatusOr<std::string> b = ec.Sign(S::kEs256, digest);
        if (!a.ok() || !b.ok() || !*rsa.Verify(S::kPs256, digest, *a) ||
            !*ec.Verify(S::kEs256, digest, *b)) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace kh::crypto
