// HSM-protected KeyMaterial against a real SoftHSM2 token: every operation cross-checked with
// plain OpenSSL (or a software KeyMaterial of the same key), the stored form, token copies for
// backup and restore, and the refusals.
#include <gtest/gtest.h>

#include <string>

#include "crypto/key_material_test_util.h"
#include "crypto/rng.h"
#include "crypto/softhsm_test_util.h"

namespace kh::crypto {
namespace {

using testing::Digest;
using testing::EvpRsa;
using testing::EvpSign;
using testing::EvpVerify;
using testing::IsBadParameter;
using testing::JoseToDer;
using testing::OpenTestToken;

std::shared_ptr<HsmToken> Token() {
  static std::shared_ptr<HsmToken> token = OpenTestToken();
  return token;
}

const KeyMaterial& HsmRsa() {
  static KeyMaterial key = *KeyMaterial::GenerateRsaInHsm(Token(), 2048);
  return key;
}

TEST(HsmTokenTest, OpensByLabelAndRefusesWrongLabelOrPin) {
  EXPECT_FALSE(Token()->serial().empty());
  EXPECT_EQ(Token()->label(), testing::kTestTokenA);
  HsmTokenConfig bad_label = testing::SoftHsmTestConfig("no-such-token");
  StatusOr<std::shared_ptr<HsmToken>> missing = HsmToken::Open(bad_label);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no-such-token"), std::string::npos);

  HsmTokenConfig bad_pin = testing::SoftHsmTestConfig(testing::kTestTokenB);
  bad_pin.pin = SecretBytes(std::string_view("9999"));
  StatusOr<std::shared_ptr<HsmToken>> wrong = HsmToken::Open(bad_pin);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("PIN"), std::string::npos);
  EXPECT_EQ(wrong.status().message().find("9999"), std::string::npos);

  HsmTokenConfig bad_module = testing::SoftHsmTestConfig();
  bad_module.module_path = "/nonexistent/libpkcs11.so";
  EXPECT_FALSE(HsmToken::Open(bad_module).ok());
}

TEST(HsmKeyTest, RsaSignaturesVerifyWithOpenSsl) {
  const KeyMaterial& key = HsmRsa();
  ASSERT_TRUE(key.is_hsm());
  EXPECT_EQ(key.type(), KeyType::kRsa);
  EXPECT_EQ(key.size_bits(), 2048);
  const PublicJwk pub = key.PublicComponents();
  EXPECT_EQ(pub.e, std::string("\x01\x00\x01", 3));
  ASSERT_EQ(pub.n.size(), 256u);

  const std::string data = "hsm-signed data";
  struct Case {
    SignatureAlgorithm alg;
    const char* md;
    bool pss;
  } cases[] = {{SignatureAlgorithm::kRs256, "SHA256", false},
               {SignatureAlgorithm::kRs384, "SHA384", false},
               {SignatureAlgorithm::kRs512, "SHA512", false},
               {SignatureAlgorithm::kPs256, "SHA256", true},
               {SignatureAlgorithm::kPs384, "SHA384", true},
               {SignatureAlgorithm::kPs512, "SHA512", true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(AlgorithmName(c.alg)));
    const std::string digest = Digest(c.md, data);
    StatusOr<std::string> sig = key.Sign(c.alg, digest);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_EQ(sig->size(), 256u);
    EXPECT_TRUE(*key.Verify(c.alg, digest, *sig));
    std::string tampered = *sig;
    tampered[10] ^= 1;
    EXPECT_FALSE(*key.Verify(c.alg, digest, tampered));
  }
  // The stored form reloads to a key whose public part verifies what the token signs.
  StatusOr<KeyMaterial> reloaded = KeyMaterial::Deserialize(key.Serialize(), Token());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  const std::string digest = Digest("SHA256", data);
  EXPECT_TRUE(*reloaded->Verify(SignatureAlgorithm::kRs256, digest,
                                *key.Sign(SignatureAlgorithm::kRs256, digest)));
}

TEST(HsmKeyTest, ImportedRsaKeyInteroperatesWithOpenSsl) {
  const testing::KeyPair& soft = testing::SharedRsa2048();
  JwkKeyComponents jwk = testing::RsaJwk(soft.pkey.get());
  StatusOr<KeyMaterial> key = KeyMaterial::ImportToHsm(Token(), jwk);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->PublicComponents().n, soft.key.PublicComponents().n);

