// KeyMaterial creation, import, storage and public export. Operations: key_operations_test.cc.
#include "crypto/key_material.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/key_material_test_util.h"

namespace kh::crypto {
namespace {

using testing::EcJwk;
using testing::IsBadParameter;
using testing::OctKey;
using testing::OtherRsa2048;
using testing::Param;
using testing::RsaJwk;
using testing::SharedEc;
using testing::SharedRsa2048;

constexpr EcCurve kCurves[] = {EcCurve::kP256, EcCurve::kP256K, EcCurve::kP384, EcCurve::kP521};

// ---- Generation ----

TEST(KeyMaterialTest, GenerateRsaDefault) {
  StatusOr<KeyMaterial> key = KeyMaterial::GenerateRsa();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->type(), KeyType::kRsa);
  EXPECT_EQ(key->size_bits(), 2048);
  EXPECT_FALSE(key->curve().has_value());
  PublicJwk jwk = key->PublicComponents();
  EXPECT_EQ(jwk.kty, KeyType::kRsa);
  EXPECT_EQ(jwk.n.size(), 256u);
  EXPECT_EQ(jwk.e, std::string("\x01\x00\x01", 3));  // "AQAB"
  EXPECT_TRUE(jwk.crv.empty() && jwk.x.empty() && jwk.y.empty());
}

TEST(KeyMaterialTest, GenerateRsaWithOtherExponent) {
  StatusOr<KeyMaterial> key = KeyMaterial::GenerateRsa(2048, 65539);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->PublicComponents().e, std::string("\x01\x00\x03", 3));
}

TEST(KeyMaterialTest, GenerateRsaRejectsBadSizesAndExponents) {
  for (int bits : {0, 1024, 2047, 2049, 8192, -2048}) {
    EXPECT_TRUE(IsBadParameter(KeyMaterial::GenerateRsa(bits).status(), "Unsupported key size"))
        << bits;
  }
  for (int64_t e : {int64_t{-65537}, int64_t{0}, int64_t{1}, int64_t{3}, int64_t{17},
                    int64_t{65536}, int64_t{65538}, int64_t{1} << 31, int64_t{1} << 40}) {
    EXPECT_TRUE(IsBadParameter(KeyMaterial::GenerateRsa(2048, e).status(), "public exponent")) << e;
  }
}

TEST(KeyMaterialTest, GenerateEcOnEveryCurve) {
  for (EcCurve curve : kCurves) {
    StatusOr<KeyMaterial> key = KeyMaterial::GenerateEc(curve);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->type(), KeyType::kEc);
    EXPECT_EQ(key->curve(), curve);
    EXPECT_EQ(key->size_bits(), CurveBits(curve));
    PublicJwk jwk = key->PublicComponents();
    EXPECT_EQ(jwk.crv, CurveName(curve));
    EXPECT_EQ(jwk.x.size(), CurveCoordinateSize(curve));
    EXPECT_EQ(jwk.y.size(), CurveCoordinateSize(curve));
    EXPECT_TRUE(jwk.n.empty() && jwk.e.empty());
  }
}

TEST(KeyMaterialTest, GenerateOct) {
  for (int bits : {128, 192, 256}) {
    StatusOr<KeyMaterial> key = KeyMaterial::GenerateOct(bits);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->type(), KeyType::kOct);
    EXPECT_EQ(key->size_bits(), bits);
    PublicJwk jwk = key->PublicComponents();
    EXPECT_EQ(jwk.kty, KeyType::kOct);
    EXPECT_TRUE(jwk.n.empty() && jwk.e.empty() && jwk.crv.empty() && jwk.x.empty() &&
                jwk.y.empty());
  }
  EXPECT_NE(KeyMaterial::GenerateOct(256)->Serialize(), KeyMaterial::GenerateOct(256)->Serialize());
  for (int bits : {0, 64, 129, 384, 512}) {
    EXPECT_TRUE(IsBadParameter(KeyMaterial::GenerateOct(bits).status(), "Unsupported key size"));
  }
}

// ---- RSA import ----

