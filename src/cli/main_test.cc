// End-to-end tests of the command line: argv in, HTTP requests (to a fake transport) and
// printed output out.
#include "cli/main.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/fake_transport.h"

namespace kh::cli {
namespace {

using testing::FakeTransport;
using testing::Json;
using testing::RecordedRequest;
using testing::TokenResponse;

constexpr char kClientSecret[] = "top-secret-client-value";
constexpr char kSecretsUrl[] = "https://myapp.localhost:8443/secrets";
constexpr char kArmVault[] =
    "https://localhost:8443/subscriptions/sub-1/resourceGroups/keyhaven/providers/"
    "Microsoft.KeyVault/vaults/myapp?api-version=2026-02-01";

class CliTest : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"keyhaven", "--credentials", "/nonexistent/admin.json"});
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    CliEnvironment env;
    env.env = [this](const char* name) -> std::optional<std::string> {
      auto it = env_.find(name);
      return it == env_.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    env.make_transport = [this](http::HttpsClientOptions options) {
      ca_file_ = options.ca_file;
      return std::make_unique<FakeTransport>(&log_, &responses_);
    };
    env.in = &in;
    env.out = &out;
    env.err = &err;
    int code = kh::cli::Run(static_cast<int>(argv.size()), argv.data(), env);
    out_ = out.str();
    err_ = err.str();
    EXPECT_EQ(out_.find(kClientSecret), std::string::npos);
    EXPECT_EQ(err_.find(kClientSecret), std::string::npos);
    EXPECT_EQ(err_.find("tok-123"), std::string::npos);
    return code;
  }

  std::map<std::string, std::string> env_ = {
      {"AZURE_TENANT_ID", "tenant-1"},        {"AZURE_CLIENT_ID", "client-1"},
      {"AZURE_CLIENT_SECRET", kClientSecret}, {"AZURE_AUTHORITY_HOST", "https://localhost:8443"},
      {"KEYHAVEN_SUBSCRIPTION_ID", "sub-1"},  {"KEYHAVEN_CA_FILE", "/data/ca.pem"}};
  std::vector<RecordedRequest> log_;
  std::deque<StatusOr<http::HttpResponse>> responses_;
  std::string out_, err_, ca_file_;
};

TEST_F(CliTest, SecretSetFromStdin) {
  responses_ = {TokenResponse(),
                Json(200, R"({"value":"hunter2","id":"https://myapp.localhost:8443/secrets/db/)"
                          R"(v1","attributes":{"enabled":true},"tags":{"env":"prod"}})")};
  ASSERT_EQ(Run({"secret", "set", "--vault", "myapp", "--name", "db", "--value", "-", "--tags",
                 "env=prod", "team=x", "--content-type", "text/plain"},
                "hunter2\n"),
            0)
      << err_;
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_EQ(ca_file_, "/data/ca.pem");
  EXPECT_EQ(log_[0].url, "https://localhost:8443/tenant-1/oauth2/v2.0/token");
  EXPECT_EQ(log_[1].method, "PUT");
  EXPECT_EQ(log_[1].url, std::string(kSecretsUrl) + "/db?api-version=2025-07-01");
  EXPECT_EQ(log_[1].headers.at("authorization"), "Bearer tok-123");
  boost::json::value body = boost::json::parse(log_[1].body);
  EXPECT_EQ(body.at("value").as_string(), "hunter2");
  EXPECT_EQ(body.at("contentType").as_string(), "text/plain");
  EXPECT_EQ(body.at("tags").at("team").as_string(), "x");
  // The response is printed without the value.
  EXPECT_EQ(out_.find("hunter2"), std::string::npos);
  EXPECT_NE(out_.find("\"id\": \"https://myapp.localhost:8443/secrets/db/v1\""), std::string::npos);
}

