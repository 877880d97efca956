#include "authz/access_review.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "authz/action_catalogue.h"
#include "authz/wildcard_rules.h"

namespace kh::authz {
namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::string kSub = "/subscriptions/sub1";
const std::string kSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
const std::string kSecretsOfficer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
const std::string kAdministrator = "00482a5a-887f-4fb3-b363-3b7fe8e74483";
const std::string kContributor = "f25e0fa2-a7c8-4377-a976-54943a77a395";
const std::string kReader = "21090545-7ca7-4776-b22c-e363652d74d2";
const std::string kDataAccessAdmin = "8b54135c-b56d-4d72-a534-26097cfdc8d8";

std::string VaultId(const std::string& rg, const std::string& name) {
  return kSub + "/resourceGroups/" + rg + "/providers/Microsoft.KeyVault/vaults/" + name;
}

const std::string kGetSecret = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
const std::string kReadMetadata = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";

// A clean deployment: one vault per application and environment, each application's principal
// with Secrets User on its own vault, an operator with a narrow access policy on the legacy vault.
class AccessReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    in_.now = kNow;
    in_.principals = {
        {"oid-admin", "app-admin", "admin", true, {}},
        {"oid-prod",
         "app-prod",
         "orders-prod",
         false,
         {{"k1", "Password", "initial", kNow + 86400}}},
        {"oid-dev", "app-dev", "orders-dev", false, {{"k2", "Password", "initial", 0}}},
        {"oid-ops", "app-ops", "operator", false, {}},
        {"oid-new", "app-new", "newcomer", false, {}},
    };
    in_.vaults = {
        {VaultId("prod", "orders-prod"), "orders-prod", true, {{"environment", "prod"}}, {}},
        {VaultId("dev", "orders-dev"), "orders-dev", true, {{"Environment", "dev"}}, {}},
        {VaultId("prod", "legacy"),
         "legacy",
         false,
         {{"environment", "prod"}},
         {{"oid-ops", "", {}, {"get", "list"}, {}, {}}}},
    };
    in_.assignments = {
        {"a-prod", VaultId("prod", "orders-prod"), kSecretsUser, "oid-prod"},
        {"a-dev", VaultId("dev", "orders-dev"), kSecretsUser, "oid-dev"},
    };
  }

  void Assign(const std::string& id, const std::string& scope, const std::string& role,
              const std::string& principal = "oid-new") {
    in_.assignments.push_back({id, scope, role, principal});
  }

  std::vector<std::string> Codes(const AccessReview& review) {
    std::vector<std::string> codes;
    for (const auto& f : review.findings) codes.push_back(f.code);
    return codes;
  }

  const PrincipalReview* Principal(const AccessReview& review, const std::string& oid) {
    for (const auto& p : review.principals) {
      if (p.object_id == oid) return &p;
    }
    return nullptr;
  }

  const VaultAccess* Access(const PrincipalReview& p, const std::string& vault) {
    for (const auto& v : p.vaults) {
      if (v.vault_name == vault) return &v;
    }
    return nullptr;
  }

  AccessReviewInput in_;
};

using Strings = std::vector<std::string>;

TEST_F(AccessReviewTest, CleanDeploymentHasNoFindings) {
  AccessReview review = ReviewAccess(in_);
  EXPECT_TRUE(review.findings.empty()) << review.findings.front().message;
  ASSERT_EQ(review.principals.size(), 5u);
  EXPECT_TRUE(review.principals[0].bootstrap_admin);
  const PrincipalReview* prod = Principal(review, "oid-prod");
  ASSERT_NE(prod, nullptr);
  ASSERT_EQ(prod->vaults.size(), 1u);
  const VaultAccess& access = prod->vaults[0];
  EXPECT_EQ(access.vault_name, "orders-prod");
  EXPECT_EQ(access.environment, "prod");
  EXPECT_EQ(access.data_actions, (Strings{kGetSecret, kReadMetadata}));
  EXPECT_TRUE(access.management_actions.empty());
  ASSERT_EQ(access.grants.size(), 1u);
  EXPECT_EQ(access.grants[0].source, GrantSource::kRoleAssignment);
  EXPECT_EQ(access.grants[0].assignment_id, "a-prod");
  EXPECT_EQ(access.grants[0].role_name, "Key Vault Secrets User");
  EXPECT_EQ(access.grants[0].level, ScopeLevel::kVault);
  EXPECT_TRUE(Principal(review, "oid-new")->vaults.empty());
  bool audit_note = false;
  for (const auto& n : review.notes) audit_note |= n.find("audit trail") != std::string::npos;
  EXPECT_TRUE(audit_note);
}

