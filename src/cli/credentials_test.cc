#include "cli/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace kh::cli {
namespace {

constexpr char kAdminJson[] = R"({"tenantId":"file-tenant","clientId":"file-client",
  "clientSecret":"file-secret","authorityHost":"https://localhost:8443",
  "subscriptionId":"file-sub","caFile":"ca.pem"})";

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kh_cli_credentials_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  EnvLookup Env() const {
    return [this](const char* name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }

  std::string dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(CredentialsTest, ReadsTheFile) {
  std::string path = Write("admin.json", kAdminJson);
  StatusOr<Credentials> c = LoadCredentials(path, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tenant_id, "file-tenant");
  EXPECT_EQ(c->client_id, "file-client");
  EXPECT_EQ(c->client_secret.Reveal(), "file-secret");
  EXPECT_EQ(c->authority_host, "https://localhost:8443");
  EXPECT_EQ(c->subscription_id, "file-sub");
  EXPECT_EQ(c->source, path);
}

TEST_F(CredentialsTest, RelativeCaFileResolvesBesideTheFile) {
  std::string path = Write("admin.json", kAdminJson);
  Write("ca.pem", "pem");
  EXPECT_EQ(LoadCredentials(path, Env())->ca_file, dir_ + "/ca.pem");
}

TEST_F(CredentialsTest, CompleteEnvironmentWinsOverTheFile) {
  std::string path = Write("admin.json", kAdminJson);
  env_ = {{"AZURE_TENANT_ID", "env-tenant"},
          {"AZURE_CLIENT_ID", "env-client"},
          {"AZURE_CLIENT_SECRET", "env-secret"},
          {"KEYHAVEN_SUBSCRIPTION_ID", "env-sub"}};
  StatusOr<Credentials> c = LoadCredentials(path, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tenant_id, "env-tenant");
  EXPECT_EQ(c->client_id, "env-client");
  EXPECT_EQ(c->client_secret.Reveal(), "env-secret");
  EXPECT_EQ(c->subscription_id, "env-sub");
  // Not in the environment: filled from the file.
  EXPECT_EQ(c->authority_host, "https://localhost:8443");
  EXPECT_EQ(c->source, "environment");
}

TEST_F(CredentialsTest, EnvironmentAloneNeedsNoFile) {
  env_ = {{"AZURE_TENANT_ID", "t"},
          {"AZURE_CLIENT_ID", "c"},
          {"AZURE_CLIENT_SECRET", "s"},
          {"AZURE_AUTHORITY_HOST", "https://auth.localhost:9000"},
          {"KEYHAVEN_CA_FILE", "/etc/ca.pem"}};
  StatusOr<Credentials> c = LoadCredentials(dir_ + "/missing.json", Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->authority_host, "https://auth.localhost:9000");
  EXPECT_EQ(c->ca_file, "/etc/ca.pem");
  EXPECT_EQ(c->subscription_id, "");
}

TEST_F(CredentialsTest, PartialEnvironmentIsIgnored) {
  std::string path = Write("admin.json", kAdminJson);
  env_ = {{"AZURE_TENANT_ID", "env-tenant"},
          {"AZURE_CLIENT_ID", "env-client"},
          {"AZURE_CLIENT_SECRET", ""},
          {"AZURE_AUTHORITY_HOST", "https://elsewhere:1"}};
  StatusOr<Credentials> c = LoadCredentials(path, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->tenant_id, "file-tenant");
  EXPECT_EQ(c->client_secret.Reveal(), "file-secret");
  EXPECT_EQ(c->authority_host, "https://localhost:8443");
}

TEST_F(CredentialsTest, MissingFileNamesItAndTheAlternatives) {
  StatusOr<Credentials> c = LoadCredentials(dir_ + "/nope.json", Env());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().azure_code(), "CredentialsError");
  EXPECT_NE(c.status().message().find("nope.json"), std::string::npos);
  EXPECT_NE(c.status().message().find("AZURE_CLIENT_SECRET"), std::string::npos);
}

TEST_F(CredentialsTest, MalformedFilesAreRejectedWithoutEchoingThem) {
  std::string path = Write("bad.json", R"({"tenantId":"t","clientId":"c","clientSecret":"hunter2)");
  StatusOr<Credentials> c = LoadCredentials(path, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos);

  path = Write("partial.json", R"({"tenantId":"t","clientId":"c"})");
  c = LoadCredentials(path, Env());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("clientSecret"), std::string::npos);

  path = Write("array.json", "[1]");
  EXPECT_FALSE(LoadCredentials(path, Env()).ok());
}

}  // namespace
}  // namespace kh::cli
