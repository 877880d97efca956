#include "authz/authorizer.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "authz/roles.h"

namespace kh::authz {
namespace {

constexpr char kVault[] =
    "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/v1";

const std::vector<std::string> kSecretActions = {
    "getSecret/action", "setSecret/action", "readMetadata/action", "update/action", "delete",
    "backup/action",    "restore/action",   "recover/action",      "purge/action"};

// Written from Azure's documentation of each role, independently of roles.cc.
const std::map<std::string, std::set<std::string>> kExpectedSecretActions = {
    {"Key Vault Administrator",
     {"getSecret/action", "setSecret/action", "readMetadata/action", "update/action", "delete",
      "backup/action", "restore/action", "recover/action", "purge/action"}},
    {"Key Vault Reader", {"readMetadata/action"}},
    {"Key Vault Secrets Officer",
     {"getSecret/action", "setSecret/action", "readMetadata/action", "update/action", "delete",
      "backup/action", "restore/action", "recover/action", "purge/action"}},
    {"Key Vault Secrets User", {"getSecret/action", "readMetadata/action"}},
    {"Key Vault Crypto Officer", {}},
    {"Key Vault Crypto User", {}},
    {"Key Vault Crypto Service Encryption User", {}},
    {"Key Vault Crypto Service Release User", {}},
    {"Key Vault Certificates Officer", {}},
    {"Key Vault Certificate User", {"getSecret/action", "readMetadata/action"}},
    {"Key Vault Data Access Administrator", {}},
    {"Key Vault Contributor", {}},
};

TEST(RolesTest, EveryBuiltInRoleAgainstEverySecretActionAtVaultScope) {
  ASSERT_EQ(BuiltInRoles().size(), kExpectedSecretActions.size());
  Authorizer authz("admin");
  for (const RoleDefinition& role : BuiltInRoles()) {
    auto expected = kExpectedSecretActions.find(role.name);
    ASSERT_NE(expected, kExpectedSecretActions.end()) << role.name;
    std::vector<RoleAssignment> assignments = {{"a1", kVault, role.id, "p1"}};
    for (const std::string& suffix : kSecretActions) {
      std::string action = "Microsoft.KeyVault/vaults/secrets/" + suffix;
      bool allowed =
          authz
              .Check({"p1", "app1"}, action, std::string(kVault) + "/secrets/s1", assignments, true)
              .allowed;
      EXPECT_EQ(allowed, expected->second.count(suffix) > 0) << role.name << " " << action;
    }
  }
}

TEST(RolesTest, ScopesAboveTheResourceApplyAndOthersDoNot) {
  Authorizer authz("admin");
  const std::string user = "4633458b-17de-408a-b874-0445c86b69e6";  // Secrets User
  std::string secret = std::string(kVault) + "/secrets/s1";
  std::string action = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
  auto allowed_at = [&](const std::string& scope, const std::string& resource) {
    return authz.Check({"p1", "app"}, action, resource, {{"a", scope, user, "p1"}}, true).allowed;
  };
  EXPECT_TRUE(allowed_at("/subscriptions/s1", secret));
  EXPECT_TRUE(allowed_at("/subscriptions/S1/resourcegroups/RG1", secret));
  EXPECT_TRUE(allowed_at(kVault, secret));
  EXPECT_TRUE(allowed_at(secret, secret));
  EXPECT_FALSE(allowed_at(std::string(kVault) + "/secrets/s2", secret)) << "another object";
  EXPECT_FALSE(allowed_at(std::string(kVault) + "2", secret)) << "a vault whose name extends";
  EXPECT_FALSE(allowed_at("/subscriptions/s2", secret));
  EXPECT_FALSE(
      authz.Check({"p2", "app"}, action, secret, {{"a", kVault, user, "p1"}}, true).allowed)
      << "someone else's assignment";
}

TEST(RolesTest, DenyByDefaultAndBootstrapAdmin) {
  Authorizer authz("admin-oid");
  EXPECT_TRUE(
      authz.Check({"admin-oid", "app"}, "Microsoft.KeyVault/vaults/write", "/", {}, false).allowed);
  Decision d = authz.Check({"other", "app2"}, "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                           kVault, {}, true);
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("oid=other"), std::string::npos);
  EXPECT_NE(d.reason.find("DeniedWithNoValidRBAC"), std::string::npos);
}

TEST(RolesTest, ManagementActionsUseActionsNotDataActions) {
  Authorizer authz("admin");
  const std::string contributor = "f25e0fa2-a7c8-4377-a976-54943a77a395";
  std::vector<RoleAssignment> a = {{"a", "/subscriptions/s1", contributor, "p"}};
  EXPECT_TRUE(authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/write", kVault, a, false).allowed);
  EXPECT_FALSE(authz
                   .Check({"p", ""}, "Microsoft.KeyVault/locations/deletedVaults/purge/action",
                          "/subscriptions/s1", a, false)
                   .allowed);
  EXPECT_FALSE(
      authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/secrets/getSecret/action", kVault, a, true)
          .allowed);
}

// A custom role, as the domain holds it: the authorizer sees only a view of its lists.
struct CustomRole {
  std::vector<std::string> actions, not_actions, data_actions, not_data_actions;
  PermissionsView View() const { return {actions, not_actions, data_actions, not_data_actions}; }
};

constexpr char kCustomId[] = "11111111-2222-3333-4444-555555555555";

TEST(CustomRolesTest, GrantsExactlyItsDataActions) {
  Authorizer authz("admin");
  CustomRole getter{{}, {}, {"Microsoft.KeyVault/vaults/secrets/getSecret/action"}, {}};
  std::vector<RoleAssignment> a = {{"a", kVault, kCustomId, "p1", getter.View()}};
  std::string secret = std::string(kVault) + "/secrets/s1";
  for (const std::string& suffix : kSecretActions) {
    std::string action = "Microsoft.KeyVault/vaults/secrets/" + suffix;
    EXPECT_EQ(authz.Check({"p1", "app"}, action, secret, a, true).allowed,
              suffix == "getSecret/action")
        << action;
  }
  EXPECT_FALSE(authz
                   .Check({"p1", "app"}, "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                          secret, a, false)
                   .allowed)
      << "a data action does not grant the management action of the same name";
  EXPECT_FALSE(authz
                   .Check({"p2", "app"}, "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                          secret, a, true)
                   .allowed)
      << "someone else's assignment";
}

TEST(CustomRolesTest, WildcardsAndNotDataActions) {
  Authorizer authz("admin");
  CustomRole all_but_purge{{"Microsoft.KeyVault/vaults/*/read"},
                           {"Microsoft.KeyVault/vaults/accessPolicies/*"},
                           {"Microsoft.KeyVault/vaults/secrets/*"},
                           {"Microsoft.KeyVault/vaults/secrets/purge/action",
                            "microsoft.keyvault/VAULTS/secrets/delete"}};
  std::vector<RoleAssignment> a = {
      {"a", "/subscriptions/s1", kCustomId, "p", all_but_purge.View()}};
  std::string secret = std::string(kVault) + "/secrets/s1";
  for (const std::string& suffix : kSecretActions) {
    bool expected = suffix != "purge/action" && suffix != "delete";
    EXPECT_EQ(authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/secrets/" + suffix, secret, a, true)
                  .allowed,
              expected)
        << suffix;
  }
  EXPECT_FALSE(
      authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/keys/read", kVault, a, true).allowed)
      << "the data wildcard stays under secrets/";
  EXPECT_TRUE(
      authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/keys/read", kVault, a, false).allowed)
      << "management actions come from 'actions'";
  EXPECT_FALSE(
      authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/accessPolicies/read", kVault, a, false)
          .allowed)
      << "notActions remove what the actions grant";
}

TEST(CustomRolesTest, NotActionsRemoveButDoNotDenyWhatAnotherRoleGrants) {
  Authorizer authz("admin");
  CustomRole no_get{{},
                    {},
                    {"Microsoft.KeyVault/vaults/secrets/*"},
                    {"Microsoft.KeyVault/vaults/secrets/getSecret/action"}};
  const std::string user = "4633458b-17de-408a-b874-0445c86b69e6";  // Secrets User
  std::string action = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
  std::vector<RoleAssignment> only_custom = {{"a", kVault, kCustomId, "p", no_get.View()}};
  EXPECT_FALSE(authz.Check({"p", ""}, action, kVault, only_custom, true).allowed);
  std::vector<RoleAssignment> both = {{"a", kVault, kCustomId, "p", no_get.View()},
                                      {"b", kVault, user, "p"}};
  EXPECT_TRUE(authz.Check({"p", ""}, action, kVault, both, true).allowed)
      << "RBAC is additive: notDataActions are not deny assignments";
}

TEST(CustomRolesTest, UnresolvedUnknownRoleGrantsNothing) {
  Authorizer authz("admin");
  std::vector<RoleAssignment> a = {{"a", kVault, kCustomId, "p"}};  // deleted custom role
  EXPECT_FALSE(
      authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/secrets/getSecret/action", kVault, a, true)
          .allowed);
  CustomRole empty;
  a[0].permissions = empty.View();
  EXPECT_FALSE(authz.Check({"p", ""}, "Microsoft.KeyVault/vaults/read", kVault, a, false).allowed);
}

TEST(RolesTest, FindsBuiltInRolesByIdAndName) {
  ASSERT_NE(FindBuiltInRole("4633458B-17DE-408A-B874-0445C86B69E6"), nullptr);
  EXPECT_EQ(FindBuiltInRoleByName("key vault secrets user"),
            FindBuiltInRole("4633458b-17de-408a-b874-0445c86b69e6"));
  EXPECT_EQ(FindBuiltInRoleByName("Owner"), nullptr);
}

TEST(ActionMatchesTest, Wildcards) {
  EXPECT_TRUE(ActionMatches("Microsoft.KeyVault/vaults/*", "microsoft.keyvault/vaults/a/b"));
  EXPECT_TRUE(
      ActionMatches("Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/keys/read"));
  EXPECT_FALSE(ActionMatches("Microsoft.KeyVault/vaults/*/read",
                             "Microsoft.KeyVault/vaults/secrets/getSecret/action"));
  EXPECT_TRUE(ActionMatches("*", "anything"));
  EXPECT_FALSE(ActionMatches("a*c", "ab"));
}

}  // namespace
}  // namespace kh::authz
