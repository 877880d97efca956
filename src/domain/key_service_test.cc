#include "domain/key_service.h"

#include <gtest/gtest.h>

#include <set>

#include "core/base64.h"
#include "domain/names.h"
#include "domain/purge_job.h"
#include "domain/secret_service.h"
#include "domain/vault_service.h"
#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

// An EC P-256 key (made with `openssl ecparam -name prime256v1 -genkey`), JWK members.
constexpr std::string_view kEcX = "naotvSUkcDWWfnQfcP3ghN0ZAhCEiPfk11RhWc3ot2k";
constexpr std::string_view kEcY = "H5maoT_RVrj4SAPuqruFquYPAf5pTRg62vJJWNp2JPA";
constexpr std::string_view kEcD = "10jw0Nq7csXTCo23kBZOKShGgwHtFnwb1dtjQ6D6KrE";

std::string Digest(size_t n, char c = 'd') { return std::string(n, c); }

class KeyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VaultSpec spec;
    spec.retention_days = 7;
    vault = *vaults.CreateOrUpdate("rg", "vault1", spec, "admin")->vault;
    other_vault = *vaults.CreateOrUpdate("rg", "vault3", spec, "admin")->vault;
    spec.purge_protection = true;
    protected_vault = *vaults.CreateOrUpdate("rg", "vault2", spec, "admin")->vault;
  }
  static CreateKeyParams Kty(std::string kty, std::optional<int> size = std::nullopt) {
    CreateKeyParams p;
    p.kty = std::move(kty);
    p.key_size = size;
    return p;
  }
  static ImportKeyParams OctJwk(std::string_view k) {
    ImportKeyParams p;
    p.jwk.kty = crypto::KeyType::kOct;
    p.jwk.k = SecretBytes(k);
    return p;
  }
  static ImportKeyParams EcJwk() {
    ImportKeyParams p;
    p.jwk.kty = crypto::KeyType::kEc;
    p.jwk.crv = "P-256";
    p.jwk.x = *Base64UrlDecode(kEcX);
    p.jwk.y = *Base64UrlDecode(kEcY);
    p.jwk.d = SecretBytes(*Base64UrlDecode(kEcD));
    return p;
  }
  StatusOr<KeyOperationResult> Op(const Vault& v, std::string_view name, KeyOperation op,
                                  std::string alg, std::string value, std::string sig = {},
                                  std::string_view version = {}) {
    KeyOperationRequest req;
    req.op = op;
    req.algorithm = std::move(alg);
    req.value = std::move(value);
    req.signature = std::move(sig);
    return keys.Operate(v, name, version, req);
  }
  // Every value the store holds, concatenated (ciphertext, as the barrier sealed it).
  std::string StoreContents() {
    std::string all;
    auto rows = f.store->Scan("", "", 0);
    EXPECT_TRUE(rows.ok());
    for (const auto& kv : *rows) all += kv.key + "\n" + kv.value + "\n";
    return all;
  }

  testing::DomainFixture f;
  VaultService vaults{&f.barrier, &f.clock};
  SecretService secrets{&f.barrier, &f.clock};
  KeyService keys{&f.barrier, &f.clock};
  Vault vault, protected_vault, other_vault;
};

