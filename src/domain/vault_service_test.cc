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

}  // namespace
}  // namespace kh::domain