TEST_F(CliTest, SecretShowAsTableWithGlobalFlagAfterTheSubcommand) {
  responses_ = {TokenResponse(),
                Json(200, R"({"value":"hunter2","id":"https://myapp.localhost:8443/secrets/db/)"
                          R"(v1","attributes":{"enabled":true}})")};
  ASSERT_EQ(Run({"secret", "show", "--vault", "myapp", "--name", "db", "--output", "table"}), 0)
      << err_;
  EXPECT_EQ(log_[1].method, "GET");
  EXPECT_EQ(log_[1].url, std::string(kSecretsUrl) + "/db/?api-version=2025-07-01");
  EXPECT_EQ(out_.substr(0, 4), "NAME");
  EXPECT_NE(out_.find("hunter2"), std::string::npos);
  EXPECT_NE(out_.find("db    v1"), std::string::npos);
}

TEST_F(CliTest, ShowVersionAndServerOverride) {
  responses_ = {TokenResponse(), Json(200, R"({"id":"x"})")};
  ASSERT_EQ(Run({"--server", "https://kv.example.com", "secret", "show", "--vault", "a", "--name",
                 "b", "--version", "0123"}),
            0)
      << err_;
  EXPECT_NE(log_[0].body.find("scope=https%3A%2F%2Fkv.example.com%2F.default"), std::string::npos);
  EXPECT_EQ(log_[1].url, "https://a.kv.example.com/secrets/b/0123?api-version=2025-07-01");
}

TEST_F(CliTest, ServerErrorsPrintCodeAndMessageAndExit1) {
  responses_ = {TokenResponse(),
                Json(404, R"({"error":{"code":"SecretNotFound","message":"A secret with )"
                          R"((name/id) db was not found in this key vault."}})")};
  EXPECT_EQ(Run({"secret", "show", "--vault", "myapp", "--name", "db"}), 1);
  EXPECT_EQ(err_,
            "error: SecretNotFound: A secret with (name/id) db was not found in this key "
            "vault.\n");
  EXPECT_EQ(out_, "");
}