  const std::string data = "interop";
  for (bool pss : {false, true}) {
    const auto alg = pss ? SignatureAlgorithm::kPs256 : SignatureAlgorithm::kRs256;
    StatusOr<std::string> sig = key->Sign(alg, Digest("SHA256", data));
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_TRUE(EvpVerify(soft.pkey.get(), "SHA256", data, *sig, pss));
    const std::string local = EvpSign(soft.pkey.get(), "SHA256", data, pss);
    EXPECT_TRUE(*key->Verify(alg, Digest("SHA256", data), local));
  }
  // RS256 is deterministic: the token's signature equals OpenSSL's.
  EXPECT_EQ(*key->Sign(SignatureAlgorithm::kRs256, Digest("SHA256", data)),
            EvpSign(soft.pkey.get(), "SHA256", data));

  // Local encrypt, remote decrypt; remote (public) encrypt, local decrypt.
  const std::string secret = "a 32-byte data encryption key!!!";
  struct Case {
    EncryptionAlgorithm alg;
    const char* md;
  } cases[] = {{EncryptionAlgorithm::kRsa15, nullptr},
               {EncryptionAlgorithm::kRsaOaep, "SHA1"},
               {EncryptionAlgorithm::kRsaOaep256, "SHA256"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(AlgorithmName(c.alg)));
    const std::string ciphertext = EvpRsa(soft.pkey.get(), true, c.md, secret);
    StatusOr<SecretBytes> plain = key->Decrypt(c.alg, ciphertext);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(plain->Reveal(), secret);
    StatusOr<SecretBytes> unwrapped = key->UnwrapKey(c.alg, ciphertext);
    ASSERT_TRUE(unwrapped.ok());
    EXPECT_EQ(unwrapped->Reveal(), secret);
    StatusOr<EncryptResult> remote = key->Encrypt(c.alg, secret);
    ASSERT_TRUE(remote.ok());
    EXPECT_EQ(EvpRsa(soft.pkey.get(), false, c.md, remote->ciphertext), secret);

    // A ciphertext of another key does not decrypt: BadParameter, never the plaintext.
    const std::string other =
        EvpRsa(testing::OtherRsa2048().pkey.get(), true, c.md, secret);
    StatusOr<SecretBytes> refused = key->Decrypt(c.alg, other);
    if (c.alg != EncryptionAlgorithm::kRsa15) {
      EXPECT_TRUE(IsBadParameter(refused.status()));
    } else if (refused.ok()) {
      EXPECT_NE(refused->Reveal(), secret);  // PKCS#1 v1.5 may "decrypt" to garbage by chance
    }
  }
}

TEST(HsmKeyTest, EcKeysOnEveryCurve) {
  struct Case {
    EcCurve curve;
    SignatureAlgorithm alg;
    const char* md;
  } cases[] = {{EcCurve::kP256, SignatureAlgorithm::kEs256, "SHA256"},
               {EcCurve::kP256K, SignatureAlgorithm::kEs256K, "SHA256"},
               {EcCurve::kP384, SignatureAlgorithm::kEs384, "SHA384"},
               {EcCurve::kP521, SignatureAlgorithm::kEs512, "SHA512"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(CurveName(c.curve)));
    StatusOr<KeyMaterial> generated = KeyMaterial::GenerateEcInHsm(Token(), c.curve);
    ASSERT_TRUE(generated.ok()) << generated.status().ToString();
    EXPECT_EQ(generated->curve(), c.curve);
    const std::string digest = Digest(c.md, "ec data");
    StatusOr<std::string> sig = generated->Sign(c.alg, digest);
    ASSERT_TRUE(sig.ok()) << sig.status().ToString();
    EXPECT_EQ(sig->size(), 2 * CurveCoordinateSize(c.curve));
    EXPECT_TRUE(*generated->Verify(c.alg, digest, *sig));

    // Imported: the token's signature verifies with OpenSSL, and OpenSSL's with the HSM key.
    const testing::KeyPair& soft = testing::SharedEc(c.curve);
    StatusOr<KeyMaterial> imported =
        KeyMaterial::ImportToHsm(Token(), testing::EcJwk(soft.pkey.get(), c.curve));
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    StatusOr<std::string> remote = imported->Sign(c.alg, digest);
    ASSERT_TRUE(remote.ok());
    EXPECT_TRUE(EvpVerify(soft.pkey.get(), c.md, "ec data", JoseToDer(*remote)));
    EXPECT_TRUE(*soft.key.Verify(c.alg, digest, *remote));
  }
}

