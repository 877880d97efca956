#include "crypto/ec_key.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/base64.h"

namespace kh::crypto {
namespace {

std::string FromB64(std::string_view text) { return *Base64UrlDecode(text); }

// Encodes an OpenSSL-made key the ways other tools do, to check FromPem's acceptance.
enum class PemKind { kPkcs8, kSec1, kEncrypted };
SecretBytes ToPemWith(EVP_PKEY* pkey, PemKind kind) {
  BIO* bio = BIO_new(BIO_s_mem());
  int ok = 0;
  switch (kind) {
    case PemKind::kPkcs8:
      ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case PemKind::kSec1:
      ok = PEM_write_bio_PrivateKey_traditional(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr);
      break;
    case PemKind::kEncrypted: {
      char passphrase[] = "passphrase";
      ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, EVP_aes_256_cbc(), passphrase, 10, nullptr,
                                         nullptr);
      break;
    }
  }
  EXPECT_EQ(ok, 1);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  SecretBytes out(std::string_view(data, static_cast<size_t>(length)));
  BIO_free(bio);
  return out;
}

TEST(EcKeyTest, SignVerifyRoundTrip) {
  StatusOr<EcPrivateKey> key = EcPrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->PublicX().size(), kP256CoordinateSize);
  EXPECT_EQ(key->PublicY().size(), kP256CoordinateSize);
  StatusOr<std::string> sig = key->SignEs256("payload");
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(sig->size(), kEs256SignatureSize);
  const EcPublicKey pub = key->PublicKey();
  EXPECT_EQ(pub.x(), key->PublicX());
  EXPECT_EQ(pub.y(), key->PublicY());
  EXPECT_TRUE(pub.Verify("payload", *sig));
  EXPECT_TRUE(VerifyEs256(key->PublicX(), key->PublicY(), "payload", *sig));
  // ECDSA is randomized: two signatures differ and both verify.
  const std::string sig2 = *key->SignEs256("payload");
  EXPECT_NE(*sig, sig2);
  EXPECT_TRUE(pub.Verify("payload", sig2));
  EXPECT_TRUE(pub.Verify("", *key->SignEs256("")));
}

TEST(EcKeyTest, RejectsTamperingAndWrongKey) {
  const EcPrivateKey key = *EcPrivateKey::Generate();
  const EcPublicKey pub = key.PublicKey();
  const std::string sig = *key.SignEs256("payload");
  EXPECT_FALSE(pub.Verify("payloaD", sig));
  EXPECT_FALSE(pub.Verify("payload ", sig));
  for (size_t byte = 0; byte < sig.size(); byte += 7) {
    std::string tampered = sig;
    tampered[byte] = static_cast<char>(tampered[byte] ^ 0x01);
    EXPECT_FALSE(pub.Verify("payload", tampered)) << byte;
  }
  EXPECT_FALSE(pub.Verify("payload", sig.substr(0, 63)));
  EXPECT_FALSE(pub.Verify("payload", sig + '\0'));
  EXPECT_FALSE(pub.Verify("payload", ""));
  EXPECT_FALSE(pub.Verify("payload", std::string(64, '\0')));    // r = s = 0
  EXPECT_FALSE(pub.Verify("payload", std::string(64, '\xff')));  // r, s >= n
  // A swapped r || s is not accepted either.
  EXPECT_FALSE(pub.Verify("payload", sig.substr(32) + sig.substr(0, 32)));
  const EcPrivateKey other = *EcPrivateKey::Generate();
  EXPECT_FALSE(other.PublicKey().Verify("payload", sig));
  EXPECT_FALSE(VerifyEs256(other.PublicX(), other.PublicY(), "payload", sig));
  EXPECT_FALSE(VerifyEs256("short", key.PublicY(), "payload", sig));
}

TEST(EcKeyTest, SignaturesAreAlwaysFixedWidth) {
  // About 1 in 128 signatures has r or s shorter than 32 bytes; they must still be left-padded.
  const EcPrivateKey key = *EcPrivateKey::Generate();
  const EcPublicKey pub = key.PublicKey();
  for (int i = 0; i < 400; ++i) {
    const std::string data = "message " + std::to_string(i);
    const std::string sig = *key.SignEs256(data);
    ASSERT_EQ(sig.size(), kEs256SignatureSize);
    ASSERT_TRUE(pub.Verify(data, sig)) << i;
  }
}

