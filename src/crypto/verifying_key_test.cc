#include "crypto/verifying_key.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

#include "crypto/x509.h"

namespace kh::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey Rsa(int bits) { return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(bits))); }
Pkey Ec(const char* group) { return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group)); }

std::string Sign(EVP_PKEY* key, const char* digest, bool pss, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx, &pctx, digest, nullptr, nullptr, key, nullptr), 1);
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t size = 0;
  EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  std::string sig(size, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()),
            1);
  sig.resize(size);
  EVP_MD_CTX_free(ctx);
  return sig;
}

std::string Bn(EVP_PKEY* key, const char* name, size_t pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  size_t size = pad ? pad : size_t(BN_num_bytes(bn));
  std::string out(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), int(size));
  BN_free(bn);
  return out;
}

// DER ECDSA signature → JOSE r || s.
std::string DerToJose(const std::string& der, size_t half) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string out(2 * half, '\0');
  BN_bn2binpad(r, reinterpret_cast<unsigned char*>(out.data()), int(half));
  BN_bn2binpad(s, reinterpret_cast<unsigned char*>(out.data()) + half, int(half));
  ECDSA_SIG_free(sig);
  return out;
}

TEST(VerifyingKeyTest, RsaFromComponentsVerifiesRsAndPs) {
  Pkey key = Rsa(2048);
  auto vk = VerifyingKey::FromRsaComponents(Bn(key.get(), OSSL_PKEY_PARAM_RSA_N),
                                            Bn(key.get(), OSSL_PKEY_PARAM_RSA_E));
  ASSERT_TRUE(vk.ok()) << vk.status().message();
  std::string input = "header.payload";
  std::string rs256 = Sign(key.get(), "SHA256", false, input);
  std::string ps384 = Sign(key.get(), "SHA384", true, input);
  EXPECT_TRUE(vk->VerifyJws("RS256", input, rs256));
  EXPECT_TRUE(vk->VerifyJws("PS384", input, ps384));
  EXPECT_FALSE(vk->VerifyJws("RS256", "header.payloaX", rs256));
  EXPECT_FALSE(vk->VerifyJws("PS256", input, rs256));  // wrong scheme
  EXPECT_FALSE(vk->VerifyJws("RS384", input, rs256));  // wrong digest
  EXPECT_FALSE(vk->VerifyJws("ES256", input, rs256));  // wrong key type
  EXPECT_FALSE(vk->VerifyJws("none", input, ""));
  EXPECT_FALSE(vk->VerifyJws("HS256", input, rs256));
}

TEST(VerifyingKeyTest, RejectsShortRsaKeys) {
  Pkey key = Rsa(1024);
  auto vk = VerifyingKey::FromRsaComponents(Bn(key.get(), OSSL_PKEY_PARAM_RSA_N),
                                            Bn(key.get(), OSSL_PKEY_PARAM_RSA_E));
  EXPECT_EQ(vk.status().code(), StatusCode::kInvalidArgument);
}

TEST(VerifyingKeyTest, EcFromCoordinatesVerifiesJoseSignaturesOnItsCurveOnly) {
  Pkey key = Ec("P-384");
  auto vk = VerifyingKey::FromEcCoordinates("P-384", Bn(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 48),
                                            Bn(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 48));
  ASSERT_TRUE(vk.ok()) << vk.status().message();
  std::string input = "a.b";
  std::string jose = DerToJose(Sign(key.get(), "SHA384", false, input), 48);
  EXPECT_TRUE(vk->VerifyJws("ES384", input, jose));
  EXPECT_FALSE(vk->VerifyJws("ES256", input, jose));
  EXPECT_FALSE(vk->VerifyJws("ES384", input, jose.substr(1)));
  std::string tampered = jose;
  tampered[10] ^= 1;
  EXPECT_FALSE(vk->VerifyJws("ES384", input, tampered));
  EXPECT_FALSE(vk->VerifyJws("RS256", input, jose));
}

TEST(VerifyingKeyTest, EcRejectsPointsOffTheCurveAndBadSizes) {
  std::string x(32, '\x01');
  std::string y(32, '\x02');
  EXPECT_FALSE(VerifyingKey::FromEcCoordinates("P-256", x, y).ok());
  EXPECT_FALSE(VerifyingKey::FromEcCoordinates("P-256", x.substr(1), y).ok());
  EXPECT_FALSE(VerifyingKey::FromEcCoordinates("secp256k1", x, y).ok());
}

TEST(VerifyingKeyTest, CertificatePemGivesKeyAndInfo) {
  auto ca = CreateCertificateAuthority("Test Client", 30);
  ASSERT_TRUE(ca.ok());
  CertificateInfo info;
  auto vk = VerifyingKey::FromCertificatePem(ca->certificate_pem, &info);
  ASSERT_TRUE(vk.ok()) << vk.status().message();
  EXPECT_NE(info.subject.find("CN=Test Client"), std::string::npos);
  EXPECT_GT(info.der.size(), 100u);
  EXPECT_NEAR(info.not_after - info.not_before, 30 * 86400 + 3600, 5);
  EXPECT_FALSE(VerifyingKey::FromCertificatePem("not a certificate", &info).ok());
  EXPECT_FALSE(VerifyingKey::FromCertificatePem("", nullptr).ok());
}

}  // namespace
}  // namespace kh::crypto