TEST(HsmKeyTest, AesModesMatchSoftwareKeys) {
  for (int bits : {128, 192, 256}) {
    SCOPED_TRACE(bits);
    JwkKeyComponents jwk;
    jwk.kty = KeyType::kOct;
    jwk.k = RandomSecret(static_cast<size_t>(bits / 8));
    StatusOr<KeyMaterial> hsm = KeyMaterial::ImportToHsm(Token(), jwk);
    ASSERT_TRUE(hsm.ok()) << hsm.status().ToString();
    KeyMaterial soft = *KeyMaterial::Import(jwk);
    EXPECT_EQ(hsm->size_bits(), bits);
    const std::string plaintext = "thirty-two bytes of plaintext!!!";
    const auto gcm = static_cast<EncryptionAlgorithm>(
        static_cast<int>(EncryptionAlgorithm::kA128Gcm) + (bits - 128) / 64);
    const auto cbc = static_cast<EncryptionAlgorithm>(
        static_cast<int>(EncryptionAlgorithm::kA128Cbc) + (bits - 128) / 64);
    const auto cbcpad = static_cast<EncryptionAlgorithm>(
        static_cast<int>(EncryptionAlgorithm::kA128CbcPad) + (bits - 128) / 64);
    const auto kw = static_cast<EncryptionAlgorithm>(
        static_cast<int>(EncryptionAlgorithm::kA128Kw) + (bits - 128) / 64);

    StatusOr<EncryptResult> sealed = hsm->Encrypt(gcm, plaintext, {.aad = "aad"});
    ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
    SymmetricParams open{.iv = sealed->iv, .aad = "aad", .tag = sealed->tag};
    EXPECT_EQ(soft.Decrypt(gcm, sealed->ciphertext, open)->Reveal(), plaintext);
    EXPECT_EQ(hsm->Decrypt(gcm, sealed->ciphertext, open)->Reveal(), plaintext);
    std::string bad_tag = sealed->tag;
    bad_tag[0] ^= 1;
    EXPECT_TRUE(IsBadParameter(
        hsm->Decrypt(gcm, sealed->ciphertext, {.iv = sealed->iv, .aad = "aad", .tag = bad_tag})
            .status()));

    for (EncryptionAlgorithm alg : {cbc, cbcpad}) {
      SCOPED_TRACE(std::string(AlgorithmName(alg)));
      StatusOr<EncryptResult> c = hsm->Encrypt(alg, plaintext);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      StatusOr<EncryptResult> expected = soft.Encrypt(alg, plaintext, {.iv = c->iv});
      EXPECT_EQ(c->ciphertext, expected->ciphertext);
      EXPECT_EQ(hsm->Decrypt(alg, c->ciphertext, {.iv = c->iv})->Reveal(), plaintext);
    }
    StatusOr<EncryptResult> padded = hsm->Encrypt(cbcpad, "short");
    ASSERT_TRUE(padded.ok());
    EXPECT_EQ(hsm->Decrypt(cbcpad, padded->ciphertext, {.iv = padded->iv})->Reveal(), "short");

    const std::string dek = "0123456789abcdef0123456789abcdef";
    for (EncryptionAlgorithm alg : {kw, EncryptionAlgorithm::kCkmAesKeyWrapPad}) {
      SCOPED_TRACE(std::string(AlgorithmName(alg)));
      StatusOr<std::string> wrapped = hsm->WrapKey(alg, dek);
      ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
      EXPECT_EQ(*wrapped, *soft.WrapKey(alg, dek));
      EXPECT_EQ(hsm->UnwrapKey(alg, *wrapped)->Reveal(), dek);
      std::string corrupted = *wrapped;
      corrupted[3] ^= 1;
      EXPECT_TRUE(IsBadParameter(hsm->UnwrapKey(alg, corrupted).status()));
    }
    EXPECT_TRUE(IsBadParameter(hsm->Sign(SignatureAlgorithm::kHs256, "data").status(), "oct-HSM"));
    EXPECT_TRUE(
        IsBadParameter(hsm->Verify(SignatureAlgorithm::kHs256, "data", "tag").status(), "oct-HSM"));
  }
}