TEST_F(KeyServiceTest, CreatesEachKeyTypeWithAzureDefaults) {
  auto rsa = keys.Create(vault, "rsa", Kty("RSA"));
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->kty, "RSA");
  EXPECT_EQ(rsa->version.size(), 32u);
  EXPECT_EQ(rsa->material->size_bits(), 2048);
  EXPECT_EQ(rsa->material->PublicComponents().e, std::string("\x01\x00\x01", 3));
  EXPECT_EQ(rsa->key_ops, (std::vector<std::string>{"encrypt", "decrypt", "sign", "verify",
                                                    "wrapKey", "unwrapKey"}));
  EXPECT_TRUE(rsa->attributes.enabled);
  EXPECT_EQ(rsa->attributes.created, f.clock.NowSeconds());
  EXPECT_FALSE(rsa->exportable);

  auto ec = keys.Create(vault, "ec", Kty("EC"));
  ASSERT_TRUE(ec.ok()) << ec.status().ToString();
  EXPECT_EQ(ec->kty, "EC");
  EXPECT_EQ(ec->material->curve(), crypto::EcCurve::kP256);
  EXPECT_EQ(ec->key_ops, (std::vector<std::string>{"sign", "verify"}));

  auto oct = keys.Create(vault, "oct", Kty("oct"));
  ASSERT_TRUE(oct.ok()) << oct.status().ToString();
  EXPECT_EQ(oct->kty, "oct");
  EXPECT_EQ(oct->material->size_bits(), 256);
  EXPECT_EQ(oct->key_ops, (std::vector<std::string>{"encrypt", "decrypt", "wrapKey", "unwrapKey"}));

  auto got = keys.Get(vault, "RSA", "");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, rsa->version);
  EXPECT_EQ(got->material->PublicComponents().n, rsa->material->PublicComponents().n);
}

TEST_F(KeyServiceTest, CreatesEverySupportedSizeAndCurve) {
  CreateKeyParams e = Kty("RSA", 3072);
  e.public_exponent = 65539;
  e.key_ops = std::vector<std::string>{"sign"};
  e.tags = {{"a", "b"}};
  auto rsa = keys.Create(vault, "rsa3072", e);
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_EQ(rsa->material->size_bits(), 3072);
  EXPECT_EQ(rsa->material->PublicComponents().e, std::string("\x01\x00\x03", 3));
  EXPECT_EQ(rsa->key_ops, std::vector<std::string>{"sign"});
  EXPECT_EQ(keys.Get(vault, "rsa3072", "")->tags.at("a"), "b");
  for (auto [crv, bits] : {std::pair{"P-256K", 256}, {"P-384", 384}, {"P-521", 521}}) {
    CreateKeyParams p = Kty("EC", bits);
    p.curve = crv;
    auto ec = keys.Create(vault, std::string("ec-") + std::to_string(bits) + crv[4], p);
    ASSERT_TRUE(ec.ok()) << crv << ": " << ec.status().ToString();
    EXPECT_EQ(ec->material->size_bits(), bits);
  }
  for (int bits : {128, 192}) {
    auto oct = keys.Create(vault, "oct" + std::to_string(bits), Kty("oct", bits));
    ASSERT_TRUE(oct.ok());
    EXPECT_EQ(oct->material->size_bits(), bits);
  }
}