// RFC 7515 appendix A.3: an ES256 JWS made elsewhere verifies here.
TEST(EcKeyTest, VerifiesRfc7515Example) {
  const std::string x = FromB64("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
  const std::string y = FromB64("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
  const std::string input =
      "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
      "LmNvbS9pc19yb290Ijp0cnVlfQ";
  const std::string sig = FromB64(
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q");
  StatusOr<EcPublicKey> pub = EcPublicKey::FromCoordinates(x, y);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  EXPECT_TRUE(pub->Verify(input, sig));
  EXPECT_FALSE(pub->Verify(input + "x", sig));
  EXPECT_TRUE(VerifyEs256(x, y, input, sig));
}

TEST(EcKeyTest, FromCoordinatesRejectsBadPoints) {
  const EcPrivateKey key = *EcPrivateKey::Generate();
  EXPECT_TRUE(EcPublicKey::FromCoordinates(key.PublicX(), key.PublicY()).ok());
  std::string bad_y = key.PublicY();
  bad_y[31] = static_cast<char>(bad_y[31] ^ 1);
  EXPECT_EQ(EcPublicKey::FromCoordinates(key.PublicX(), bad_y).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(EcPublicKey::FromCoordinates(std::string(32, '\0'), std::string(32, '\0')).ok());
  EXPECT_FALSE(EcPublicKey::FromCoordinates(key.PublicX().substr(1), key.PublicY()).ok());
  EXPECT_FALSE(EcPublicKey::FromCoordinates(key.PublicX(), key.PublicY() + "x").ok());
  EXPECT_FALSE(EcPublicKey::FromCoordinates("", "").ok());
}

TEST(EcKeyTest, PemRoundTrip) {
  const EcPrivateKey key = *EcPrivateKey::Generate();
  const SecretBytes pem = key.ToPem();
  EXPECT_EQ(pem.Reveal().rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  StatusOr<EcPrivateKey> restored = EcPrivateKey::FromPem(pem);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->PublicX(), key.PublicX());
  EXPECT_EQ(restored->PublicY(), key.PublicY());
  EXPECT_TRUE(key.PublicKey().Verify("x", *restored->SignEs256("x")));
  EXPECT_EQ(restored->ToPem(), pem);
}

TEST(EcKeyTest, FromPemAcceptsSec1AndRejectsOthers) {
  EVP_PKEY* p256 = EVP_EC_gen("P-256");
  EVP_PKEY* p384 = EVP_EC_gen("P-384");
  ASSERT_NE(p256, nullptr);
  ASSERT_NE(p384, nullptr);
  const SecretBytes sec1 = ToPemWith(p256, PemKind::kSec1);
  EXPECT_EQ(sec1.Reveal().rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(EcPrivateKey::FromPem(sec1).ok());
  EXPECT_TRUE(EcPrivateKey::FromPem(ToPemWith(p256, PemKind::kPkcs8)).ok());
  // Encrypted keys are refused without prompting for a passphrase.
  EXPECT_EQ(EcPrivateKey::FromPem(ToPemWith(p256, PemKind::kEncrypted)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(EcPrivateKey::FromPem(ToPemWith(p384, PemKind::kPkcs8)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(EcPrivateKey::FromPem(SecretBytes()).ok());
  EXPECT_FALSE(EcPrivateKey::FromPem(SecretBytes("not a pem")).ok());
  std::string truncated(sec1.Reveal().substr(0, 100));
  EXPECT_FALSE(EcPrivateKey::FromPem(SecretBytes(truncated)).ok());
  EVP_PKEY_free(p256);
  EVP_PKEY_free(p384);
}

TEST(EcKeyTest, MoveAndCopySemantics) {
  EcPrivateKey key = *EcPrivateKey::Generate();
  const std::string x = key.PublicX();
  EcPrivateKey moved = std::move(key);
  EXPECT_EQ(moved.PublicX(), x);
  EcPublicKey pub = moved.PublicKey();
  EcPublicKey copy = pub;
  EXPECT_EQ(copy.x(), x);
  EXPECT_TRUE(copy.Verify("m", *moved.SignEs256("m")));
}

TEST(EcKeyTest, ConcurrentUse) {
  const EcPrivateKey key = *EcPrivateKey::Generate();
  const EcPublicKey pub = key.PublicKey();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string data = std::to_string(t) + ":" + std::to_string(i);
        StatusOr<std::string> sig = key.SignEs256(data);
        if (!sig.ok() || !pub.Verify(data, *sig) || pub.Verify(data + "!", *sig)) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace kh::crypto