TEST(HsmKeyTest, StoredFormHoldsNoSecretAndNamesTheToken) {
  JwkKeyComponents jwk;
  jwk.kty = KeyType::kOct;
  jwk.k = SecretBytes(std::string_view("never-in-storage-0123456789abcd"));
  jwk.k.Resize(32);
  StatusOr<KeyMaterial> key = KeyMaterial::ImportToHsm(Token(), jwk);
  ASSERT_TRUE(key.ok());
  const SecretBytes stored = key->Serialize();
  EXPECT_EQ(stored.Reveal().find("never-in-storage"), std::string_view::npos);

  const testing::KeyPair& soft = testing::SharedRsa2048();
  JwkKeyComponents rsa = testing::RsaJwk(soft.pkey.get());
  StatusOr<KeyMaterial> rsa_key = KeyMaterial::ImportToHsm(Token(), rsa);
  ASSERT_TRUE(rsa_key.ok());
  const SecretBytes rsa_stored = rsa_key->Serialize();
  for (const SecretBytes* part : {&rsa.d, &rsa.p, &rsa.q}) {
    EXPECT_EQ(rsa_stored.Reveal().find(part->Reveal().substr(0, 32)), std::string_view::npos);
  }

  // Without a token, or with another token, the stored form does not load.
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Deserialize(stored).status(), "PKCS#11"));
  std::shared_ptr<HsmToken> other = OpenTestToken(testing::kTestTokenB);
  EXPECT_TRUE(IsBadParameter(KeyMaterial::Deserialize(stored, other).status(), "same token"));
  StatusOr<KeyMaterial> reloaded = KeyMaterial::Deserialize(stored, Token());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  const std::string dek = "0123456789abcdef";
  EXPECT_EQ(reloaded->UnwrapKey(EncryptionAlgorithm::kA256Kw,
                                *key->WrapKey(EncryptionAlgorithm::kA256Kw, dek))
                ->Reveal(),
            dek);
}

TEST(HsmKeyTest, BackupCopySurvivesPurgeAndRestoresAsNewObjects) {
  StatusOr<KeyMaterial> live = KeyMaterial::GenerateEcInHsm(Token(), EcCurve::kP256);
  ASSERT_TRUE(live.ok());
  StatusOr<KeyMaterial> backup1 = live->HsmCopyForBackup();
  StatusOr<KeyMaterial> backup2 = live->HsmCopyForBackup();
  ASSERT_TRUE(backup1.ok() && backup2.ok()) << backup1.status().ToString();
  // One backup copy per version, however many backups are taken.
  EXPECT_EQ(backup1->Serialize(), backup2->Serialize());
  EXPECT_NE(backup1->Serialize(), live->Serialize());

  const SecretBytes live_stored = live->Serialize();
  ASSERT_TRUE(live->DestroyInHsm().ok());  // purge
  StatusOr<KeyMaterial> gone = KeyMaterial::Deserialize(live_stored, Token());
  EXPECT_FALSE(gone.ok());

  StatusOr<KeyMaterial> restored = backup1->HsmCopyForRestore();
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  StatusOr<KeyMaterial> restored_again = backup1->HsmCopyForRestore();
  ASSERT_TRUE(restored_again.ok());
  EXPECT_NE(restored->Serialize(), restored_again->Serialize());
  const std::string digest = Digest("SHA256", "after restore");
  StatusOr<std::string> sig = restored->Sign(SignatureAlgorithm::kEs256, digest);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_TRUE(*restored_again->Verify(SignatureAlgorithm::kEs256, digest, *sig));
  // Purging one restored copy leaves the other working.
  ASSERT_TRUE(restored->DestroyInHsm().ok());
  EXPECT_TRUE(restored_again->Sign(SignatureAlgorithm::kEs256, digest).ok());
}

TEST(HsmKeyTest, RefusalsMatchSoftwareKeys) {
  EXPECT_TRUE(IsBadParameter(KeyMaterial::GenerateRsaInHsm(nullptr).status(), "PKCS#11"));
  EXPECT_TRUE(IsBadParameter(KeyMaterial::GenerateRsaInHsm(Token(), 1024).status(), "size"));
  EXPECT_TRUE(IsBadParameter(KeyMaterial::GenerateOctInHsm(Token(), 100).status(), "size"));
  const KeyMaterial& key = HsmRsa();
  EXPECT_TRUE(IsBadParameter(key.Sign(SignatureAlgorithm::kRs256, "short").status(), "value"));
  EXPECT_TRUE(IsBadParameter(key.Sign(SignatureAlgorithm::kEs256, std::string(32, 'x')).status()));
  EXPECT_TRUE(IsBadParameter(key.Decrypt(EncryptionAlgorithm::kRsaOaep256, "x").status()));
  // A truncated OAEP-256 ciphertext of the right length but wrong content: BadParameter.
  EXPECT_TRUE(IsBadParameter(
      key.Decrypt(EncryptionAlgorithm::kRsaOaep256, std::string(256, '\x01')).status(), "OAEP"));
}

}  // namespace
}  // namespace kh::crypto