TEST_F(KeyServiceTest, RefusesBadParameters) {
  auto bad = [&](CreateKeyParams p) {
    auto st = keys.Create(vault, "bad", std::move(p)).status();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_EQ(st.azure_code(), "BadParameter");
    return st.message();
  };
  bad(Kty("RSA", 1024));
  bad(Kty("RSA", 2047));
  bad(Kty("oct", 512));
  bad(Kty("DSA"));
  bad(Kty(""));
  CreateKeyParams curve = Kty("EC");
  curve.curve = "P-999";
  bad(curve);
  CreateKeyParams mismatch = Kty("EC", 384);  // P-256 by default
  bad(mismatch);
  CreateKeyParams exponent = Kty("RSA");
  exponent.public_exponent = 65536;
  bad(exponent);
  CreateKeyParams ops = Kty("EC");
  ops.key_ops = std::vector<std::string>{"sign", "frobnicate"};
  EXPECT_NE(bad(ops).find("frobnicate"), std::string::npos);
  CreateKeyParams exportable = Kty("EC");
  exportable.exportable = true;
  EXPECT_NE(bad(exportable).find("AKV.SKR.1004"), std::string::npos);
  for (const char* kty : {"RSA-HSM", "EC-HSM", "oct-HSM"}) {
    EXPECT_NE(bad(Kty(kty)).find("PKCS#11"), std::string::npos);
  }
  ImportKeyParams hsm = OctJwk(std::string(32, 'k'));
  hsm.hsm = true;
  auto st = keys.Import(vault, "bad", std::move(hsm)).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("PKCS#11"), std::string::npos);
  EXPECT_EQ(keys.Import(vault, "bad", OctJwk("short")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(keys.Create(vault, "bad_name", Kty("EC")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(keys.Get(vault, "bad", "").status().code(), StatusCode::kNotFound);
}

TEST_F(KeyServiceTest, ImportRoundTrips) {
  std::string k = "0123456789abcdef0123456789abcdef";
  auto oct = keys.Import(vault, "imported-oct", OctJwk(k));
  ASSERT_TRUE(oct.ok()) << oct.status().ToString();
  EXPECT_EQ(oct->kty, "oct");
  EXPECT_EQ(oct->key_ops, (std::vector<std::string>{"encrypt", "decrypt", "wrapKey", "unwrapKey"}));
  // The same key material outside the vault unwraps what the vault wrapped.
  auto local = crypto::KeyMaterial::Import(OctJwk(k).jwk);
  ASSERT_TRUE(local.ok());
  auto wrapped = Op(vault, "imported-oct", KeyOperation::kWrapKey, "A256KW", std::string(32, 'w'));
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  EXPECT_EQ(local->UnwrapKey(crypto::EncryptionAlgorithm::kA256Kw, wrapped->value)->Reveal(),
            std::string(32, 'w'));

  ImportKeyParams ec = EcJwk();
  ec.key_ops = std::vector<std::string>{"verify", "sign"};
  ec.tags = {{"env", "test"}};
  ec.not_before = f.clock.NowSeconds() - 10;
  auto imported = keys.Import(vault, "imported-ec", std::move(ec));
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->kty, "EC");
  EXPECT_EQ(imported->key_ops, (std::vector<std::string>{"verify", "sign"}));
  auto got = keys.Get(vault, "imported-ec", "");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->material->PublicComponents().x, *Base64UrlDecode(kEcX));
  EXPECT_EQ(got->tags.at("env"), "test");
  EXPECT_EQ(got->attributes.not_before, f.clock.NowSeconds() - 10);
  auto sig = Op(vault, "imported-ec", KeyOperation::kSign, "ES256", Digest(32));
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  auto local_ec = crypto::KeyMaterial::Import(EcJwk().jwk);
  ASSERT_TRUE(local_ec.ok());
  EXPECT_TRUE(*local_ec->Verify(crypto::SignatureAlgorithm::kEs256, Digest(32), sig->value));
}

TEST_F(KeyServiceTest, VersionsListsAndPaging) {
  std::vector<std::string> versions;
  for (int i = 0; i < 3; ++i) {
    f.clock.Advance(1);
    auto k = keys.Create(vault, "multi", Kty("oct"));
    ASSERT_TRUE(k.ok());
    versions.push_back(k->version);
  }
  EXPECT_EQ(keys.Get(vault, "multi", "")->version, versions.back());
  auto first = keys.Get(vault, "multi", versions[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->version, versions[0]);
  EXPECT_NE(first->material->Serialize(), keys.Get(vault, "multi", "")->material->Serialize());
  EXPECT_EQ(keys.Get(vault, "multi", "0123").status().azure_code(), "KeyNotFound");
  EXPECT_EQ(keys.Get(vault, "missing", "").status().azure_code(), "KeyNotFound");

  std::set<std::string> seen;
  std::string marker;
  int pages = 0;
  for (;;) {
    auto page = keys.ListVersions(vault, "multi", marker, 2);
    ASSERT_TRUE(page.ok());
    ++pages;
    for (auto& k : page->items) {
      EXPECT_EQ(k.material, nullptr);
      EXPECT_EQ(k.kty, "oct");
      EXPECT_TRUE(seen.insert(k.version).second);
    }
    if (!page->next_marker) break;
    marker = *page->next_marker;
  }
  EXPECT_EQ(seen, std::set<std::string>(versions.begin(), versions.end()));
  EXPECT_EQ(pages, 2);
  EXPECT_TRUE(keys.ListVersions(vault, "missing", "", 25)->items.empty());

  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(keys.Create(vault, "k" + std::to_string(i), Kty("EC")).ok());
  std::set<std::string> names;
  marker.clear();
  pages = 0;
  for (;;) {
    auto page = keys.List(vault, marker, 2);
    ASSERT_TRUE(page.ok());
    ++pages;
    for (auto& k : page->items) {
      EXPECT_EQ(k.material, nullptr);
      EXPECT_TRUE(names.insert(k.name).second);
      if (k.name == "multi") {
        EXPECT_EQ(k.version, versions.back());
      }
    }
    if (!page->next_marker) break;
    marker = *page->next_marker;
  }
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(pages, 3);
  EXPECT_TRUE(keys.List(other_vault, "", 25)->items.empty());
}

TEST_F(KeyServiceTest, UpdateChangesOneVersionAndKeepsMaterial) {
  auto v1 = keys.Create(vault, "upd", Kty("EC"));
  ASSERT_TRUE(v1.ok());
  auto v2 = keys.Create(vault, "upd", Kty("EC"));
  ASSERT_TRUE(v2.ok());
  f.clock.Advance(5);
  KeyUpdate u;
  u.key_ops = std::vector<std::string>{"verify"};
  u.tags = std::map<std::string, std::string>{{"t", "v"}};
  u.expires = f.clock.NowSeconds() + 100;
  auto updated = keys.Update(vault, "upd", v1->version, u);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->key_ops, std::vector<std::string>{"verify"});
  EXPECT_EQ(updated->attributes.updated, f.clock.NowSeconds());
  EXPECT_EQ(updated->attributes.created, v1->attributes.created);
  auto got1 = keys.Get(vault, "upd", v1->version);
  EXPECT_EQ(got1->tags.at("t"), "v");
  EXPECT_EQ(got1->attributes.expires, f.clock.NowSeconds() + 100);
  EXPECT_EQ(got1->material->PublicComponents().x, v1->material->PublicComponents().x);
  EXPECT_EQ(keys.Get(vault, "upd", "")->key_ops, (std::vector<std::string>{"sign", "verify"}));

  // Empty version = latest; an inner nullopt clears exp.
  KeyUpdate clear;
  clear.expires = std::optional<int64_t>();
  clear.enabled = false;
  ASSERT_TRUE(keys.Update(vault, "upd", "", clear).ok());
  auto latest = keys.Get(vault, "upd", "");  // disabled keys are still readable
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->attributes.enabled);
  EXPECT_EQ(latest->version, v2->version);
  EXPECT_FALSE(latest->attributes.expires);
  clear.expires = std::nullopt;
  clear.enabled = std::nullopt;
  clear.not_before = std::optional<int64_t>();
  ASSERT_TRUE(keys.Update(vault, "upd", v1->version, clear).ok());
  EXPECT_EQ(keys.Get(vault, "upd", v1->version)->attributes.expires, f.clock.NowSeconds() + 100);

  KeyUpdate bad;
  bad.key_ops = std::vector<std::string>{"nope"};
  EXPECT_EQ(keys.Update(vault, "upd", "", bad).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(keys.Update(vault, "missing", "", u).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(keys.Update(vault, "upd", "00ff", u).status().code(), StatusCode::kNotFound);
}

TEST_F(KeyServiceTest, RsaOperationsRoundTrip) {
  auto k = keys.Create(vault, "rsa", Kty("RSA"));
  ASSERT_TRUE(k.ok());
  for (const char* alg : {"RSA-OAEP-256", "RSA-OAEP", "RSA1_5"}) {
    auto enc = Op(vault, "rsa", KeyOperation::kEncrypt, alg, "plaintext");
    ASSERT_TRUE(enc.ok()) << alg << enc.status().ToString();
    EXPECT_EQ(enc->kid_version, k->version);
    EXPECT_EQ(enc->value.size(), 256u);
    auto dec = Op(vault, "rsa", KeyOperation::kDecrypt, alg, enc->value);
    ASSERT_TRUE(dec.ok()) << dec.status().ToString();
    EXPECT_EQ(dec->value, "plaintext");
    auto wrapped = Op(vault, "rsa", KeyOperation::kWrapKey, alg, std::string(32, 'c'));
    ASSERT_TRUE(wrapped.ok());
    auto unwrapped =
        Op(vault, "rsa", KeyOperation::kUnwrapKey, alg, wrapped->value, {}, k->version);
    ASSERT_TRUE(unwrapped.ok());
    EXPECT_EQ(unwrapped->value, std::string(32, 'c'));
  }
  for (auto [alg, n] :
       {std::pair{"RS256", 32}, {"RS384", 48}, {"RS512", 64}, {"PS256", 32}, {"PS512", 64}}) {
    auto sig = Op(vault, "rsa", KeyOperation::kSign, alg, Digest(n));
    ASSERT_TRUE(sig.ok()) << alg << sig.status().ToString();
    auto ok = Op(vault, "rsa", KeyOperation::kVerify, alg, Digest(n), sig->value);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->verified, true);
    EXPECT_TRUE(ok->value.empty());
    auto wrong = Op(vault, "rsa", KeyOperation::kVerify, alg, Digest(n, 'x'), sig->value);
    ASSERT_TRUE(wrong.ok());
    EXPECT_EQ(wrong->verified, false);
  }
  // Wrong algorithm family, unknown algorithm, wrong digest size: BadParameter.
  EXPECT_EQ(Op(vault, "rsa", KeyOperation::kSign, "ES256", Digest(32)).status().azure_code(),
            "BadParameter");
  EXPECT_EQ(Op(vault, "rsa", KeyOperation::kEncrypt, "ROT13", "x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Op(vault, "rsa", KeyOperation::kSign, "RS256", Digest(31)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Op(vault, "missing", KeyOperation::kSign, "RS256", Digest(32)).status().code(),
            StatusCode::kNotFound);
}

TEST_F(KeyServiceTest, EcAndOctOperationsRoundTrip) {
  CreateKeyParams p384 = Kty("EC");
  p384.curve = "P-384";
  ASSERT_TRUE(keys.Create(vault, "ec", p384).ok());
  auto sig = Op(vault, "ec", KeyOperation::kSign, "ES384", Digest(48));
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  EXPECT_EQ(sig->value.size(), 96u);
  EXPECT_EQ(Op(vault, "ec", KeyOperation::kVerify, "ES384", Digest(48), sig->value)->verified,
            true);
  EXPECT_EQ(Op(vault, "ec", KeyOperation::kSign, "ES256", Digest(32)).status().code(),
            StatusCode::kInvalidArgument);  // wrong curve

  CreateKeyParams oct = Kty("oct");
  oct.key_ops =
      std::vector<std::string>{"encrypt", "decrypt", "wrapKey", "unwrapKey", "sign", "verify"};
  ASSERT_TRUE(keys.Create(vault, "aes", oct).ok());
  KeyOperationRequest enc;
  enc.op = KeyOperation::kEncrypt;
  enc.algorithm = "A256GCM";
  enc.value = "gcm plaintext";
  enc.aad = "context";
  auto gcm = keys.Operate(vault, "aes", "", enc);
  ASSERT_TRUE(gcm.ok()) << gcm.status().ToString();
  EXPECT_EQ(gcm->iv.size(), 12u);
  EXPECT_EQ(gcm->tag.size(), 16u);
  KeyOperationRequest dec = enc;
  dec.op = KeyOperation::kDecrypt;
  dec.value = gcm->value;
  dec.iv = gcm->iv;
  dec.tag = gcm->tag;
  EXPECT_EQ(keys.Operate(vault, "aes", "", dec)->value, "gcm plaintext");
  dec.aad = "other";
  EXPECT_EQ(keys.Operate(vault, "aes", "", dec).status().code(), StatusCode::kInvalidArgument);

  auto cbc = Op(vault, "aes", KeyOperation::kEncrypt, "A256CBCPAD", "cbc text");
  ASSERT_TRUE(cbc.ok()) << cbc.status().ToString();
  KeyOperationRequest cbc_dec;
  cbc_dec.op = KeyOperation::kDecrypt;
  cbc_dec.algorithm = "A256CBCPAD";
  cbc_dec.value = cbc->value;
  cbc_dec.iv = cbc->iv;
  EXPECT_EQ(keys.Operate(vault, "aes", "", cbc_dec)->value, "cbc text");

  for (const char* alg : {"A256KW", "CKM_AES_KEY_WRAP_PAD"}) {
    auto wrapped = Op(vault, "aes", KeyOperation::kWrapKey, alg, std::string(24, 'k'));
    ASSERT_TRUE(wrapped.ok()) << alg << wrapped.status().ToString();
    EXPECT_EQ(Op(vault, "aes", KeyOperation::kUnwrapKey, alg, wrapped->value)->value,
              std::string(24, 'k'));
  }
  auto mac = Op(vault, "aes", KeyOperation::kSign, "HS256", "message");
  ASSERT_TRUE(mac.ok()) << mac.status().ToString();
  EXPECT_EQ(Op(vault, "aes", KeyOperation::kVerify, "HS256", "message", mac->value)->verified,
            true);
}

TEST_F(KeyServiceTest, EnforcesEnabledValidityAndKeyOps) {
  CreateKeyParams p = Kty("oct");
  p.key_ops = std::vector<std::string>{"encrypt", "decrypt"};
  auto k = keys.Create(vault, "k", p);
  ASSERT_TRUE(k.ok());
  auto enc = Op(vault, "k", KeyOperation::kEncrypt, "A256CBCPAD", "x");
  ASSERT_TRUE(enc.ok());

  auto wrap = Op(vault, "k", KeyOperation::kWrapKey, "A256KW", std::string(16, 'k'));
  EXPECT_EQ(wrap.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(wrap.status().message(), "Operation wrapKey is not permitted on this key.");

  KeyUpdate off;
  off.enabled = false;
  ASSERT_TRUE(keys.Update(vault, "k", "", off).ok());
  auto disabled = Op(vault, "k", KeyOperation::kEncrypt, "A256CBCPAD", "x");
  EXPECT_EQ(disabled.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(disabled.status().inner_code(), "KeyDisabled");
  EXPECT_EQ(disabled.status().message(), "Operation encrypt is not allowed on a disabled key.");
  KeyOperationRequest dec;
  dec.op = KeyOperation::kDecrypt;
  dec.algorithm = "A256CBCPAD";
  dec.value = enc->value;
  dec.iv = enc->iv;
  EXPECT_EQ(keys.Operate(vault, "k", "", dec).status().code(), StatusCode::kPermissionDenied);

  // Outside nbf..exp: encrypt, wrapKey and sign are refused; decrypt, unwrapKey and verify work.
  KeyUpdate window;
  window.enabled = true;
  window.not_before = f.clock.NowSeconds() + 100;
  window.expires = f.clock.NowSeconds() + 200;
  ASSERT_TRUE(keys.Update(vault, "k", "", window).ok());
  auto early = Op(vault, "k", KeyOperation::kEncrypt, "A256CBCPAD", "x");
  EXPECT_EQ(early.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(keys.Operate(vault, "k", "", dec).ok());
  f.clock.Advance(100);
  EXPECT_TRUE(Op(vault, "k", KeyOperation::kEncrypt, "A256CBCPAD", "x").ok());
  f.clock.Advance(100);
  auto late = Op(vault, "k", KeyOperation::kEncrypt, "A256CBCPAD", "x");
  EXPECT_EQ(late.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(late.status().inner_code(), "KeyExpired");
  EXPECT_EQ(keys.Operate(vault, "k", "", dec)->value, "x");

  // Per version: an older version keeps its own state.
  CreateKeyParams ec = Kty("EC");
  ec.expires = f.clock.NowSeconds() - 1;
  auto old = keys.Create(vault, "ec", ec);
  ASSERT_TRUE(old.ok());
  auto fresh = keys.Create(vault, "ec", Kty("EC"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(Op(vault, "ec", KeyOperation::kSign, "ES256", Digest(32)).ok());
  auto expired = Op(vault, "ec", KeyOperation::kSign, "ES256", Digest(32), {}, old->version);
  EXPECT_EQ(expired.status().code(), StatusCode::kPermissionDenied);
  auto sig = Op(vault, "ec", KeyOperation::kSign, "ES256", Digest(32));
  EXPECT_EQ(sig->kid_version, fresh->version);
  EXPECT_EQ(Op(vault, "ec", KeyOperation::kVerify, "ES256", Digest(32), sig->value, old->version)
                ->verified,
            false);
}

TEST_F(KeyServiceTest, SoftDeleteRecoverPurge) {
  auto k = keys.Create(vault, "k", Kty("EC"));
  ASSERT_TRUE(k.ok());
  auto deleted = keys.Delete(vault, "K");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->deleted.scheduled_purge_date - deleted->deleted.deleted_date, 7 * 86400);
  EXPECT_NE(deleted->latest.material, nullptr);  // DeleteKey returns the key
  EXPECT_EQ(keys.Get(vault, "k", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Op(vault, "k", KeyOperation::kSign, "ES256", Digest(32)).status().code(),
            StatusCode::kNotFound);
  auto conflict = keys.Create(vault, "k", Kty("EC"));
  EXPECT_EQ(conflict.status().inner_code(), "ObjectIsDeletedButRecoverable");
  EXPECT_EQ(keys.Import(vault, "k", EcJwk()).status().inner_code(),
            "ObjectIsDeletedButRecoverable");
  auto listed = keys.ListDeleted(vault, "", 25);
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].latest.material, nullptr);
  EXPECT_EQ(keys.GetDeleted(vault, "k")->latest.version, k->version);
  EXPECT_EQ(keys.Delete(vault, "k").status().code(), StatusCode::kNotFound);

  auto recovered = keys.Recover(vault, "k");
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(recovered->version, k->version);
  EXPECT_TRUE(Op(vault, "k", KeyOperation::kSign, "ES256", Digest(32)).ok());
  EXPECT_EQ(keys.Recover(vault, "k").status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(keys.Delete(vault, "k").ok());
  ASSERT_TRUE(keys.Purge(vault, "k").ok());
  EXPECT_EQ(keys.GetDeleted(vault, "k").status().azure_code(), "KeyNotFound");
  EXPECT_EQ(keys.Purge(vault, "k").code(), StatusCode::kNotFound);
  auto again = keys.Create(vault, "k", Kty("EC"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(keys.ListVersions(vault, "k", "", 25)->items.size(), 1u);
  // Nothing of the purged key is left under the schedule.
  EXPECT_TRUE(f.store->Scan(PurgeSchedulePrefix(), "", 0)->empty());
}

TEST_F(KeyServiceTest, PurgeProtectionRefusesPurgeButJobPurgesAfterRetention) {
  ASSERT_TRUE(keys.Create(protected_vault, "p", Kty("oct")).ok());
  ASSERT_TRUE(keys.Create(vault, "q", Kty("oct")).ok());
  ASSERT_TRUE(keys.Delete(protected_vault, "p").ok());
  ASSERT_TRUE(keys.Delete(vault, "q").ok());
  auto st = keys.Purge(protected_vault, "p");
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(st.inner_code(), "PurgeProtectionEnabled");
  PurgeJob job(f.store.get(), &vaults, &secrets, &keys);
  f.clock.Advance(7 * 86400 - 1);
  ASSERT_TRUE(job.RunOnce(f.clock.NowSeconds()).ok());
  EXPECT_TRUE(keys.GetDeleted(protected_vault, "p").ok());
  f.clock.Advance(1);
  auto handled = job.RunOnce(f.clock.NowSeconds());
  ASSERT_TRUE(handled.ok());
  EXPECT_EQ(*handled, 2u);
  EXPECT_EQ(keys.GetDeleted(protected_vault, "p").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(keys.GetDeleted(vault, "q").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(keys.Create(protected_vault, "p", Kty("oct")).ok());
  EXPECT_TRUE(keys.ListVersions(vault, "q", "", 25)->items.empty());
}

TEST_F(KeyServiceTest, BackupRestoresEveryVersionIntoAnotherVault) {
  auto v1 = keys.Create(vault, "bk", Kty("EC"));
  auto v2 = keys.Create(vault, "bk", Kty("EC"));
  ASSERT_TRUE(v1.ok() && v2.ok());
  auto sig = Op(vault, "bk", KeyOperation::kSign, "ES256", Digest(32), {}, v1->version);
  ASSERT_TRUE(sig.ok());
  auto blob = keys.Backup(vault, "bk");
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  EXPECT_EQ(keys.Backup(vault, "missing").status().code(), StatusCode::kNotFound);

  auto restored = keys.Restore(other_vault, *blob);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->version, v2->version);
  EXPECT_EQ(restored->material->PublicComponents().x, v2->material->PublicComponents().x);
  EXPECT_EQ(keys.ListVersions(other_vault, "bk", "", 25)->items.size(), 2u);
  auto verified =
      Op(other_vault, "bk", KeyOperation::kVerify, "ES256", Digest(32), sig->value, v1->version);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->verified, true);

  // The name is taken in the source vault; once deleted, it is deleted-but-recoverable.
  EXPECT_EQ(keys.Restore(vault, *blob).status().code(), StatusCode::kConflict);
  ASSERT_TRUE(keys.Delete(vault, "bk").ok());
  EXPECT_EQ(keys.Restore(vault, *blob).status().inner_code(), "ObjectIsDeletedButRecoverable");
  ASSERT_TRUE(keys.Purge(vault, "bk").ok());
  EXPECT_TRUE(keys.Restore(vault, *blob).ok());

  // A secret's backup, a tampered blob and garbage are all refused.
  SetSecretParams s;
  s.value = SecretBytes(std::string_view("v"));
  ASSERT_TRUE(secrets.Set(vault, "sec", std::move(s)).ok());
  auto secret_blob = secrets.Backup(vault, "sec");
  ASSERT_TRUE(secret_blob.ok());
  EXPECT_EQ(keys.Restore(protected_vault, *secret_blob).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(secrets.Restore(protected_vault, *blob).status().code(), StatusCode::kInvalidArgument);
  std::string tampered = *blob;
  tampered[tampered.size() / 2] ^= 1;
  EXPECT_EQ(keys.Restore(protected_vault, tampered).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(keys.Restore(protected_vault, "garbage").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(keys.List(protected_vault, "", 25)->items.empty());
}

TEST_F(KeyServiceTest, StoredRecordsAndBackupsHoldNoPlaintextKeyMaterial) {
  std::string canary = "OCT-CANARY-0123456789-abcdefghij";  // 32 bytes
  ASSERT_TRUE(keys.Import(vault, "oct", OctJwk(canary)).ok());
  auto rsa = keys.Create(vault, "rsa", Kty("RSA"));
  ASSERT_TRUE(rsa.ok());
  // The tail of the PKCS#8 encoding is the CRT coefficient qi: private.
  SecretBytes serialized = rsa->material->Serialize();
  std::string rsa_private(serialized.Reveal().substr(serialized.size() - 64));
  auto blob = keys.Backup(vault, "rsa");
  ASSERT_TRUE(blob.ok());
  KeyUpdate u;
  u.tags = std::map<std::string, std::string>{{"x", "y"}};
  ASSERT_TRUE(keys.Update(vault, "oct", "", u).ok());
  ASSERT_TRUE(keys.Delete(vault, "oct").ok());

  std::string stored = StoreContents();
  EXPECT_GT(stored.size(), 2000u);
  EXPECT_EQ(stored.find(canary), std::string::npos);
  EXPECT_EQ(stored.find(rsa_private), std::string::npos);
  EXPECT_EQ(blob->find(rsa_private), std::string::npos);
  // ... while the service itself still has both.
  EXPECT_EQ(keys.GetDeleted(vault, "oct")->latest.material->Serialize().Reveal().find(canary) !=
                std::string_view::npos,
            true);
  EXPECT_EQ(keys.Get(vault, "rsa", "")->material->Serialize(), serialized);
}

}  // namespace
}  // namespace kh::domain