TEST_F(AccessReviewTest, AccessPolicyGrantsAreExplained) {
  AccessReview review = ReviewAccess(in_);
  const VaultAccess* legacy = Access(*Principal(review, "oid-ops"), "legacy");
  ASSERT_NE(legacy, nullptr);
  EXPECT_FALSE(legacy->rbac_authorization);
  EXPECT_EQ(legacy->data_actions, (Strings{kGetSecret, kReadMetadata}));
  ASSERT_EQ(legacy->grants.size(), 1u);
  EXPECT_EQ(legacy->grants[0].source, GrantSource::kAccessPolicy);
  EXPECT_EQ(legacy->grants[0].secrets, (Strings{"get", "list"}));
}

TEST_F(AccessReviewTest, BootstrapAdministratorIsListedWithEverythingAndNeverFlagged) {
  in_.principals[0].credentials = {{"old", "Password", "", kNow - 10}};
  Assign("a-admin", kSub, kAdministrator, "oid-admin");
  AccessReview review = ReviewAccess(in_);
  EXPECT_TRUE(review.findings.empty());
  const PrincipalReview& admin = review.principals[0];
  ASSERT_EQ(admin.vaults.size(), 3u);
  for (const auto& v : admin.vaults) {
    EXPECT_EQ(v.grants[0].source, GrantSource::kBootstrapAdministrator);
    EXPECT_EQ(SummarizeDataActions(v.data_actions), Strings{"*"});
  }
}

TEST_F(AccessReviewTest, SubscriptionScopeIsBroad) {
  Assign("a-sub", kSub, kDataAccessAdmin);
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"BroadScope"});
  const Finding& f = review.findings[0];
  EXPECT_EQ(f.severity, Severity::kHigh) << "roleAssignments/write is more than a read";
  EXPECT_EQ(f.assignment_id, "a-sub");
  EXPECT_EQ(f.principal_id, "oid-new");
  EXPECT_EQ(f.vaults, (Strings{"orders-prod", "orders-dev", "legacy"}));
  EXPECT_NE(f.message.find("subscription scope"), std::string::npos) << f.message;
}

TEST_F(AccessReviewTest, SubscriptionScopeSecretsUserAlsoReadsEveryEnvironment) {
  Assign("a-sub", kSub, kSecretsUser);
  AccessReview review = ReviewAccess(in_);
  EXPECT_EQ(Codes(review), (Strings{"BroadScope", "CrossEnvironmentRead"}));
  // The access-policy vault ignores the role on the data plane.
  const VaultAccess* legacy = Access(*Principal(review, "oid-new"), "legacy");
  ASSERT_NE(legacy, nullptr);
  EXPECT_TRUE(legacy->grants[0].data_plane_ignored);
  EXPECT_TRUE(legacy->data_actions.empty());
}

TEST_F(AccessReviewTest, ResourceGroupScopeIsBroad) {
  Assign("a-rg", kSub + "/resourceGroups/dev", kSecretsUser);
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"BroadScope"});
  EXPECT_EQ(review.findings[0].vaults, Strings{"orders-dev"});
  EXPECT_EQ(review.findings[0].severity, Severity::kHigh);
}