TEST_F(CliTest, InnerErrorCodeIsShown) {
  responses_ = {TokenResponse(),
                Json(409, R"({"error":{"code":"Conflict","message":"deleted\u001b[2J",)"
                          R"("innererror":{"code":"ObjectIsDeletedButRecoverable"}}})")};
  EXPECT_EQ(Run({"secret", "set", "--vault", "v", "--name", "n", "--value", "x"}), 1);
  EXPECT_EQ(err_, "error: Conflict: deleted?[2J (ObjectIsDeletedButRecoverable)\n");
}

TEST_F(CliTest, UsageErrorsExit2WithoutRequests) {
  EXPECT_EQ(Run({}), 2);
  EXPECT_EQ(Run({"bogus"}), 2);
  EXPECT_EQ(Run({"secret"}), 2);
  EXPECT_EQ(Run({"secret", "set", "--vault", "v", "--name", "n"}), 2);
  EXPECT_EQ(Run({"secret", "set", "--vault", "v", "--name", "n", "--value", "a", "--file", "f"}),
            2);
  EXPECT_EQ(Run({"secret", "show", "--name", "n"}), 2);
  EXPECT_EQ(Run({"--output", "yaml", "secret", "list", "--vault", "v"}), 2);
  EXPECT_EQ(Run({"vault", "create"}), 2);
  EXPECT_EQ(Run({"vault", "create", "v", "--retention-days", "3"}), 2);
  EXPECT_EQ(Run({"secret", "update", "--vault", "v", "--name", "n", "--enabled", "maybe"}), 2);
  EXPECT_TRUE(log_.empty());
}

TEST_F(CliTest, HelpExits0) {
  EXPECT_EQ(Run({"--help"}), 0);
  EXPECT_NE(out_.find("secret"), std::string::npos);
  EXPECT_EQ(Run({"secret", "set", "--help"}), 0);
  EXPECT_NE(out_.find("--value"), std::string::npos);
}

TEST_F(CliTest, MissingCredentialsExit1) {
  env_.clear();
  EXPECT_EQ(Run({"vault", "list"}), 1);
  EXPECT_EQ(err_.substr(0, 25), "error: CredentialsError: ");
  EXPECT_TRUE(log_.empty());
}

TEST_F(CliTest, BadTagIsReportedBeforeAnyRequest) {
  EXPECT_EQ(Run({"secret", "set", "--vault", "v", "--name", "n", "--value", "x", "--tags", "k"}),
            1);
  EXPECT_NE(err_.find("key=value"), std::string::npos);
  EXPECT_TRUE(log_.empty());
}

TEST_F(CliTest, VaultCreate) {
  responses_ = {TokenResponse(), Json(200, R"({"name":"myapp","properties":)"
                                           R"({"provisioningState":"Succeeded"}})")};
  ASSERT_EQ(Run({"vault", "create", "myapp", "--retention-days", "7", "--purge-protection"}), 0)
      << err_;
  EXPECT_EQ(log_[1].method, "PUT");
  EXPECT_EQ(log_[1].url, kArmVault);
  EXPECT_EQ(boost::json::parse(log_[1].body),
            boost::json::parse(R"({"location":"local","properties":{"tenantId":"tenant-1",)"
                               R"("sku":{"family":"A","name":"standard"},)"
                               R"("softDeleteRetentionInDays":7,"enablePurgeProtection":true}})"));
}

TEST_F(CliTest, VaultCreateDefaultsLeaveOptionalPropertiesOut) {
  responses_ = {TokenResponse(), Json(201, R"({"name":"v2"})")};
  ASSERT_EQ(Run({"vault", "create", "v2", "-g", "rg", "--location", "west"}), 0) << err_;
  EXPECT_NE(log_[1].url.find("/resourceGroups/rg/"), std::string::npos);
  EXPECT_EQ(boost::json::parse(log_[1].body),
            boost::json::parse(R"({"location":"west","properties":{"tenantId":"tenant-1",)"
                               R"("sku":{"family":"A","name":"standard"}}})"));
}

TEST_F(CliTest, VaultShowFindsTheResourceGroupByListing) {
  responses_ = {
      TokenResponse(),
      Json(200, R"({"value":[{"name":"other","id":"/subscriptions/sub-1/resourceGroups/a/)"
                R"(providers/Microsoft.KeyVault/vaults/other"},{"name":"MyApp","id":)"
                R"("/subscriptions/sub-1/resourceGroups/team/providers/Microsoft.KeyVault/)"
                R"(vaults/MyApp"}]})"),
      Json(200, R"({"name":"MyApp"})")};
  ASSERT_EQ(Run({"vault", "show", "myapp"}), 0) << err_;
  EXPECT_EQ(log_[1].url,
            "https://localhost:8443/subscriptions/sub-1/providers/"
            "Microsoft.KeyVault/vaults?api-version=2026-02-01");
  EXPECT_EQ(log_[2].url,
            "https://localhost:8443/subscriptions/sub-1/resourceGroups/team/"
            "providers/Microsoft.KeyVault/vaults/MyApp?api-version=2026-02-01");
}

TEST_F(CliTest, VaultShowUnknownName) {
  responses_ = {TokenResponse(), Json(200, R"({"value":[]})")};
  EXPECT_EQ(Run({"vault", "show", "nope"}), 1);
  EXPECT_EQ(err_.substr(0, 31), "error: ResourceNotFound: The va");
}

TEST_F(CliTest, VaultDeleteWithGroupGoesDirect) {
  responses_ = {TokenResponse(), Json(200, "")};
  ASSERT_EQ(Run({"vault", "delete", "myapp", "-g", "keyhaven"}), 0) << err_;
  EXPECT_EQ(log_[1].method, "DELETE");
  EXPECT_EQ(log_[1].url, kArmVault);
  EXPECT_EQ(out_, "");
}

