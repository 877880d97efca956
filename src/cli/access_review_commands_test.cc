#include "cli/access_review_commands.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <sstream>

#include "cli/fake_transport.h"
#include "cli/main.h"

namespace kh::cli {
namespace {

using testing::FakeTransport;
using testing::Json;
using testing::RecordedRequest;
using testing::TokenResponse;

constexpr char kReview[] = R"({
  "generatedAt": "2027-01-01T00:00:00Z", "subscriptionId": "sub-1", "vault": null,
  "summary": {"principals": 3, "findings": 2, "high": 1, "medium": 1, "low": 0},
  "principals": [
    {"objectId": "oid-a", "clientId": "app-a", "displayName": "admin", "known": true,
     "bootstrapAdmin": true, "credentials": [], "vaults": [{"name": "v1"}, {"name": "v2"}]},
    {"objectId": "oid-b", "clientId": "app-b", "displayName": "orders\u001b[2J", "known": true,
     "bootstrapAdmin": false,
     "credentials": [{"keyId": "k1", "type": "Password", "endDateTime": "2026-01-01T00:00:00Z",
                      "expired": true}],
     "vaults": [{"name": "v1", "permissionModel": "rbac", "environment": "prod",
                 "summary": ["*"], "managementActions": [],
                 "grants": [{"source": "roleAssignment", "assignmentId": "as-1",
                             "roleName": "Key Vault Administrator", "customRole": false,
                             "scopeLevel": "vault", "dataPlaneIgnored": false,
                             "summary": ["*"]}]},
                {"name": "legacy", "permissionModel": "accessPolicy", "environment": null,
                 "summary": ["secrets/*"], "managementActions": ["Microsoft.KeyVault/vaults/read"],
                 "grants": [{"source": "accessPolicy", "applicationId": null,
                             "permissions": {"keys": [], "secrets": ["all"], "certificates": [],
                                             "storage": []},
                             "dataPlaneIgnored": false, "summary": ["secrets/*"]},
                            {"source": "roleAssignment", "assignmentId": "as-2",
                             "roleName": "Key Vault Reader", "scopeLevel": "object",
                             "object": "secrets/db", "dataPlaneIgnored": true, "summary": []}]}]},
    {"objectId": "oid-x", "clientId": null, "displayName": null, "known": false,
     "bootstrapAdmin": false, "credentials": [], "vaults": []}
  ],
  "findings": [
    {"code": "WildcardPermission", "severity": "high", "message": "wild"},
    {"code": "ExpiredCredential", "severity": "medium", "message": "expired"}
  ],
  "notes": ["Unused assignments are not reported: Keyhaven keeps no audit trail yet."]
})";

TEST(AccessReviewRenderTest, ReportExplainsEachGrantAndListsFindings) {
  std::string text = RenderAccessReview(boost::json::parse(kReview));
  EXPECT_NE(text.find("Access review of every vault (subscription sub-1"), std::string::npos);
  EXPECT_NE(text.find("bootstrap administrator: may do everything on every vault (2 now)"),
            std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << "server strings are sanitized";
  EXPECT_NE(text.find("credential k1 Password, ends 2026-01-01T00:00:00Z  EXPIRED"),
            std::string::npos);
  EXPECT_NE(text.find("vault v1 [rbac, environment=prod]"), std::string::npos);
  EXPECT_NE(text.find("- 'Key Vault Administrator' at vault scope (assignment as-1): *"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("- access policy (secrets: all): secrets/*"), std::string::npos) << text;
  EXPECT_NE(text.find("- 'Key Vault Reader' on secrets/db (assignment as-2): not used on the "
                      "data plane (the vault uses access policies)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(unknown principal)  objectId oid-x"), std::string::npos);
  EXPECT_NE(text.find("Findings: 2 (1 high, 1 medium, 0 low)"), std::string::npos);
  EXPECT_NE(text.find("[high] WildcardPermission: wild"), std::string::npos);
  EXPECT_NE(text.find("audit trail"), std::string::npos);
}

TEST(AccessReviewRenderTest, NoFindings) {
  std::string text = RenderAccessReview(
      boost::json::parse(R"({"vault":"v1","principals":[],"findings":[],"notes":[]})"));
  EXPECT_NE(text.find("Access review of vault v1"), std::string::npos);
  EXPECT_NE(text.find("No findings."), std::string::npos);
}

class AccessReviewCliTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"keyhaven", "--credentials", "/nonexistent/admin.json"});
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::istringstream in;
    std::ostringstream out, err;
    CliEnvironment env;
    env.env = [](const char* name) -> std::optional<std::string> {
      static const std::map<std::string, std::string> kEnv = {
          {"AZURE_TENANT_ID", "tenant-1"},
          {"AZURE_CLIENT_ID", "client-1"},
          {"AZURE_CLIENT_SECRET", "s"},
          {"AZURE_AUTHORITY_HOST", "https://localhost:8443"}};
      auto it = kEnv.find(name);
      return it == kEnv.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    env.make_transport = [this](http::HttpsClientOptions) {
      return std::make_unique<FakeTransport>(&log_, &responses_);
    };
    env.in = &in;
    env.out = &out;
    env.err = &err;
    int code = kh::cli::Run(static_cast<int>(argv.size()), argv.data(), env);
    out_ = out.str();
    err_ = err.str();
    return code;
  }

  std::vector<RecordedRequest> log_;
  std::deque<StatusOr<http::HttpResponse>> responses_;
  std::string out_, err_;
};

TEST_F(AccessReviewCliTest, TextByDefaultJsonOnRequest) {
  responses_ = {TokenResponse(), Json(200, kReview)};
  ASSERT_EQ(Run({"access", "review", "--vault", "my vault"}), 0) << err_;
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_EQ(log_[1].method, "GET");
  EXPECT_EQ(log_[1].url, "https://localhost:8443/admin/access-review?vault=my%20vault");
  EXPECT_NE(out_.find("Findings: 2"), std::string::npos);

  responses_ = {TokenResponse(), Json(200, kReview)};
  ASSERT_EQ(Run({"access", "review", "--json"}), 0) << err_;
  EXPECT_EQ(log_.back().url, "https://localhost:8443/admin/access-review");
  boost::json::value parsed = boost::json::parse(out_);
  EXPECT_EQ(parsed.at("findings").as_array().size(), 2u);
}

TEST_F(AccessReviewCliTest, FailOnFindings) {
  responses_ = {TokenResponse(), Json(200, kReview)};
  EXPECT_EQ(Run({"access", "review", "--fail-on-findings"}), 1);
  EXPECT_NE(out_.find("Findings: 2"), std::string::npos) << "the report is printed first";
  EXPECT_NE(err_.find("FindingsPresent: the access review has 2 findings"), std::string::npos)
      << err_;

  responses_ = {TokenResponse(), Json(200, R"({"principals":[],"findings":[],"notes":[]})")};
  EXPECT_EQ(Run({"access", "review", "--fail-on-findings", "--json"}), 0) << err_;
}

}  // namespace
}  // namespace kh::cli