TEST_F(AccessReviewTest, BroadReadOnlyManagementRoleIsMedium) {
  in_.custom_roles.push_back(
      {"c-vault-reader", "Vault lister", "", {"Microsoft.KeyVault/vaults/read"}, {}, {}, {}});
  Assign("a-rg", kSub + "/resourceGroups/prod", "c-vault-reader");
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"BroadScope"});
  EXPECT_EQ(review.findings[0].severity, Severity::kMedium);
  EXPECT_EQ(review.findings[0].vaults, (Strings{"orders-prod", "legacy"}));
}

TEST_F(AccessReviewTest, AdministratorAndContributorAreWildcards) {
  Assign("a-kva", VaultId("dev", "orders-dev"), kAdministrator);
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"WildcardPermission"});
  EXPECT_EQ(review.findings[0].assignment_id, "a-kva");
  EXPECT_NE(review.findings[0].message.find("Microsoft.KeyVault/vaults/*"), std::string::npos);

  in_.assignments.pop_back();
  Assign("a-kvc", VaultId("dev", "orders-dev"), kContributor);
  review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"WildcardPermission"});
  const VaultAccess* dev = Access(*Principal(review, "oid-new"), "orders-dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_TRUE(dev->data_actions.empty()) << "Contributor has no data access";
  EXPECT_NE(std::find(dev->management_actions.begin(), dev->management_actions.end(),
                      "Microsoft.KeyVault/vaults/accessPolicies/write"),
            dev->management_actions.end());
}

TEST_F(AccessReviewTest, WildcardRuleOverBuiltInRoles) {
  std::vector<std::string> flagged;
  for (const RoleDefinition& role : BuiltInRoles()) {
    if (!WildcardPatterns(ViewOf(role)).empty()) flagged.push_back(role.name);
  }
  EXPECT_EQ(flagged, (Strings{"Key Vault Administrator", "Key Vault Contributor"}));
}

TEST_F(AccessReviewTest, WildcardRuleOverCustomRoles) {
  RoleDefinition everything{"c1", "c1", "", {"*"}, {}, {}, {}};
  EXPECT_EQ(WildcardPatterns(ViewOf(everything)), Strings{"*"});
  RoleDefinition keyhaven{"c2", "c2", "", {"Keyhaven/*"}, {}, {}, {}};
  EXPECT_EQ(WildcardPatterns(ViewOf(keyhaven)), Strings{"Keyhaven/*"});
  RoleDefinition actions{"c3", "c3", "", {}, {}, {"Microsoft.KeyVault/vaults/*/action"}, {}};
  EXPECT_EQ(WildcardPatterns(ViewOf(actions)).size(), 1u);
  // A broad pattern cut down to one type by its not-data-actions is not a wildcard.
  RoleDefinition secrets_only{
      "c4",
      "c4",
      "",
      {},
      {},
      {"Microsoft.KeyVault/vaults/*"},
      {"Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*",
       "Microsoft.KeyVault/vaults/certificates/*", "Microsoft.KeyVault/vaults/certificatecas/*",
       "Microsoft.KeyVault/vaults/certificatecontacts/*"}};
  EXPECT_TRUE(WildcardPatterns(ViewOf(secrets_only)).empty());
  RoleDefinition reads{"c5", "c5", "", {"*/read"}, {}, {"Microsoft.KeyVault/vaults/*/read"}, {}};
  EXPECT_TRUE(WildcardPatterns(ViewOf(reads)).empty());
  RoleDefinition elsewhere{"c6", "c6", "", {"Microsoft.Support/*"}, {}, {}, {}};
  EXPECT_TRUE(WildcardPatterns(ViewOf(elsewhere)).empty());
}

