// `keyhaven access review` against a real server over TLS: a clean deployment has no findings;
// then each planted over-broad grant is flagged, finding by finding, in --json and in the text.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>

#include "http/https_client.h"
#include "process.h"

namespace kh::testing {
namespace {

namespace json = boost::json;

constexpr char kSecretsUser[] = "4633458b-17de-408a-b874-0445c86b69e6";
constexpr char kAdministrator[] = "00482a5a-887f-4fb3-b363-3b7fe8e74483";
constexpr char kDataAccessAdministrator[] = "8b54135c-b56d-4d72-a534-26097cfdc8d8";

std::string Str(const json::value& v, std::string_view key) {
  const json::value* m = v.as_object().if_contains(key);
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

class AccessReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    server_ = std::make_unique<ServerProcess>(KEYHAVEN_BIN, dir_,
                                              std::vector<std::string>{"--test-clock"});
    admin_ = json::parse(ReadFile(dir_ + "/admin.json"));
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  CommandResult Cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {KEYHAVEN_BIN, "--credentials", dir_ + "/admin.json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }

  // A fresh admin token for each call: the test clock moves.
  json::value Admin(const std::string& method, const std::string& path, const json::value& body,
                    int want_status_class = 2) {
    http::HttpsClient client({dir_ + "/ca.pem"});
    std::string bearer = AdminToken(*server_, dir_);
    if (bearer.empty()) return nullptr;
    auto r = client.Request(
        method, server_->url() + path,
        {{"authorization", "Bearer " + bearer}, {"content-type", "application/json"}},
        body.is_null() ? "" : json::serialize(body));
    EXPECT_TRUE(r.ok()) << path;
    if (!r.ok()) return nullptr;
    EXPECT_EQ(r->status / 100, want_status_class) << method << " " << path << ": " << r->body;
    return r->body.empty() ? json::value(nullptr) : json::parse(r->body);
  }

  std::string Sub() { return "/subscriptions/" + Str(admin_, "subscriptionId"); }
  std::string VaultId(const std::string& rg, const std::string& name) {
    return Sub() + "/resourceGroups/" + rg + "/providers/Microsoft.KeyVault/vaults/" + name;
  }

  void CreateVault(const std::string& rg, const std::string& name, const std::string& environment,
                   bool rbac = true, json::array policies = {}) {
    json::object props{{"tenantId", Str(admin_, "tenantId")},
                       {"sku", json::object{{"family", "A"}, {"name", "standard"}}},
                       {"enableRbacAuthorization", rbac}};
    if (!policies.empty()) props["accessPolicies"] = std::move(policies);
    Admin("PUT", VaultId(rg, name) + "?api-version=2026-02-01",
          json::object{{"location", "local"},
                       {"tags", json::object{{"environment", environment}}},
                       {"properties", std::move(props)}});
  }

  json::object Policy(const std::string& object_id, json::array secrets) {
    return json::object{{"tenantId", Str(admin_, "tenantId")},
                        {"objectId", object_id},
                        {"permissions", json::object{{"secrets", std::move(secrets)}}}};
  }

  // Returns the new principal's object id.
  std::string Principal(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"principal", "create", name};
    args.insert(args.end(), extra.begin(), extra.end());
    auto created = Cli(args);
    EXPECT_EQ(created.exit_code, 0) << created.err;
    json::value v = json::parse(created.out);
    principals_[name] = v;
    return Str(v, "objectId");
  }

  void Assign(const std::string& id, const std::string& scope, const std::string& role,
              const std::string& principal) {
    Admin("PUT",
          scope + "/providers/Microsoft.Authorization/roleAssignments/" + id +
              "?api-version=2022-04-01",
          json::object{{"properties",
                        json::object{{"roleDefinitionId", Sub() +
                                                              "/providers/Microsoft.Authorization/"
                                                              "roleDefinitions/" +
                                                              role},
                                     {"principalId", principal},
                                     {"principalType", "ServicePrincipal"}}}});
  }

  json::value ReviewJson(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"access", "review", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  // (code, principal display name, assignment id or "") of every finding.
  std::multiset<std::tuple<std::string, std::string, std::string>> Findings(const json::value& r) {
    std::multiset<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& f : r.at("findings").as_array()) {
      out.insert({Str(f, "code"), Str(f, "principalName"), Str(f, "assignmentId")});
    }
    return out;
  }

  const json::value* FindPrincipal(const json::value& review, const std::string& name) {
    for (const auto& p : review.at("principals").as_array()) {
      if (Str(p, "displayName") == name) return &p;
    }
    return nullptr;
  }

  // The clean deployment: one vault per environment, least-privilege grants only.
  void DeployClean() {
    svc_prod_ = Principal("svc-prod");
    svc_ops_ = Principal("svc-ops");
    CreateVault("prod", "ar-prod", "prod");
    CreateVault("dev", "ar-dev", "dev");
    json::array ops;
    ops.push_back(Policy(svc_ops_, {"get", "list"}));
    CreateVault("legacy", "ar-legacy", "prod", /*rbac=*/false, std::move(ops));
    auto assigned = Cli({"role", "assign", "--role", "Key Vault Secrets User", "--assignee",
                         svc_prod_, "--vault", "ar-prod"});
    ASSERT_EQ(assigned.exit_code, 0) << assigned.err;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  json::value admin_;
  std::map<std::string, json::value> principals_;
  std::string svc_prod_, svc_ops_;
};

TEST_F(AccessReviewTest, CleanDeploymentHasNoFindings) {
  DeployClean();
  json::value review = ReviewJson();
  EXPECT_TRUE(review.at("findings").as_array().empty()) << json::serialize(review.at("findings"));
  EXPECT_EQ(review.at("summary").at("findings").as_int64(), 0);

  const json::value& first = review.at("principals").as_array().at(0);
  EXPECT_TRUE(first.at("bootstrapAdmin").as_bool());
  EXPECT_EQ(first.at("vaults").as_array().size(), 3u);

  const json::value* prod = FindPrincipal(review, "svc-prod");
  ASSERT_NE(prod, nullptr);
  const json::array& vaults = prod->at("vaults").as_array();
  ASSERT_EQ(vaults.size(), 1u);
  EXPECT_EQ(Str(vaults[0], "name"), "ar-prod");
  EXPECT_EQ(Str(vaults[0], "environment"), "prod");
  EXPECT_EQ(json::serialize(vaults[0].at("summary")),
            R"(["secrets/getSecret/action","secrets/readMetadata/action"])");
  const json::value& grant = vaults[0].at("grants").as_array().at(0);
  EXPECT_EQ(Str(grant, "source"), "roleAssignment");
  EXPECT_EQ(Str(grant, "roleName"), "Key Vault Secrets User");
  EXPECT_EQ(Str(grant, "scopeLevel"), "vault");
  EXPECT_EQ(Str(grant, "scope"), VaultId("prod", "ar-prod"));

  const json::value* ops = FindPrincipal(review, "svc-ops");
  ASSERT_NE(ops, nullptr);
  const json::value& legacy = ops->at("vaults").as_array().at(0);
  EXPECT_EQ(Str(legacy, "permissionModel"), "accessPolicy");
  EXPECT_EQ(Str(legacy.at("grants").as_array().at(0), "source"), "accessPolicy");

  auto text = Cli({"access", "review", "--fail-on-findings"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("No findings."), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("'Key Vault Secrets User' at vault scope"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("audit trail"), std::string::npos);
}

TEST_F(AccessReviewTest, EachPlantedGrantIsFlagged) {
  DeployClean();
  std::string sub_oid = Principal("p-sub");
  std::string rg_oid = Principal("p-rg");
  std::string admin_oid = Principal("p-admin");
  std::string policy_oid = Principal("p-policy");
  std::string cross_oid = Principal("p-cross");
  Principal("p-expired", {"--secret-end", "1d"});

  const std::string a_sub = "11111111-0000-4000-8000-000000000001";
  const std::string a_rg = "11111111-0000-4000-8000-000000000002";
  const std::string a_admin = "11111111-0000-4000-8000-000000000003";
  Assign(a_sub, Sub(), kDataAccessAdministrator, sub_oid);
  Assign(a_rg, Sub() + "/resourceGroups/dev", kSecretsUser, rg_oid);
  Assign(a_admin, VaultId("prod", "ar-prod"), kAdministrator, admin_oid);
  json::array all;
  all.push_back(Policy(policy_oid, {"all"}));
  Admin("PUT", VaultId("legacy", "ar-legacy") + "/accessPolicies/add?api-version=2026-02-01",
        json::object{{"properties", json::object{{"accessPolicies", std::move(all)}}}});
  Assign("11111111-0000-4000-8000-000000000004", VaultId("prod", "ar-prod"), kSecretsUser,
         cross_oid);
  Assign("11111111-0000-4000-8000-000000000005", VaultId("dev", "ar-dev"), kSecretsUser, cross_oid);
  Admin("POST", "/admin/test-clock", json::object{{"advanceSeconds", 2 * 86400}});

  json::value review = ReviewJson();
  using F = std::tuple<std::string, std::string, std::string>;
  EXPECT_EQ(Findings(review), (std::multiset<F>{{"BroadScope", "p-sub", a_sub},
                                                {"BroadScope", "p-rg", a_rg},
                                                {"WildcardPermission", "p-admin", a_admin},
                                                {"WildcardPermission", "p-policy", ""},
                                                {"CrossEnvironmentRead", "p-cross", ""},
                                                {"ExpiredCredential", "p-expired", ""}}))
      << json::serialize(review.at("findings"));
  for (const auto& f : review.at("findings").as_array()) {
    std::string code = Str(f, "code");
    std::string vaults = json::serialize(f.at("vaults"));
    if (code == "BroadScope" && Str(f, "principalName") == "p-rg") {
      EXPECT_EQ(vaults, R"(["ar-dev"])");
    } else if (code == "BroadScope") {
      EXPECT_EQ(vaults, R"(["ar-dev","ar-legacy","ar-prod"])");
    } else if (code == "WildcardPermission" && Str(f, "principalName") == "p-policy") {
      EXPECT_EQ(vaults, R"(["ar-legacy"])");
      EXPECT_NE(Str(f, "message").find("every secrets permission"), std::string::npos);
    } else if (code == "WildcardPermission") {
      EXPECT_EQ(vaults, R"(["ar-prod"])");
    } else if (code == "CrossEnvironmentRead") {
      EXPECT_EQ(vaults, R"(["ar-dev","ar-prod"])");
    } else if (code == "ExpiredCredential") {
      EXPECT_EQ(Str(f, "severity"), "medium");
      EXPECT_EQ(Str(f, "credentialId"),
                Str(principals_["p-expired"].at("credentials").as_array().at(0), "keyId"));
    }
    if (code != "ExpiredCredential") {
      EXPECT_EQ(Str(f, "severity"), "high") << code;
    }
  }
  const json::value* expired = FindPrincipal(review, "p-expired");
  ASSERT_NE(expired, nullptr);
  EXPECT_TRUE(expired->at("credentials").as_array().at(0).at("expired").as_bool());

  auto text = Cli({"access", "review"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* expected :
       {"[high] BroadScope", "[high] WildcardPermission", "[high] CrossEnvironmentRead",
        "[medium] ExpiredCredential", "'p-sub'", "'p-rg'", "'p-admin'", "'p-policy'", "'p-cross'",
        "'p-expired'", "Findings: 6 (5 high, 1 medium, 0 low)"}) {
    EXPECT_NE(text.out.find(expected), std::string::npos) << expected << "\n" << text.out;
  }
  auto failing = Cli({"access", "review", "--fail-on-findings"});
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_NE(failing.err.find("FindingsPresent"), std::string::npos) << failing.err;

  // One vault: the findings that name it, the principals with a grant on it.
  json::value dev = ReviewJson({"--vault", "ar-dev"});
  EXPECT_EQ(Findings(dev), (std::multiset<F>{{"BroadScope", "p-sub", a_sub},
                                             {"BroadScope", "p-rg", a_rg},
                                             {"CrossEnvironmentRead", "p-cross", ""}}))
      << json::serialize(dev.at("findings"));
  for (const auto& p : dev.at("principals").as_array()) {
    for (const auto& v : p.at("vaults").as_array()) EXPECT_EQ(Str(v, "name"), "ar-dev");
  }
  auto missing = Cli({"access", "review", "--vault", "no-such-vault"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("ResourceNotFound"), std::string::npos) << missing.err;
}

TEST_F(AccessReviewTest, OnlyTheAdministratorMayReview) {
  DeployClean();
  const json::value& svc = principals_["svc-prod"];
  auto r = RunCommand({"/usr/bin/env", "AZURE_TENANT_ID=" + Str(svc, "tenantId"),
                       "AZURE_CLIENT_ID=" + Str(svc, "clientId"),
                       "AZURE_CLIENT_SECRET=" + Str(svc, "clientSecret"),
                       "AZURE_AUTHORITY_HOST=" + server_->url(),
                       "KEYHAVEN_CA_FILE=" + dir_ + "/ca.pem", KEYHAVEN_BIN, "--credentials",
                       "/nonexistent", "--server", server_->url(), "access", "review"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ForbiddenByRbac"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kh::testing
