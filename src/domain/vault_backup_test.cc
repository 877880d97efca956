#include "domain/vault_backup.h"

#include <gtest/gtest.h>

#include <set>

#include "domain/purge_job.h"
#include "domain/secret_service.h"
#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

// One deployment: store, barrier (root key 0x42... as in every DomainFixture), services.
struct Deployment {
  testing::DomainFixture f;
  VaultService vaults{&f.barrier, &f.clock};
  SecretService secrets{&f.barrier, &f.clock};
  KeyService keys{&f.barrier, &f.clock};
  VaultBackupService backups{&f.barrier, &vaults, &keys, &f.clock};
  PurgeJob purge{f.store.get(), &vaults, &secrets, &keys};
  std::unique_ptr<RoleAssignmentService> assignments =
      *RoleAssignmentService::Open(&f.barrier, &f.clock);
  Deployment() { backups.SetRoleAssignments(assignments.get(), "sub-1"); }
};

// Long enough that ciphertext never contains it by chance (a 2-byte value did, in CI).
constexpr std::string_view kV2 = "second-version-value-4f1c9a7e2b";

SetSecretParams Value(std::string_view v) {
  SetSecretParams p;
  p.value = SecretBytes(v);
  return p;
}

std::string Sign(Deployment& d, const Vault& v, std::string_view key, std::string_view version) {
  KeyOperationRequest req;
  req.op = KeyOperation::kSign;
  req.algorithm = "RS256";
  req.value = std::string(32, 'h');
  auto r = d.keys.Operate(v, key, version, req);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->value : "";
}

class VaultBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VaultSpec spec;
    spec.location = "local";
    spec.retention_days = 7;
    spec.tags = std::map<std::string, std::string>{{"env", "prod"}};
    vault = *src.vaults.CreateOrUpdate("rg", "orig", spec, "admin")->vault;
    ASSERT_TRUE(src.secrets.Set(vault, "db", Value("v1")).ok());
    ASSERT_TRUE(src.secrets.Set(vault, "db", Value(kV2)).ok());
    ASSERT_TRUE(src.secrets.Set(vault, "gone", Value("old")).ok());
    ASSERT_TRUE(src.secrets.Delete(vault, "gone").ok());
    CreateKeyParams rsa;
    rsa.kty = "RSA";
    auto k = src.keys.Create(vault, "signer", rsa);
    ASSERT_TRUE(k.ok());
    key_version = k->version;
  }

  Deployment src;
  Vault vault;
  std::string key_version;
};

TEST_F(VaultBackupTest, RoundTripsIntoAnotherDeploymentWithTheSameBackupKey) {
  auto file = src.backups.Create("orig");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->find(kV2), std::string::npos);  // sealed, not plain

  Deployment dst;  // same root key, hence same backup key
  auto info = dst.backups.Verify(*file);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->vault, "orig");
  EXPECT_EQ(info->secrets, 2u);
  EXPECT_EQ(info->keys, 1u);
  EXPECT_EQ(info->deleted_objects, 1u);

  auto restored = dst.backups.Restore(*file, "copy", std::nullopt, "admin");
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  auto copy = dst.vaults.Get("rg", "copy");
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ((*copy)->tags.at("env"), "prod");
  EXPECT_EQ((*copy)->retention_days, 7);

  auto versions = dst.secrets.ListVersions(**copy, "db", "", 25);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->items.size(), 2u);
  EXPECT_EQ(dst.secrets.Get(**copy, "db", "")->value.Reveal(), kV2);
  auto orig_deleted = src.secrets.GetDeleted(vault, "gone");
  auto copy_deleted = dst.secrets.GetDeleted(**copy, "gone");
  ASSERT_TRUE(copy_deleted.ok());
  EXPECT_EQ(copy_deleted->deleted.scheduled_purge_date, orig_deleted->deleted.scheduled_purge_date);
  // The same private key: RS256 signatures are equal.
  EXPECT_EQ(Sign(dst, **copy, "signer", key_version), Sign(src, vault, "signer", key_version));

  // The purge schedule came along: the deleted secret goes when its retention ends.
  dst.f.clock.Advance(8 * kSecondsPerDay);
  ASSERT_TRUE(dst.purge.RunOnce(dst.f.clock.NowSeconds()).ok());
  EXPECT_EQ(dst.secrets.GetDeleted(**copy, "gone").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(dst.secrets.Get(**copy, "db", "").ok());
}