TEST_F(AccessReviewTest, NarrowBuiltInRolesAtVaultScopeAreClean) {
  int n = 0;
  for (const RoleDefinition& role : BuiltInRoles()) {
    if (role.id == kAdministrator || role.id == kContributor) continue;
    Assign("a" + std::to_string(n++), VaultId("prod", "orders-prod"), role.id, "oid-prod");
  }
  AccessReview review = ReviewAccess(in_);
  EXPECT_TRUE(review.findings.empty()) << review.findings.front().message;
}

TEST_F(AccessReviewTest, AccessPolicyWithAllOrEveryPermissionIsWildcard) {
  in_.vaults[2].access_policies.push_back({"oid-new", "", {}, {"All"}, {}, {}});
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"WildcardPermission"});
  EXPECT_EQ(review.findings[0].vaults, Strings{"legacy"});
  EXPECT_NE(review.findings[0].message.find("every secrets permission"), std::string::npos);
  EXPECT_EQ(SummarizeDataActions(Access(*Principal(review, "oid-new"), "legacy")->data_actions),
            Strings{"secrets/*"});

  PolicyGrant listed{"x", "", {}, AccessPolicyPermissions("secrets"), {}, {}};
  EXPECT_EQ(WildcardPolicyLists(listed), Strings{"secrets"});
  listed.secrets.pop_back();  // "purge"
  EXPECT_TRUE(WildcardPolicyLists(listed).empty());
  PolicyGrant certs{"x", "", {}, {}, AccessPolicyPermissions("certificates"), {}};
  std::erase(certs.certificates, "manageissuers");
  EXPECT_EQ(WildcardPolicyLists(certs), Strings{"certificates"});
  PolicyGrant storage{"x", "", {}, {}, {}, {"ALL"}};
  EXPECT_EQ(WildcardPolicyLists(storage), Strings{"storage"});
}

TEST_F(AccessReviewTest, CrossEnvironmentRead) {
  Assign("a1", VaultId("prod", "orders-prod"), kSecretsUser);
  Assign("a2", VaultId("dev", "orders-dev"), kSecretsUser);
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"CrossEnvironmentRead"});
  EXPECT_EQ(review.findings[0].vaults, (Strings{"orders-prod", "orders-dev"}));
  EXPECT_NE(review.findings[0].message.find("prod"), std::string::npos);
}

TEST_F(AccessReviewTest, CrossEnvironmentReadThroughOneSecretAndAPolicy) {
  Assign("a1", VaultId("dev", "orders-dev") + "/secrets/db", kSecretsUser);
  in_.vaults[2].access_policies.push_back({"oid-new", "", {}, {"get"}, {}, {}});
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"CrossEnvironmentRead"});
  const VaultAccess* dev = Access(*Principal(review, "oid-new"), "orders-dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_TRUE(dev->data_actions.empty()) << "one secret is not the vault";
  ASSERT_EQ(dev->grants.size(), 1u);
  EXPECT_EQ(dev->grants[0].level, ScopeLevel::kObject);
  EXPECT_EQ(dev->grants[0].object, "secrets/db");
  EXPECT_EQ(dev->grants[0].data_actions, (Strings{kGetSecret, kReadMetadata}));
}

TEST_F(AccessReviewTest, SameEnvironmentOrWriteOnlyIsNotCrossEnvironment) {
  in_.vaults[1].tags = {{"environment", "PROD"}};  // same environment, other casing
  Assign("a1", VaultId("prod", "orders-prod"), kSecretsUser);
  Assign("a2", VaultId("dev", "orders-dev"), kSecretsUser);
  EXPECT_TRUE(ReviewAccess(in_).findings.empty());

  SetUp();
  in_.custom_roles.push_back({"c-writer",
                              "Secret writer",
                              "",
                              {},
                              {},
                              {"Microsoft.KeyVault/vaults/secrets/setSecret/action"},
                              {}});
  Assign("a1", VaultId("prod", "orders-prod"), "c-writer");
  Assign("a2", VaultId("dev", "orders-dev"), "c-writer");
  AccessReview review = ReviewAccess(in_);
  EXPECT_TRUE(review.findings.empty());
  const VaultAccess* prod = Access(*Principal(review, "oid-new"), "orders-prod");
  ASSERT_NE(prod, nullptr);
  EXPECT_EQ(prod->grants[0].role_name, "Secret writer");
  EXPECT_TRUE(prod->grants[0].custom_role);
}

