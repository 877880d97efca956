#include "crypto/key_algorithms.h"

#include <gtest/gtest.h>

#include <string>

namespace kh::crypto {
namespace {

bool IsBadParameter(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument && status.azure_code() == "BadParameter";
}

TEST(KeyAlgorithmsTest, EncryptionNamesRoundTripAndMatchTheEnumOrder) {
  const char* names[] = {"RSA1_5",
                         "RSA-OAEP",
                         "RSA-OAEP-256",
                         "A128GCM",
                         "A192GCM",
                         "A256GCM",
                         "A128CBC",
                         "A192CBC",
                         "A256CBC",
                         "A128CBCPAD",
                         "A192CBCPAD",
                         "A256CBCPAD",
                         "A128KW",
                         "A192KW",
                         "A256KW",
                         "CKM_AES_KEY_WRAP",
                         "CKM_AES_KEY_WRAP_PAD"};
  for (size_t i = 0; i < std::size(names); ++i) {
    StatusOr<EncryptionAlgorithm> alg = ParseEncryptionAlgorithm(names[i]);
    ASSERT_TRUE(alg.ok()) << names[i];
    EXPECT_EQ(static_cast<size_t>(*alg), i) << names[i];
    EXPECT_EQ(AlgorithmName(*alg), names[i]);
  }
  EXPECT_EQ(Info(EncryptionAlgorithm::kRsaOaep).oaep_digest, "SHA1");
  EXPECT_EQ(Info(EncryptionAlgorithm::kRsaOaep256).oaep_digest, "SHA256");
  EXPECT_EQ(Info(EncryptionAlgorithm::kA192Gcm).aes_key_bytes, 24u);
  EXPECT_EQ(Info(EncryptionAlgorithm::kCkmAesKeyWrap).aes_key_bytes, 0u);
  EXPECT_TRUE(Info(EncryptionAlgorithm::kA256Kw).wrap_only);
  EXPECT_FALSE(Info(EncryptionAlgorithm::kRsaOaep256).wrap_only);
}

TEST(KeyAlgorithmsTest, SignatureNamesRoundTripAndMatchTheEnumOrder) {
  const char* names[] = {"RS256", "RS384",  "RS512", "PS256", "PS384", "PS512", "RSNULL",
                         "ES256", "ES256K", "ES384", "ES512", "HS256", "HS384", "HS512"};
  for (size_t i = 0; i < std::size(names); ++i) {
    StatusOr<SignatureAlgorithm> alg = ParseSignatureAlgorithm(names[i]);
    ASSERT_TRUE(alg.ok()) << names[i];
    EXPECT_EQ(static_cast<size_t>(*alg), i) << names[i];
    EXPECT_EQ(AlgorithmName(*alg), names[i]);
  }
  EXPECT_EQ(Info(SignatureAlgorithm::kRs384).digest_size, 48u);
  EXPECT_EQ(Info(SignatureAlgorithm::kEs512).digest_size, 64u);
  EXPECT_EQ(Info(SignatureAlgorithm::kEs256K).curve, EcCurve::kP256K);
  EXPECT_EQ(Info(SignatureAlgorithm::kHs256).digest_size, 0u);
  EXPECT_EQ(Info(SignatureAlgorithm::kRsNull).digest_size, 0u);
}

TEST(KeyAlgorithmsTest, UnknownNamesAreBadParameterAndQuotedBriefly) {
  EXPECT_TRUE(IsBadParameter(ParseEncryptionAlgorithm("rsa-oaep").status()));
  EXPECT_TRUE(IsBadParameter(ParseEncryptionAlgorithm("").status()));
  EXPECT_TRUE(IsBadParameter(ParseEncryptionAlgorithm("RS256").status()));
  EXPECT_TRUE(IsBadParameter(ParseSignatureAlgorithm("es256").status()));
  EXPECT_TRUE(IsBadParameter(ParseSignatureAlgorithm("RSA-OAEP").status()));
  const std::string long_name(1000, 'X');
  Status status = ParseSignatureAlgorithm(long_name).status();
  EXPECT_TRUE(IsBadParameter(status));
  EXPECT_LT(status.message().size(), 200u);
}

TEST(KeyAlgorithmsTest, KeyTypes) {
  EXPECT_EQ(*ParseKeyType("RSA"), KeyType::kRsa);
  EXPECT_EQ(*ParseKeyType("RSA-HSM"), KeyType::kRsa);
  EXPECT_EQ(*ParseKeyType("EC"), KeyType::kEc);
  EXPECT_EQ(*ParseKeyType("EC-HSM"), KeyType::kEc);
  EXPECT_EQ(*ParseKeyType("oct"), KeyType::kOct);
  EXPECT_EQ(*ParseKeyType("oct-HSM"), KeyType::kOct);
  EXPECT_TRUE(IsBadParameter(ParseKeyType("rsa").status()));
  EXPECT_TRUE(IsBadParameter(ParseKeyType("OKP").status()));
  EXPECT_EQ(KeyTypeName(KeyType::kOct), "oct");
}

TEST(KeyAlgorithmsTest, Curves) {
  EXPECT_EQ(*ParseCurve("P-256"), EcCurve::kP256);
  EXPECT_EQ(*ParseCurve("P-256K"), EcCurve::kP256K);
  EXPECT_EQ(*ParseCurve("P-384"), EcCurve::kP384);
  EXPECT_EQ(*ParseCurve("P-521"), EcCurve::kP521);
  EXPECT_TRUE(IsBadParameter(ParseCurve("SECP256K1").status()));
  EXPECT_TRUE(IsBadParameter(ParseCurve("P-192").status()));
  EXPECT_EQ(CurveCoordinateSize(EcCurve::kP521), 66u);
  EXPECT_EQ(CurveCoordinateSize(EcCurve::kP256K), 32u);
  EXPECT_EQ(CurveBits(EcCurve::kP521), 521);
  EXPECT_EQ(CurveName(EcCurve::kP384), "P-384");
}

}  // namespace
}  // namespace kh::crypto
