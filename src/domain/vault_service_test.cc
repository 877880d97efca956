#include "domain/vault_service.h"

#include <gtest/gtest.h>

#include "testing/domain_fixture.h"

namespace kh::domain {
namespace {

class VaultServiceTest : public ::testing::Test {
 protected:
  testing::DomainFixture f;
  VaultService vaults{&f.barrier, &f.clock};
};

TEST_F(VaultServiceTest, CreateGetListUpdateDelete) {
  VaultSpec spec;
  spec.location = "local";
  spec.retention_days = 7;
  auto created = vaults.CreateOrUpdate("rg1", "myapp-prod", spec, "admin");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->vault->RecoveryLevel(), "CustomizedRecoverable+Purgeable");

  EXPECT_TRUE(vaults.Get("RG1", "MyApp-Prod").ok());
  EXPECT_EQ(vaults.Get("rg2", "myapp-prod").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(vaults.CreateOrUpdate("rg2", "other", VaultSpec{}, "admin").ok());
  EXPECT_EQ(vaults.List(std::nullopt)->size(), 2u);
  EXPECT_EQ(vaults.List("rg1")->size(), 1u);

  VaultSpec patch;
  patch.purge_protection = true;
  auto updated = vaults.Update("rg1", "myapp-prod", patch, "admin");
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ((*updated)->RecoveryLevel(), "CustomizedRecoverable");
  patch.purge_protection = false;
  EXPECT_EQ(vaults.Update("rg1", "myapp-prod", patch, "admin").status().code(),
            StatusCode::kInvalidArgument);

  ASSERT_TRUE(vaults.Delete("rg1", "myapp-prod").ok());
  EXPECT_EQ(vaults.Find("myapp-prod").status().code(), StatusCode::kNotFound);
  auto again = vaults.CreateOrUpdate("rg1", "myapp-prod", spec, "admin");
  EXPECT_EQ(again.status().azure_code(), "VaultAlreadyExists");
}

TEST_F(VaultServiceTest, RejectsBadInput) {
  VaultSpec spec;
  EXPECT_EQ(vaults.CreateOrUpdate("rg", "a_b", spec, "x").status().azure_code(),
            "VaultNameNotValid");
  spec.retention_days = 6;
  EXPECT_EQ(vaults.CreateOrUpdate("rg", "abc", spec, "x").status().code(),
            StatusCode::kInvalidArgument);
  spec.retention_days = 91;
  EXPECT_FALSE(vaults.CreateOrUpdate("rg", "abc", spec, "x").ok());
}

TEST_F(VaultServiceTest, PurgeRemovesVaultAfterRetention) {
  VaultSpec spec;
  spec.retention_days = 7;
  ASSERT_TRUE(vaults.CreateOrUpdate("rg", "gone", spec, "x").ok());
  ASSERT_TRUE(vaults.Delete("rg", "gone").ok());
  f.clock.Advance(6 * kSecondsPerDay);
  ASSERT_TRUE(vaults.PurgeIfDue("gone", f.clock.NowSeconds()).ok());
  EXPECT_EQ(vaults.CreateOrUpdate("rg", "gone", spec, "x").status().azure_code(),
            "VaultAlreadyExists");
  f.clock.Advance(kSecondsPerDay + 1);
  ASSERT_TRUE(vaults.PurgeIfDue("gone", f.clock.NowSeconds()).ok());
  EXPECT_TRUE(vaults.CreateOrUpdate("rg", "gone", spec, "x").ok());
}

TEST_F(VaultServiceTest, DeletedVaultsAreListedRecoveredAndPurged) {
  VaultSpec spec;
  spec.location = "West Europe";
  spec.retention_days = 7;
  spec.tags = std::map<std::string, std::string>{{"env", "prod"}};
  ASSERT_TRUE(vaults.CreateOrUpdate("rg", "soft", spec, "x").ok());
  spec.purge_protection = true;
  ASSERT_TRUE(vaults.CreateOrUpdate("rg", "locked", spec, "x").ok());
  EXPECT_TRUE(vaults.ListDeleted()->empty());
  EXPECT_TRUE(vaults.CheckName("soft")->reason == "AlreadyExists");
  EXPECT_TRUE(vaults.CheckName("free-name")->available);
  EXPECT_EQ(vaults.CheckName("no_underscores")->reason, "AccountNameInvalid");

  ASSERT_TRUE(vaults.Delete("rg", "soft").ok());
  ASSERT_TRUE(vaults.Delete("rg", "locked").ok());
  auto deleted = vaults.ListDeleted();
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->size(), 2u);
  // ARM locations match without case or spaces; another location does not.
  auto soft = vaults.GetDeleted("westeurope", "soft");
  ASSERT_TRUE(soft.ok()) << soft.status().ToString();
  EXPECT_EQ((*soft)->scheduled_purge_date, (*soft)->deleted_date + 7 * kSecondsPerDay);
  EXPECT_EQ(vaults.GetDeleted("eastus", "soft").status().code(), StatusCode::kNotFound);
  auto reserved = vaults.CheckName("soft");
  EXPECT_FALSE(reserved->available);
  EXPECT_EQ(reserved->reason, "AlreadyExists");
  EXPECT_NE(reserved->message.find("soft-deleted"), std::string::npos);

  // Recover: only in its own resource group; the vault comes back as it was.
  EXPECT_EQ(vaults.Recover("other-rg", "soft", "x").status().code(), StatusCode::kNotFound);
  auto recovered = vaults.Recover("rg", "soft", "x");
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_FALSE((*recovered)->deleted);
  EXPECT_EQ((*recovered)->tags.at("env"), "prod");
  EXPECT_TRUE(vaults.Find("soft").ok());
  EXPECT_EQ(vaults.Recover("rg", "soft", "x").status().code(), StatusCode::kNotFound);
  // The old schedule entry does not purge a recovered vault.
  f.clock.Advance(8 * kSecondsPerDay);
  ASSERT_TRUE(vaults.PurgeIfDue("soft", f.clock.NowSeconds()).ok());
  EXPECT_TRUE(vaults.Find("soft").ok());

  // Purge protection: no one purges early; the schedule does.
  Status refused = vaults.PurgeDeleted("West Europe", "locked");
  EXPECT_EQ(refused.code(), StatusCode::kConflict);
  EXPECT_EQ(refused.azure_code(), "InvalidOperation");
  EXPECT_EQ(refused.message(), "Operation 'DeletedVaultPurge' is not allowed.");
  ASSERT_TRUE(vaults.PurgeIfDue("locked", f.clock.NowSeconds()).ok());
  EXPECT_EQ(vaults.GetDeleted("westeurope", "locked").status().code(), StatusCode::kNotFound);

  // Without purge protection, purge is immediate and frees the name.
  ASSERT_TRUE(vaults.Delete("rg", "soft").ok());
  ASSERT_TRUE(vaults.PurgeDeleted("westeurope", "soft").ok());
  EXPECT_TRUE(vaults.ListDeleted()->empty());
  EXPECT_TRUE(vaults.CheckName("soft")->available);
  EXPECT_EQ(vaults.PurgeDeleted("westeurope", "soft").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kh::domain