TEST(KeyMaterialTest, ImportRsaKeepsThePublicPart) {
  const auto& pair = SharedRsa2048();
  EXPECT_EQ(pair.key.type(), KeyType::kRsa);
  EXPECT_EQ(pair.key.size_bits(), 2048);
  PublicJwk jwk = pair.key.PublicComponents();
  EXPECT_EQ(jwk.n, Param(pair.pkey.get(), OSSL_PKEY_PARAM_RSA_N));
  EXPECT_EQ(jwk.e, Param(pair.pkey.get(), OSSL_PKEY_PARAM_RSA_E));
}

TEST(KeyMaterialTest, ImportRsaAcceptsALeadingZeroOnN) {
  JwkKeyComponents jwk = RsaJwk(SharedRsa2048().pkey.get());
  jwk.n.insert(0, 1, '\0');
  StatusOr<KeyMaterial> key = KeyMaterial::Import(jwk);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->PublicComponents().n, jwk.n.substr(1));  // exported minimal
}

// The RSA private members, for tests that drop or swap them one at a time.
constexpr SecretBytes JwkKeyComponents::*kRsaPrivate[] = {
    &JwkKeyComponents::d,  &JwkKeyComponents::p,  &JwkKeyComponents::q,
    &JwkKeyComponents::dp, &JwkKeyComponents::dq, &JwkKeyComponents::qi};

TEST(KeyMaterialTest, ImportRsaRejectsMissingMembers) {
  const JwkKeyComponents full = RsaJwk(SharedRsa2048().pkey.get());
  for (SecretBytes JwkKeyComponents::*member : kRsaPrivate) {
    JwkKeyComponents jwk = full;
    (jwk.*member).Clear();
    EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "must contain"));
  }
  for (std::string JwkKeyComponents::*member : {&JwkKeyComponents::n, &JwkKeyComponents::e}) {
    JwkKeyComponents jwk = full;
    (jwk.*member).clear();
    EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "must contain"));
  }
  // A public-only key (what GetKey returns) cannot be imported.
  JwkKeyComponents public_only;
  public_only.kty = KeyType::kRsa;
  public_only.n = full.n;
  public_only.e = full.e;
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(public_only).status()));
}

TEST(KeyMaterialTest, ImportRsaRejectsMismatchedPrivateMembers) {
  const JwkKeyComponents good = RsaJwk(SharedRsa2048().pkey.get());
  const JwkKeyComponents other = RsaJwk(OtherRsa2048().pkey.get());
  // Any one private member taken from another key.
  for (SecretBytes JwkKeyComponents::*member : kRsaPrivate) {
    JwkKeyComponents jwk = good;
    jwk.*member = other.*member;
    EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "not valid"));
  }
  // Another key's modulus.
  JwkKeyComponents jwk = good;
  jwk.n = other.n;
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "not valid"));
  // p and q swapped (qi then no longer matches).
  jwk = good;
  std::swap(jwk.p, jwk.q);
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status()));
  // A different public exponent with the same private members.
  jwk = good;
  jwk.e = std::string("\x01\x00\x03", 3);
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status()));
}

TEST(KeyMaterialTest, ImportRsaRejectsBadSizesAndExponents) {
  testing::Pkey small = testing::GenerateRsaPkey(1024);
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(RsaJwk(small.get())).status(), "2048 to 4096"));
  JwkKeyComponents jwk = RsaJwk(SharedRsa2048().pkey.get());
  jwk.e = std::string("\x01\x00\x00", 3);  // even
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "exponent"));
  jwk.e = std::string("\x01", 1);
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "exponent"));
  jwk.e = std::string(9, '\x01');
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "exponent"));
  jwk = RsaJwk(SharedRsa2048().pkey.get());
  jwk.n = std::string(600, '\x7f');
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status()));
}

// ---- EC import ----

