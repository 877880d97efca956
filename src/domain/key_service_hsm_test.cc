// KeyService with HSM-protected keys in a real SoftHSM2 token: creation and import of each -HSM
// type, operations, rotation, and backup/purge/restore (same token only).
#include <gtest/gtest.h>

#include "crypto/hash.h"
#include "crypto/softhsm_test_util.h"
#include "domain/key_service.h"
#include "domain/vault_service.h"
#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

std::shared_ptr<crypto::HsmToken> TokenA() {
  static auto token = crypto::testing::OpenTestToken(crypto::testing::kTestTokenA);
  return token;
}

class KeyServiceHsmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VaultSpec spec;
    spec.retention_days = 7;
    vault = *vaults.CreateOrUpdate("rg", "hsmvault", spec, "admin")->vault;
    other_vault = *vaults.CreateOrUpdate("rg", "hsmvault2", spec, "admin")->vault;
  }
  static CreateKeyParams Kty(std::string kty) {
    CreateKeyParams p;
    p.kty = std::move(kty);
    return p;
  }
  StatusOr<KeyOperationResult> Op(KeyService& service, const Vault& v, std::string_view name,
                                  KeyOperation op, std::string alg, std::string value,
                                  std::string sig = {}, std::string_view version = {}) {
    KeyOperationRequest req;
    req.op = op;
    req.algorithm = std::move(alg);
    req.value = std::move(value);
    req.signature = std::move(sig);
    return service.Operate(v, name, version, req);
  }
  bool Verifies(KeyService& service, const Vault& v, std::string_view name, std::string alg,
                const std::string& digest, const std::string& sig) {
    auto r = Op(service, v, name, KeyOperation::kVerify, std::move(alg), digest, sig);
    return r.ok() && r->verified;
  }

  testing::DomainFixture f;
  VaultService vaults{&f.barrier, &f.clock};
  KeyService keys{&f.barrier, &f.clock, TokenA()};
  Vault vault, other_vault;
};

TEST_F(KeyServiceHsmTest, EachHsmTypeIsCreatedInTheTokenAndOperates) {
  auto rsa = keys.Create(vault, "rsa", Kty("RSA-HSM"));
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->kty, "RSA-HSM");
  EXPECT_TRUE(rsa->material->is_hsm());
  const std::string digest = crypto::Sha256("data");
  auto sig = Op(keys, vault, "rsa", KeyOperation::kSign, "PS256", digest);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_TRUE(Verifies(keys, vault, "rsa", "PS256", digest, sig->value));
  auto ct = Op(keys, vault, "rsa", KeyOperation::kEncrypt, "RSA-OAEP-256", "plaintext");
  ASSERT_TRUE(ct.ok());
  auto pt = Op(keys, vault, "rsa", KeyOperation::kDecrypt, "RSA-OAEP-256", ct->value);
  ASSERT_TRUE(pt.ok()) << pt.status().ToString();
  EXPECT_EQ(pt->value, "plaintext");

  CreateKeyParams ec = Kty("EC-HSM");
  ec.curve = "P-384";
  auto ec_key = keys.Create(vault, "ec", ec);
  ASSERT_TRUE(ec_key.ok()) << ec_key.status().ToString();
  EXPECT_EQ(ec_key->kty, "EC-HSM");
  const std::string d384 = std::string(48, 'x');
  auto es = Op(keys, vault, "ec", KeyOperation::kSign, "ES384", d384);
  ASSERT_TRUE(es.ok());
  EXPECT_TRUE(Verifies(keys, vault, "ec", "ES384", d384, es->value));

  auto oct = keys.Create(vault, "aes", Kty("oct-HSM"));
  ASSERT_TRUE(oct.ok()) << oct.status().ToString();
  EXPECT_EQ(oct->kty, "oct-HSM");
  auto sealed = Op(keys, vault, "aes", KeyOperation::kWrapKey, "A256KW", std::string(32, 'k'));
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  auto opened = Op(keys, vault, "aes", KeyOperation::kUnwrapKey, "A256KW", sealed->value);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->value, std::string(32, 'k'));

  // Importing with hsm: true puts the key into the token.
  ImportKeyParams imported;
  imported.hsm = true;
  imported.jwk.kty = crypto::KeyType::kOct;
  imported.jwk.k = SecretBytes(std::string_view("0123456789abcdef"));
  auto in_token = keys.Import(vault, "imported", std::move(imported));
  ASSERT_TRUE(in_token.ok()) << in_token.status().ToString();
  EXPECT_EQ(in_token->kty, "oct-HSM");
  EXPECT_TRUE(in_token->material->is_hsm());
}