TEST_F(AccessReviewTest, UntaggedVaultsTakeNoPart) {
  in_.vaults[1].tags.clear();
  Assign("a1", VaultId("prod", "orders-prod"), kSecretsUser);
  Assign("a2", VaultId("dev", "orders-dev"), kSecretsUser);
  AccessReview review = ReviewAccess(in_);
  EXPECT_TRUE(review.findings.empty());
  bool noted = false;
  for (const auto& n : review.notes) noted |= n.find("orders-dev") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST_F(AccessReviewTest, ExpiredCredential) {
  in_.principals[4].credentials = {{"live", "Password", "", kNow + 1},
                                   {"gone", "Password", "ci", kNow},
                                   {"cert", "AsymmetricX509Cert", "", kNow - 100},
                                   {"forever", "Password", "", 0}};
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), (Strings{"ExpiredCredential", "ExpiredCredential"}));
  EXPECT_EQ(review.findings[0].severity, Severity::kMedium);
  std::vector<std::string> ids = {review.findings[0].credential_id,
                                  review.findings[1].credential_id};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (Strings{"cert", "gone"}));
}

TEST_F(AccessReviewTest, UnknownPrincipalAndUnknownRole) {
  Assign("a-ghost", VaultId("prod", "orders-prod"), kSecretsUser, "oid-deleted");
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"UnknownPrincipal"});
  EXPECT_EQ(review.findings[0].severity, Severity::kLow);
  const PrincipalReview* ghost = Principal(review, "oid-deleted");
  ASSERT_NE(ghost, nullptr);
  EXPECT_FALSE(ghost->known);
  EXPECT_EQ(ghost->vaults.size(), 1u);

  SetUp();
  Assign("a-norole", VaultId("prod", "orders-prod"), "no-such-role");
  review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"UnknownRole"});
  EXPECT_TRUE(Access(*Principal(review, "oid-new"), "orders-prod")->data_actions.empty());

  SetUp();
  in_.vaults[2].access_policies.push_back({"oid-gone", "", {}, {"get"}, {}, {}});
  review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"UnknownPrincipal"});
  EXPECT_EQ(review.findings[0].vaults, Strings{"legacy"});
}

TEST_F(AccessReviewTest, CompoundIdentityPolicyMatchesOnlyItsApplication) {
  in_.vaults[2].access_policies.push_back({"oid-new", "app-other", {}, {"get"}, {}, {}});
  AccessReview review = ReviewAccess(in_);
  EXPECT_TRUE(Principal(review, "oid-new")->vaults.empty());
}

TEST_F(AccessReviewTest, DormantPolicyOnRbacVaultIsListedIgnoredAndStillFlagged) {
  in_.vaults[0].access_policies.push_back({"oid-new", "", {}, {"all"}, {}, {}});
  AccessReview review = ReviewAccess(in_);
  ASSERT_EQ(Codes(review), Strings{"WildcardPermission"});
  EXPECT_NE(review.findings[0].message.find("dormant"), std::string::npos);
  const VaultAccess* prod = Access(*Principal(review, "oid-new"), "orders-prod");
  ASSERT_NE(prod, nullptr);
  EXPECT_TRUE(prod->grants[0].data_plane_ignored);
  EXPECT_TRUE(prod->data_actions.empty());
}