TEST(KeyMaterialTest, ImportEcOnEveryCurve) {
  for (EcCurve curve : kCurves) {
    const auto& pair = SharedEc(curve);
    EXPECT_EQ(pair.key.curve(), curve);
    PublicJwk jwk = pair.key.PublicComponents();
    const JwkKeyComponents source = EcJwk(pair.pkey.get(), curve);
    EXPECT_EQ(jwk.crv, CurveName(curve));
    EXPECT_EQ(jwk.x, source.x);
    EXPECT_EQ(jwk.y, source.y);
  }
}

TEST(KeyMaterialTest, ImportEcAcceptsUnpaddedMembers) {
  // Some encoders drop leading zero bytes; import pads them back. A P-521 coordinate has 521 bits
  // in 66 bytes, so its first byte is 0 about half the time.
  for (int attempt = 0; attempt < 64; ++attempt) {
    testing::Pkey pkey = testing::GenerateEcPkey(EcCurve::kP521);
    JwkKeyComponents jwk = EcJwk(pkey.get(), EcCurve::kP521);
    if (jwk.x[0] != '\0' || jwk.d.Reveal()[0] != '\0') continue;
    const std::string padded_x = jwk.x;
    jwk.x.erase(0, 1);
    jwk.d = SecretBytes(jwk.d.Reveal().substr(1));
    StatusOr<KeyMaterial> key = KeyMaterial::Import(jwk);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->PublicComponents().x, padded_x);
    return;
  }
  FAIL() << "no P-521 key with short x and d in 64 attempts";
}

TEST(KeyMaterialTest, ImportEcRejectsInvalidKeys) {
  const JwkKeyComponents good = EcJwk(SharedEc(EcCurve::kP256).pkey.get(), EcCurve::kP256);
  testing::Pkey other_pkey = testing::GenerateEcPkey(EcCurve::kP256);
  const JwkKeyComponents other = EcJwk(other_pkey.get(), EcCurve::kP256);

  JwkKeyComponents jwk = good;
  jwk.d = other.d;  // private part of another key
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "not valid"));
  jwk = good;
  jwk.x = other.x;  // point off the curve (x of one point, y of another)
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "not valid"));
  jwk = good;
  jwk.y[31] ^= 1;
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "not valid"));
  jwk = good;
  jwk.d = SecretBytes(std::string(32, '\0'));  // d = 0
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status()));
  jwk = good;
  jwk.d = SecretBytes(std::string(32, '\xff'));  // d >= order
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status()));
  jwk = good;
  jwk.d.Clear();  // public only
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "must contain"));
  jwk = good;
  jwk.y.clear();
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "must contain"));
  jwk = good;
  jwk.x.insert(0, 1, '\0');  // 33 bytes
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "32 bytes"));
  jwk = good;
  jwk.crv = "P-384";  // a P-256 key labeled P-384
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status()));
  jwk = good;
  jwk.crv = "P-192";
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status(), "curve"));
  // The same coordinates claimed on secp256k1 are not a point of that curve.
  jwk = good;
  jwk.crv = "P-256K";
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status()));
}

// ---- oct import ----

TEST(KeyMaterialTest, ImportOct) {
  for (size_t bytes : {16, 24, 32}) {
    KeyMaterial key = OctKey(std::string(bytes, 'k'));
    EXPECT_EQ(key.size_bits(), int(bytes * 8));
  }
  for (size_t bytes : {0, 1, 15, 20, 33, 64}) {
    JwkKeyComponents jwk;
    jwk.kty = KeyType::kOct;
    jwk.k = SecretBytes(std::string(bytes, 'k'));
    EXPECT_TRUE(IsBadParameter(KeyMaterial::Import(jwk).status())) << bytes;
  }
}

// ---- Storage ----