TEST_F(KeyServiceHsmTest, RotationKeepsTheKeyInTheToken) {
  ASSERT_TRUE(keys.Create(vault, "rot", Kty("EC-HSM")).ok());
  auto rotated = keys.Rotate(vault, "rot", std::nullopt);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_EQ(rotated->kty, "EC-HSM");
  EXPECT_TRUE(rotated->material->is_hsm());
}

TEST_F(KeyServiceHsmTest, BackupRestoresAfterPurgeAndEachRestoreOwnsItsObjects) {
  auto v1 = keys.Create(vault, "signer", Kty("RSA-HSM"));
  ASSERT_TRUE(v1.ok());
  auto v2 = keys.Rotate(vault, "signer", std::nullopt);
  ASSERT_TRUE(v2.ok());
  const std::string digest = crypto::Sha256("document");
  auto sig_v1 = Op(keys, vault, "signer", KeyOperation::kSign, "RS256", digest, {}, v1->version);
  ASSERT_TRUE(sig_v1.ok());

  auto blob = keys.Backup(vault, "signer");
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  ASSERT_TRUE(keys.Delete(vault, "signer").ok());
  ASSERT_TRUE(keys.Purge(vault, "signer").ok());

  // Purged, then restored from the blob: both versions sign again with the same keys.
  auto restored = keys.Restore(vault, *blob);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->kty, "RSA-HSM");
  auto again = Op(keys, vault, "signer", KeyOperation::kSign, "RS256", digest, {}, v1->version);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->value, sig_v1->value);  // RS256 is deterministic: same private key

  // A second restore into another vault gets its own token objects: purging the first
  // vault's key leaves it working.
  auto copy = keys.Restore(other_vault, *blob);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  ASSERT_TRUE(keys.Delete(vault, "signer").ok());
  ASSERT_TRUE(keys.Purge(vault, "signer").ok());
  auto from_copy =
      Op(keys, other_vault, "signer", KeyOperation::kSign, "RS256", digest, {}, v1->version);
  ASSERT_TRUE(from_copy.ok()) << from_copy.status().ToString();
  EXPECT_EQ(from_copy->value, sig_v1->value);
}

TEST_F(KeyServiceHsmTest, BackupRestoresOnlyWithTheSameToken) {
  ASSERT_TRUE(keys.Create(vault, "pinned", Kty("oct-HSM")).ok());
  auto blob = keys.Backup(vault, "pinned");
  ASSERT_TRUE(blob.ok());

  KeyService without_token{&f.barrier, &f.clock};
  Status none = without_token.Restore(other_vault, *blob).status();
  EXPECT_EQ(none.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.message().find("PKCS#11"), std::string::npos) << none.message();

  KeyService other_token{&f.barrier, &f.clock,
                         crypto::testing::OpenTestToken(crypto::testing::kTestTokenB)};
  Status other = other_token.Restore(other_vault, *blob).status();
  EXPECT_EQ(other.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other.message().find("same token"), std::string::npos) << other.message();
  // Nothing was written by the refused restores.
  EXPECT_EQ(keys.Get(other_vault, "pinned", "").status().code(), StatusCode::kNotFound);

  // A server without the token refuses new HSM keys with a message that says why.
  Status refused = without_token.Create(vault, "new", Kty("RSA-HSM")).status();
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("PKCS#11"), std::string::npos);
}

TEST_F(KeyServiceHsmTest, PurgingAWholeVaultDestroysItsTokenObjects) {
  VaultSpec spec;
  spec.retention_days = 7;
  auto doomed = vaults.CreateOrUpdate("rg", "doomedvault", spec, "admin");
  ASSERT_TRUE(doomed.ok());
  auto k = keys.Create(*doomed->vault, "k", Kty("EC-HSM"));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  const SecretBytes stored = k->material->Serialize();
  ASSERT_TRUE(crypto::KeyMaterial::Deserialize(stored, TokenA()).ok());
  vaults.SetBeforeRemove([this](std::string_view vault) { keys.DestroyHsmMaterial(vault); });
  ASSERT_TRUE(vaults.Delete("rg", "doomedvault").ok());
  ASSERT_TRUE(crypto::KeyMaterial::Deserialize(stored, TokenA()).ok()) << "soft delete keeps it";
  ASSERT_TRUE(vaults.PurgeDeleted("", "doomedvault").ok());
  EXPECT_FALSE(crypto::KeyMaterial::Deserialize(stored, TokenA()).ok()) << "purge destroyed it";
}

}  // namespace
}  // namespace kh::domain