TEST_F(AccessReviewTest, OnlyVaultKeepsWhatConcernsIt) {
  Assign("a-kva", VaultId("prod", "orders-prod"), kAdministrator);  // oid-new
  Assign("a-rg", kSub + "/resourceGroups/dev", kReader, "oid-ops");
  in_.principals[3].credentials = {{"gone", "Password", "", kNow - 1}};   // oid-ops
  in_.principals[1].credentials = {{"gone2", "Password", "", kNow - 1}};  // oid-prod
  in_.only_vault = "ORDERS-DEV";
  AccessReview review = ReviewAccess(in_);
  std::vector<std::string> oids;
  for (const auto& p : review.principals) oids.push_back(p.object_id);
  EXPECT_EQ(oids, (Strings{"oid-admin", "oid-ops", "oid-dev"}));
  for (const auto& p : review.principals) {
    ASSERT_EQ(p.vaults.size(), 1u);
    EXPECT_EQ(p.vaults[0].vault_name, "orders-dev");
  }
  // oid-ops: Reader over the dev resource group, a policy on the prod vault "legacy".
  EXPECT_EQ(Codes(review), (Strings{"BroadScope", "CrossEnvironmentRead", "ExpiredCredential"}));
  for (const auto& f : review.findings) EXPECT_EQ(f.principal_id, "oid-ops") << f.message;
}

TEST(AccessReviewScopeTest, Classify) {
  EXPECT_EQ(ClassifyScope("/"), ScopeLevel::kRoot);
  EXPECT_EQ(ClassifyScope("/subscriptions/s"), ScopeLevel::kSubscription);
  EXPECT_EQ(ClassifyScope("/subscriptions/s/"), ScopeLevel::kSubscription);
  EXPECT_EQ(ClassifyScope("/subscriptions/s/resourcegroups/rg"), ScopeLevel::kResourceGroup);
  EXPECT_EQ(
      ClassifyScope("/subscriptions/s/resourceGroups/rg/providers/microsoft.keyvault/vaults/v"),
      ScopeLevel::kVault);
  EXPECT_EQ(
      ClassifyScope(
          "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/v/secrets/x"),
      ScopeLevel::kObject);
  EXPECT_EQ(ClassifyScope("/providers/Microsoft.Management/managementGroups/m"),
            ScopeLevel::kOther);
  EXPECT_EQ(ClassifyScope("/subscriptions/s/resourceGroups/rg/providers/Other.Thing/x/y"),
            ScopeLevel::kOther);
}

TEST(ActionCatalogueTest, Summaries) {
  auto granted = [](const RoleDefinition& role) {
    std::vector<std::string> out;
    for (const auto& a : DataActionCatalogue()) {
      if (RoleGrants(role, a.name, true)) out.push_back(a.name);
    }
    return out;
  };
  EXPECT_EQ(SummarizeDataActions(granted(*FindBuiltInRoleByName("Key Vault Administrator"))),
            Strings{"*"});
  EXPECT_EQ(SummarizeDataActions(granted(*FindBuiltInRoleByName("Key Vault Secrets Officer"))),
            Strings{"secrets/*"});
  EXPECT_EQ(SummarizeDataActions(granted(*FindBuiltInRoleByName("Key Vault Crypto Officer"))),
            (Strings{"keys/*", "keyrotationpolicies/*"}));
  EXPECT_EQ(SummarizeDataActions(granted(*FindBuiltInRoleByName("Key Vault Secrets User"))),
            (Strings{"secrets/getSecret/action", "secrets/readMetadata/action"}));
  EXPECT_TRUE(SummarizeDataActions({}).empty());
  EXPECT_TRUE(IsReadingDataAction(kGetSecret));
  EXPECT_TRUE(IsReadingDataAction("Microsoft.KeyVault/vaults/keys/read"));
  EXPECT_FALSE(IsReadingDataAction("Microsoft.KeyVault/vaults/secrets/setSecret/action"));
  EXPECT_EQ(DataTypesOfObject("keys/k"), (Strings{"keys", "keyrotationpolicies"}));
  EXPECT_TRUE(DataTypesOfObject("other/x").empty());
}

}  // namespace
}  // namespace kh::authz