TEST(KeyMaterialTest, SerializeRoundTripsEveryKeyType) {
  std::vector<const KeyMaterial*> keys = {&SharedRsa2048().key};
  for (EcCurve curve : kCurves) keys.push_back(&SharedEc(curve).key);
  KeyMaterial oct = OctKey(std::string(24, 'o'));
  keys.push_back(&oct);
  for (const KeyMaterial* key : keys) {
    SecretBytes blob = key->Serialize();
    EXPECT_EQ(blob, key->Serialize());  // deterministic
    StatusOr<KeyMaterial> back = KeyMaterial::Deserialize(blob);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->type(), key->type());
    EXPECT_EQ(back->size_bits(), key->size_bits());
    EXPECT_EQ(back->curve(), key->curve());
    PublicJwk a = key->PublicComponents();
    PublicJwk b = back->PublicComponents();
    EXPECT_EQ(a.n, b.n);
    EXPECT_EQ(a.e, b.e);
    EXPECT_EQ(a.crv, b.crv);
    EXPECT_EQ(a.x, b.x);
    EXPECT_EQ(a.y, b.y);
    EXPECT_EQ(back->Serialize(), blob);
  }
}

TEST(KeyMaterialTest, DeserializedKeysStillWork) {
  StatusOr<KeyMaterial> rsa = KeyMaterial::Deserialize(SharedRsa2048().key.Serialize());
  ASSERT_TRUE(rsa.ok());
  const std::string digest(32, 'd');
  StatusOr<std::string> sig = rsa->Sign(SignatureAlgorithm::kPs256, digest);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(*SharedRsa2048().key.Verify(SignatureAlgorithm::kPs256, digest, *sig));

  StatusOr<KeyMaterial> ec = KeyMaterial::Deserialize(SharedEc(EcCurve::kP256K).key.Serialize());
  ASSERT_TRUE(ec.ok());
  sig = ec->Sign(SignatureAlgorithm::kEs256K, digest);
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(*SharedEc(EcCurve::kP256K).key.Verify(SignatureAlgorithm::kEs256K, digest, *sig));

  KeyMaterial oct = OctKey(std::string(32, 'o'));
  StatusOr<KeyMaterial> oct_back = KeyMaterial::Deserialize(oct.Serialize());
  ASSERT_TRUE(oct_back.ok());
  StatusOr<EncryptResult> sealed = oct.Encrypt(EncryptionAlgorithm::kA256Gcm, "hello");
  ASSERT_TRUE(sealed.ok());
  StatusOr<SecretBytes> opened = oct_back->Decrypt(
      EncryptionAlgorithm::kA256Gcm, sealed->ciphertext, {sealed->iv, "", sealed->tag});
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->Reveal(), "hello");
}

TEST(KeyMaterialTest, DeserializeRejectsMalformedInput) {
  const SecretBytes rsa = SharedRsa2048().key.Serialize();
  const SecretBytes ec = SharedEc(EcCurve::kP384).key.Serialize();
  std::vector<std::string> bad = {
      "",
      "\x01",
      "\x01R",
      std::string("\x02") + std::string(rsa.Reveal().substr(1)),   // unknown version
      std::string("\x01X") + std::string(rsa.Reveal().substr(2)),  // unknown type
      std::string("\x01E") + std::string(rsa.Reveal().substr(2)),  // RSA DER tagged EC
      std::string("\x01R") + std::string(ec.Reveal().substr(2)),   // EC DER tagged RSA
      std::string(rsa.Reveal().substr(0, rsa.size() - 10)),        // truncated
      std::string(rsa.Reveal()) + "trailing",                      // trailing bytes
      std::string("\x01O") + std::string(20, 'k'),                 // bad oct size
      std::string("\x01R") + std::string(300, '\x30'),             // garbage DER
  };
  for (const std::string& blob : bad) {
    EXPECT_TRUE(IsBadParameter(KeyMaterial::Deserialize(SecretBytes(blob)).status()))
        << testing::Hex(blob.substr(0, 8));
  }
}

TEST(KeyMaterialTest, MovedKeyKeepsWorking) {
  StatusOr<KeyMaterial> made = KeyMaterial::GenerateEc(EcCurve::kP256);
  ASSERT_TRUE(made.ok());
  KeyMaterial key = *std::move(made);
  KeyMaterial moved = std::move(key);
  EXPECT_EQ(moved.curve(), EcCurve::kP256);
  EXPECT_TRUE(moved.Sign(SignatureAlgorithm::kEs256, std::string(32, 'x')).ok());
}

}  // namespace
}  // namespace kh::crypto
