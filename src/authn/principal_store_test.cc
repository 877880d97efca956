#include "authn/principal_store.h"

#include <gtest/gtest.h>

#include <ctime>

#include "crypto/password_hash.h"
#include "crypto/x509.h"
#include "testing/domain_fixture.h"

namespace kh::authn {
namespace {

class PrincipalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { f.clock.Set(static_cast<int64_t>(std::time(nullptr))); }
  testing::DomainFixture f;
  PrincipalStore store{&f.barrier, &f.clock};
};

TEST_F(PrincipalStoreTest, SecretsRotateWithOverlapAndRemovalRevokes) {
  auto created = store.Create("app", false);
  ASSERT_TRUE(created.ok());
  const std::string id = created->first.client_id;
  const SecretBytes first = created->second;
  auto second = store.AddPassword(id, {"rotation", 0});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->second.Reveal(), first.Reveal());
  EXPECT_TRUE(store.Authenticate(id, first).ok());
  EXPECT_TRUE(store.Authenticate(id, second->second).ok());

  auto removed = store.RemoveCredential(id, created->first.credentials[0].key_id);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(store.Authenticate(id, first).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(store.Authenticate(id, second->second).ok());
  EXPECT_EQ(store.RemoveCredential(id, "no-such-key").status().code(), StatusCode::kNotFound);
}

TEST_F(PrincipalStoreTest, ExpiredSecretIsRefused) {
  int64_t now = f.clock.NowSeconds();
  auto created = store.Create("app", false, {"short", now + 100});
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(store.Authenticate(created->first.client_id, created->second).ok());
  f.clock.Advance(101);
  EXPECT_EQ(store.Authenticate(created->first.client_id, created->second).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(store.AddPassword(created->first.client_id, {"past", now}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(PrincipalStoreTest, WrongSecretAndUnknownClientGiveTheSameError) {
  auto created = store.Create("app", false);
  ASSERT_TRUE(created.ok());
  Status wrong = store.Authenticate(created->first.client_id, SecretBytes("nope")).status();
  Status unknown =
      store.Authenticate("00000000-1111-2222-3333-444444444444", created->second).status();
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.message(), unknown.message());
}

TEST_F(PrincipalStoreTest, ListGetDeleteAndTheBootstrapAdminStays) {
  auto admin = store.Create("admin", true);
  auto app = store.Create("app", false);
  ASSERT_TRUE(admin.ok() && app.ok());
  auto identity = store.CreateIdentitySecret(app->first.client_id);
  ASSERT_TRUE(identity.ok());
  auto all = store.List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(store.Get(app->first.client_id)->display_name, "app");

  EXPECT_EQ(store.Delete(admin->first.client_id).code(), StatusCode::kConflict);
  ASSERT_TRUE(store.Delete(app->first.client_id).ok());
  EXPECT_EQ(store.Get(app->first.client_id).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(store.AuthenticateIdentity(*identity).ok());
  EXPECT_FALSE(store.Authenticate(app->first.client_id, app->second).ok());
  EXPECT_EQ(store.Delete(app->first.client_id).code(), StatusCode::kNotFound);
  EXPECT_EQ(store.List()->size(), 1u);
}

TEST_F(PrincipalStoreTest, CredentialsAreCapped) {
  auto created = store.Create("app", false);
  ASSERT_TRUE(created.ok());
  for (size_t i = 1; i < kMaxCredentialsPerPrincipal; ++i) {
    ASSERT_TRUE(store.AddPassword(created->first.client_id, {"n", 0}).ok());
  }
  EXPECT_EQ(store.AddPassword(created->first.client_id, {"n", 0}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(PrincipalStoreTest, CertificateCredentialKeepsThumbprintsAndValidity) {
  auto created = store.Create("app", false);
  auto cert = crypto::CreateCertificateAuthority("client-cert", 10);
  ASSERT_TRUE(created.ok() && cert.ok());
  auto added = store.AddCertificate(created->first.client_id, cert->certificate_pem, "");
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->type, kCertificateCredential);
  EXPECT_EQ(added->thumbprint_sha1.size(), 27u);    // 20 bytes, base64url
  EXPECT_EQ(added->thumbprint_sha256.size(), 43u);  // 32 bytes
  EXPECT_GT(added->end, f.clock.NowSeconds() + 9 * 86400);
  EXPECT_NE(added->display_name.find("client-cert"), std::string::npos);
  EXPECT_EQ(
      store.AddCertificate(created->first.client_id, cert->certificate_pem, "").status().code(),
      StatusCode::kConflict);
  EXPECT_EQ(store.AddCertificate(created->first.client_id, "junk", "").status().code(),
            StatusCode::kInvalidArgument);
  // A certificate is not a password.
  EXPECT_FALSE(
      store.Authenticate(created->first.client_id, SecretBytes(added->thumbprint_sha1)).ok());
}

TEST_F(PrincipalStoreTest, RecordsFromBeforeCredentialsStillAuthenticate) {
  Fields legacy;
  legacy.Set("client_id", "old-client");
  legacy.Set("object_id", "old-object");
  legacy.Set("display_name", "old");
  legacy.Set("secret_hash", crypto::HashPassword("legacy-secret"));
  storage::WriteBatch batch;
  ASSERT_TRUE(
      f.barrier.Write(f.barrier.system(), batch, "principals/old-client", legacy.Encode()).ok());
  ASSERT_TRUE(f.store->Commit(batch).ok());
  EXPECT_TRUE(store.Authenticate("old-client", SecretBytes("legacy-secret")).ok());
}

}  // namespace
}  // namespace kh::authn