TEST_F(VaultBackupTest, RestoresBesideTheOriginalAndRefusesTakenNames) {
  auto file = src.backups.Create("orig");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(src.backups.Restore(*file, "twin", "rg2", "admin").ok());
  auto twin = src.vaults.Get("rg2", "twin");
  ASSERT_TRUE(twin.ok());
  // Independent: a change in one does not show in the other.
  ASSERT_TRUE(src.secrets.Set(vault, "db", Value("v3")).ok());
  EXPECT_EQ(src.secrets.Get(**twin, "db", "")->value.Reveal(), kV2);

  EXPECT_EQ(src.backups.Restore(*file, "orig", std::nullopt, "admin").status().azure_code(),
            "VaultAlreadyExists");
  EXPECT_EQ(src.backups.Restore(*file, "twin", std::nullopt, "admin").status().code(),
            StatusCode::kConflict);
  EXPECT_EQ(src.backups.Restore(*file, "bad_name", std::nullopt, "admin").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(src.backups.Create("nosuchvault").status().code(), StatusCode::kNotFound);
}

TEST_F(VaultBackupTest, RoleAssignmentsTravelOnRequestAndAreRescopedToTheNewVault) {
  const std::string vault_scope =
      "/subscriptions/sub-1/resourceGroups/rg/providers/"
      "Microsoft.KeyVault/vaults/orig";
  auto grant = [&](std::string id, std::string scope, std::string principal) {
    RoleAssignmentRecord r;
    r.id = std::move(id);
    r.scope = std::move(scope);
    r.role_id = "4633458b-17de-408a-b874-0445c86b69e6";  // Key Vault Secrets User
    r.principal_id = std::move(principal);
    ASSERT_TRUE(src.assignments->Create(r).ok());
  };
  grant("11111111-1111-4111-8111-111111111111", vault_scope, "reader-a");
  grant("22222222-2222-4222-8222-222222222222", vault_scope + "/secrets/db", "reader-b");
  grant("33333333-3333-4333-8333-333333333333",
        "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/origx",
        "someone-else");

  auto without = src.backups.Create("orig");
  auto with = src.backups.Create("orig", /*with_role_assignments=*/true);
  ASSERT_TRUE(without.ok() && with.ok());
  EXPECT_EQ(src.backups.Verify(*without)->role_assignments, 0u);
  EXPECT_EQ(src.backups.Verify(*with)->role_assignments, 2u);

  Deployment dst;
  auto restored = dst.backups.Restore(*with, "twin", "rg2", "admin");
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->role_assignments_skipped, 0u);
  std::set<std::string> scopes;
  for (const auto& a : dst.assignments->List()) scopes.insert(a.scope + " " + a.principal_id);
  const std::string twin =
      "/subscriptions/sub-1/resourceGroups/rg2/providers/"
      "Microsoft.KeyVault/vaults/twin";
  EXPECT_EQ(scopes, (std::set<std::string>{twin + " reader-a", twin + "/secrets/db reader-b"}));
}

TEST_F(VaultBackupTest, TamperedTruncatedOrForeignFilesAreRefusedBeforeAnyWrite) {
  auto file = src.backups.Create("orig");
  ASSERT_TRUE(file.ok());
  Deployment dst;
  std::string tampered = *file;
  tampered[tampered.size() / 2] ^= 0x01;
  const std::string truncated = file->substr(0, file->size() - 10);
  for (const std::string* bad : {static_cast<const std::string*>(&tampered), &truncated}) {
    EXPECT_EQ(dst.backups.Verify(*bad).status().code(), StatusCode::kInvalidArgument);
    auto st = dst.backups.Restore(*bad, "copy", std::nullopt, "admin").status();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("nothing was restored"), std::string::npos);
  }
  EXPECT_EQ(dst.backups.Verify("not a backup").status().code(), StatusCode::kInvalidArgument);

  // Another deployment (another root key, so another backup key) cannot open it.
  auto store = storage::NewMemoryStore();
  barrier::Barrier other_barrier{store.get(), SecretBytes(std::string(32, '\x07'))};
  VaultService other_vaults{&other_barrier, &dst.f.clock};
  VaultBackupService other{&other_barrier, &other_vaults, nullptr, &dst.f.clock};
  EXPECT_EQ(other.Verify(*file).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(other.Restore(*file, "copy", std::nullopt, "admin").status().code(),
            StatusCode::kInvalidArgument);
  // Nothing was written anywhere.
  EXPECT_EQ(dst.vaults.Find("copy").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(other_vaults.List(std::nullopt)->empty());
}

}  // namespace
}  // namespace kh::domain
