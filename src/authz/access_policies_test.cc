#include "authz/access_policies.h"

#include <gtest/gtest.h>

namespace kh::authz {
namespace {

// Each secrets permission against each secret data action, from Azure's documented mapping.
TEST(AccessPoliciesTest, EverySecretPermissionAgainstEverySecretAction) {
  const std::vector<std::pair<std::string, std::string>> kActionToPermission = {
      {"secrets/getSecret/action", "get"},   {"secrets/readMetadata/action", "list"},
      {"secrets/setSecret/action", "set"},   {"secrets/update/action", "set"},
      {"secrets/delete", "delete"},          {"secrets/backup/action", "backup"},
      {"secrets/restore/action", "restore"}, {"secrets/recover/action", "recover"},
      {"secrets/purge/action", "purge"}};
  const std::vector<std::string> kPermissions = {"get",    "list",    "set",     "delete",
                                                 "backup", "restore", "recover", "purge"};
  for (const std::string& permission : kPermissions) {
    PolicyGrant grant{"oid1", "", {}, {permission}, {}, {}};
    for (const auto& [action, needed] : kActionToPermission) {
      bool allowed =
          CheckAccessPolicies({"oid1", "app1"}, "Microsoft.KeyVault/vaults/" + action, {grant}, "v")
              .allowed;
      EXPECT_EQ(allowed, needed == permission) << permission << " vs " << action;
    }
  }
}

TEST(AccessPoliciesTest, AllCaseAndIdentityMatching) {
  PolicyGrant all{"OID1", "", {}, {"All"}, {}, {}};
  EXPECT_TRUE(CheckAccessPolicies({"oid1", "a"}, "Microsoft.KeyVault/vaults/secrets/purge/action",
                                  {all}, "v")
                  .allowed);
  EXPECT_FALSE(CheckAccessPolicies({"oid2", "a"}, "Microsoft.KeyVault/vaults/secrets/purge/action",
                                   {all}, "v")
                   .allowed);
  PolicyGrant compound{"oid1", "app-x", {}, {"get"}, {}, {}};
  EXPECT_FALSE(CheckAccessPolicies({"oid1", "app-y"},
                                   "Microsoft.KeyVault/vaults/secrets/getSecret/action", {compound},
                                   "v")
                   .allowed);
  PolicyGrant keys_only{"oid1", "", {"all"}, {}, {}, {}};
  Decision d = CheckAccessPolicies(
      {"oid1", "a"}, "Microsoft.KeyVault/vaults/secrets/getSecret/action", {keys_only}, "vault1");
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("does not have secrets get permission on key vault 'vault1'"),
            std::string::npos);
  EXPECT_FALSE(
      CheckAccessPolicies({"oid1", "a"}, "Microsoft.KeyVault/vaults/secrets/get", {all}, "v")
          .allowed)
      << "an unknown action is never granted";
}

}  // namespace
}  // namespace kh::authz
