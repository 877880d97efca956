#include "domain/names.h"

#include <gtest/gtest.h>

namespace kh::domain {
namespace {

TEST(NamesTest, ObjectNames) {
  EXPECT_TRUE(ValidateObjectName("a", "Secret").ok());
  EXPECT_TRUE(ValidateObjectName("My-Secret-01", "Secret").ok());
  EXPECT_TRUE(ValidateObjectName(std::string(127, 'a'), "Secret").ok());
  EXPECT_FALSE(ValidateObjectName(std::string(128, 'a'), "Secret").ok());
  EXPECT_FALSE(ValidateObjectName("", "Secret").ok());
  EXPECT_FALSE(ValidateObjectName("bad_name", "Secret").ok());
  EXPECT_FALSE(ValidateObjectName("bad.name", "Secret").ok());
}

TEST(NamesTest, VaultNames) {
  EXPECT_TRUE(IsValidVaultName("abc"));
  EXPECT_TRUE(IsValidVaultName("myapp-prod-01"));
  EXPECT_FALSE(IsValidVaultName("ab"));
  EXPECT_FALSE(IsValidVaultName(std::string(25, 'a')));
  EXPECT_FALSE(IsValidVaultName("1abc"));
  EXPECT_FALSE(IsValidVaultName("abc-"));
  EXPECT_FALSE(IsValidVaultName("a--b"));
  EXPECT_FALSE(IsValidVaultName("a_bc"));
  EXPECT_EQ(ValidateVaultName("a_bc").azure_code(), "VaultNameNotValid");
}

}  // namespace
}  // namespace kh::domain