TEST_F(CliTest, SecretListFollowsPagesAndPrintsOneArray) {
  responses_ = {TokenResponse(),
                Json(200, R"({"value":[{"id":"https://myapp.localhost:8443/secrets/a"}],)"
                          R"("nextLink":"https://myapp.localhost:8443/secrets?$skiptoken=x"})"),
                Json(200, R"({"value":[{"id":"https://myapp.localhost:8443/secrets/b"}]})")};
  ASSERT_EQ(Run({"secret", "list", "--vault", "myapp"}), 0) << err_;
  boost::json::value printed = boost::json::parse(out_);
  ASSERT_TRUE(printed.is_array());
  EXPECT_EQ(printed.as_array().size(), 2u);
  EXPECT_EQ(log_[2].url, "https://myapp.localhost:8443/secrets?$skiptoken=x");
}

TEST_F(CliTest, SecretUpdateWithEmptyTagsClearsThem) {
  responses_ = {TokenResponse(), Json(200, R"({"id":"x"})")};
  ASSERT_EQ(
      Run({"secret", "update", "--vault", "myapp", "--name", "db", "--enabled", "false", "--tags"}),
      0)
      << err_;
  EXPECT_EQ(log_[1].method, "PATCH");
  EXPECT_EQ(log_[1].url, std::string(kSecretsUrl) + "/db/?api-version=2025-07-01");
  EXPECT_EQ(boost::json::parse(log_[1].body),
            boost::json::parse(R"({"attributes":{"enabled":false},"tags":{}})"));
}

TEST_F(CliTest, DeleteRecoverPurge) {
  responses_ = {TokenResponse(), Json(200, R"({"recoveryId":"r"})")};
  ASSERT_EQ(Run({"secret", "delete", "--vault", "myapp", "--name", "db"}), 0) << err_;
  EXPECT_EQ(log_[1].method, "DELETE");
  EXPECT_EQ(log_[1].url, std::string(kSecretsUrl) + "/db?api-version=2025-07-01");

  log_.clear();
  responses_ = {TokenResponse(), Json(200, R"({"id":"x"})")};
  ASSERT_EQ(Run({"secret", "recover", "--vault", "myapp", "--name", "db"}), 0) << err_;
  EXPECT_EQ(log_[1].method, "POST");
  EXPECT_EQ(log_[1].url,
            "https://myapp.localhost:8443/deletedsecrets/db/recover?api-version=2025-07-01");

  log_.clear();
  responses_ = {TokenResponse(), Json(204, "")};
  ASSERT_EQ(Run({"secret", "purge", "--vault", "myapp", "--name", "db"}), 0) << err_;
  EXPECT_EQ(log_[1].method, "DELETE");
  EXPECT_EQ(log_[1].url, "https://myapp.localhost:8443/deletedsecrets/db?api-version=2025-07-01");
  EXPECT_EQ(out_, "");
}

TEST_F(CliTest, BackupAndRestoreRoundTripThroughAFile) {
  char tmpl[] = "/tmp/kh_cli_backup_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string file = std::string(tmpl) + "/db.bak";

  responses_ = {TokenResponse(), Json(200, R"({"value":"AQID_w"})")};
  ASSERT_EQ(Run({"secret", "backup", "--vault", "myapp", "--name", "db", "--file", file}), 0)
      << err_;
  EXPECT_EQ(log_[1].url, std::string(kSecretsUrl) + "/db/backup?api-version=2025-07-01");
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, std::string("\x01\x02\x03\xff", 4));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  log_.clear();
  responses_ = {TokenResponse(), Json(200, R"({"id":"x"})")};
  ASSERT_EQ(Run({"secret", "restore", "--vault", "myapp", "--file", file}), 0) << err_;
  EXPECT_EQ(log_[1].method, "POST");
  EXPECT_EQ(log_[1].url, std::string(kSecretsUrl) + "/restore?api-version=2025-07-01");
  EXPECT_EQ(boost::json::parse(log_[1].body), boost::json::parse(R"({"value":"AQID_w"})"));
  std::filesystem::remove_all(tmpl);
}

TEST_F(CliTest, IpServerCannotAddressVaults) {
  responses_ = {TokenResponse()};
  EXPECT_EQ(Run({"--server", "https://127.0.0.1:8443", "secret", "list", "--vault", "v"}), 1);
  EXPECT_NE(err_.find("host name"), std::string::npos);
}

}  // namespace
}  // namespace kh::cli
