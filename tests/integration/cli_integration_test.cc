// The `keyhaven` CLI against a real server over TLS: every vault and secret command a user
// runs, and what they print.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "process.h"

namespace kh::testing {
namespace {

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = new std::string(MakeTempDir());
    server_ = new ServerProcess(KEYHAVEN_BIN, *data_dir_);
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*data_dir_);
    delete data_dir_;
  }
  CommandResult Cli(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {KEYHAVEN_BIN, "--credentials", *data_dir_ + "/admin.json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, input);
  }

  static std::string* data_dir_;
  static ServerProcess* server_;
};
std::string* CliTest::data_dir_ = nullptr;
ServerProcess* CliTest::server_ = nullptr;

TEST_F(CliTest, VaultLifecycle) {
  auto created = Cli({"vault", "create", "cli-vault", "--retention-days", "7"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("https://cli-vault.localhost:" + std::to_string(server_->port())),
            std::string::npos);
  auto list = Cli({"vault", "list", "--output", "table"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("cli-vault"), std::string::npos);
  auto show = Cli({"vault", "show", "cli-vault"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("\"softDeleteRetentionInDays\""), std::string::npos);
  auto bad = Cli({"vault", "create", "bad_name"});
  EXPECT_NE(bad.exit_code, 0);
  auto deleted = Cli({"vault", "delete", "cli-vault"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  auto gone = Cli({"vault", "show", "cli-vault"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("error:"), std::string::npos);
}

TEST_F(CliTest, VaultAutomaticBackupsCanBeTurnedOff) {
  auto on = Cli({"vault", "create", "cli-journaled"});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_NE(on.out.find("\"keyhavenAutomaticBackups\": true"), std::string::npos) << on.out;
  auto off = Cli({"vault", "create", "cli-quiet", "--no-automatic-backups"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_NE(off.out.find("\"keyhavenAutomaticBackups\": false"), std::string::npos) << off.out;
}

TEST_F(CliTest, SecretLifecycle) {
  ASSERT_EQ(Cli({"vault", "create", "cli-secrets", "--retention-days", "7"}).exit_code, 0);
  const std::string vault = "cli-secrets";
  auto set = Cli({"secret", "set", "--vault", vault, "--name", "db", "--value", "-",
                  "--content-type", "text/plain", "--tags", "env=test"},
                 "first-value\n");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_EQ(set.out.find("first-value"), std::string::npos) << "set must not echo the value";
  ASSERT_EQ(Cli({"secret", "set", "--vault", vault, "--name", "db", "--value", "-"}, "second-value")
                .exit_code,
            0);

  auto show = Cli({"secret", "show", "--vault", vault, "--name", "db"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("second-value"), std::string::npos);
  auto versions = Cli({"secret", "versions", "--vault", vault, "--name", "db"});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_EQ(std::count(versions.out.begin(), versions.out.end(), '{') >= 2, true);
  auto list = Cli({"secret", "list", "--vault", vault, "--output", "table"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("db"), std::string::npos);
  EXPECT_EQ(list.out.find("second-value"), std::string::npos);

  auto update = Cli({"secret", "update", "--vault", vault, "--name", "db", "--enabled", "false"});
  ASSERT_EQ(update.exit_code, 0) << update.err;
  auto disabled = Cli({"secret", "show", "--vault", vault, "--name", "db"});
  EXPECT_EQ(disabled.exit_code, 1);
  EXPECT_NE(disabled.err.find("SecretDisabled"), std::string::npos) << disabled.err;
  ASSERT_EQ(
      Cli({"secret", "update", "--vault", vault, "--name", "db", "--enabled", "true"}).exit_code,
      0);

  std::string backup_file = *data_dir_ + "/db.backup";
  ASSERT_EQ(
      Cli({"secret", "backup", "--vault", vault, "--name", "db", "--file", backup_file}).exit_code,
      0);
  ASSERT_TRUE(std::filesystem::exists(backup_file));
  ASSERT_EQ(Cli({"secret", "delete", "--vault", vault, "--name", "db"}).exit_code, 0);
  auto missing = Cli({"secret", "show", "--vault", vault, "--name", "db"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("SecretNotFound"), std::string::npos);
  ASSERT_EQ(Cli({"secret", "recover", "--vault", vault, "--name", "db"}).exit_code, 0);
  EXPECT_EQ(Cli({"secret", "show", "--vault", vault, "--name", "db"}).exit_code, 0);

  ASSERT_EQ(Cli({"secret", "delete", "--vault", vault, "--name", "db"}).exit_code, 0);
  ASSERT_EQ(Cli({"secret", "purge", "--vault", vault, "--name", "db"}).exit_code, 0);
  auto restored = Cli({"secret", "restore", "--vault", vault, "--file", backup_file});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto again = Cli({"secret", "show", "--vault", vault, "--name", "db"});
  EXPECT_NE(again.out.find("second-value"), std::string::npos);
}

TEST_F(CliTest, ServerOutputHoldsNoSecretValue) {
  ASSERT_EQ(Cli({"vault", "create", "cli-leak"}).exit_code, 0);
  ASSERT_EQ(Cli({"secret", "set", "--vault", "cli-leak", "--name", "x", "--value", "-"},
                "leak-canary-5d1e")
                .exit_code,
            0);
  ASSERT_EQ(Cli({"secret", "show", "--vault", "cli-leak", "--name", "x"}).exit_code, 0);
  EXPECT_EQ(server_->Output().find("leak-canary-5d1e"), std::string::npos);
}

}  // namespace
}  // namespace kh::testing

namespace kh::testing {
namespace {

TEST(ServeOptionsTest, ConfigFileSetsOptions) {
  std::string dir = MakeTempDir();
  std::string config = dir + "/keyhaven.toml";
  std::ofstream(config) << "# keyhaven serve options\n[serve]\ndomain = \"kh.test\"\n";
  ServerProcess server(KEYHAVEN_BIN, dir + "/data", {"--config", config});
  EXPECT_NE(server.Output().find("https://NAME.kh.test:" + std::to_string(server.port())),
            std::string::npos)
      << server.Output();
  EXPECT_EQ(server.url(), "https://kh.test:" + std::to_string(server.port()));
  EXPECT_EQ(server.Stop(), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kh::testing

namespace kh::testing {
namespace {

std::string Field(const std::string& json, const std::string& name) {
  size_t at = json.find("\"" + name + "\"");
  if (at == std::string::npos) return "";
  size_t start = json.find('"', json.find(':', at) + 1) + 1;
  return json.substr(start, json.find('"', start) - start);
}

TEST_F(CliTest, LeastPrivilegeFromTheCommandLine) {
  ASSERT_EQ(Cli({"vault", "create", "cli-rbac"}).exit_code, 0);
  for (const char* name : {"shared", "private"}) {
    ASSERT_EQ(Cli({"secret", "set", "--vault", "cli-rbac", "--name", name, "--value", "-"},
                  std::string("value-of-") + name)
                  .exit_code,
              0);
  }
  auto principal = Cli({"principal", "create", "cli-reader"});
  ASSERT_EQ(principal.exit_code, 0) << principal.err;
  std::string object_id = Field(principal.out, "objectId");
  ASSERT_FALSE(object_id.empty()) << principal.out;
  auto assigned = Cli({"role", "assign", "--role", "Key Vault Secrets User", "--assignee",
                       object_id, "--vault", "cli-rbac", "--secret", "shared"});
  ASSERT_EQ(assigned.exit_code, 0) << assigned.err;
  auto listed = Cli({"role", "list", "--vault", "cli-rbac"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(object_id), std::string::npos);

  // The new principal, configured only by environment variables, sees exactly one secret.
  auto as_reader = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "AZURE_TENANT_ID=" + Field(principal.out, "tenantId"),
                                     "AZURE_CLIENT_ID=" + Field(principal.out, "clientId"),
                                     "AZURE_CLIENT_SECRET=" + Field(principal.out, "clientSecret"),
                                     "AZURE_AUTHORITY_HOST=" + server_->url(),
                                     "KEYHAVEN_CA_FILE=" + *data_dir_ + "/ca.pem",
                                     KEYHAVEN_BIN,
                                     "--credentials",
                                     "/nonexistent",
                                     "--server",
                                     server_->url()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  };
  auto shared = as_reader({"secret", "show", "--vault", "cli-rbac", "--name", "shared"});
  EXPECT_EQ(shared.exit_code, 0) << shared.err;
  EXPECT_NE(shared.out.find("value-of-shared"), std::string::npos);
  auto denied = as_reader({"secret", "show", "--vault", "cli-rbac", "--name", "private"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("ForbiddenByRbac"), std::string::npos) << denied.err;
}

TEST_F(CliTest, PrincipalsAndCredentialsFromTheCommandLine) {
  auto principal = Cli({"principal", "create", "cli-rotating", "--secret-end", "30d"});
  ASSERT_EQ(principal.exit_code, 0) << principal.err;
  const std::string client_id = Field(principal.out, "clientId");
  const std::string first_key = Field(principal.out, "keyId");
  const std::string first_secret = Field(principal.out, "clientSecret");
  ASSERT_FALSE(first_key.empty()) << principal.out;
  EXPECT_NE(principal.out.find("\"endDateTime\": \"20"), std::string::npos) << principal.out;

  auto added = Cli({"principal", "credential", "add", client_id, "--display-name", "next", "--end",
                    "2099-01-01T00:00:00Z"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string second_secret = Field(added.out, "secretText");
  ASSERT_FALSE(second_secret.empty()) << added.out;

  auto listed = Cli({"principal", "credential", "list", client_id});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("2099-01-01T00:00:00Z"), std::string::npos);
  EXPECT_EQ(listed.out.find(first_secret), std::string::npos) << "secrets are shown once";
  EXPECT_EQ(listed.out.find(second_secret), std::string::npos) << "secrets are shown once";
  auto all = Cli({"principal", "list"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("cli-rotating"), std::string::npos);

  std::ifstream admin_file(*data_dir_ + "/admin.json");
  const std::string admin_json((std::istreambuf_iterator<char>(admin_file)),
                               std::istreambuf_iterator<char>());
  auto token_with = [&](const std::string& secret) {
    return RunCommand({"/usr/bin/env", "AZURE_TENANT_ID=" + Field(principal.out, "tenantId"),
                       "AZURE_CLIENT_ID=" + client_id, "AZURE_CLIENT_SECRET=" + secret,
                       "KEYHAVEN_SUBSCRIPTION_ID=" + Field(admin_json, "subscriptionId"),
                       "AZURE_AUTHORITY_HOST=" + server_->url(),
                       "KEYHAVEN_CA_FILE=" + *data_dir_ + "/ca.pem", KEYHAVEN_BIN, "--credentials",
                       "/nonexistent", "--server", server_->url(), "vault", "list"});
  };
  // The principal has no role: a valid secret gets past the token endpoint and is then denied.
  auto authenticated = [](const CommandResult& r) {
    return r.err.find("invalid_client") == std::string::npos &&
           r.err.find("ForbiddenByRbac") != std::string::npos;
  };
  auto first = token_with(first_secret);
  EXPECT_TRUE(authenticated(first)) << first.err;
  ASSERT_EQ(Cli({"principal", "credential", "remove", client_id, first_key}).exit_code, 0);
  auto refused = token_with(first_secret);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("invalid_client"), std::string::npos) << refused.err;
  auto second = token_with(second_secret);
  EXPECT_TRUE(authenticated(second)) << second.err;

  EXPECT_NE(Cli({"principal", "show", "../admin"}).exit_code, 0);
  ASSERT_EQ(Cli({"principal", "delete", client_id}).exit_code, 0);
  EXPECT_EQ(Cli({"principal", "show", client_id}).exit_code, 1);
  auto deleted = token_with(second_secret);
  EXPECT_NE(deleted.err.find("invalid_client"), std::string::npos) << deleted.err;
}

TEST_F(CliTest, KeysFromTheCommandLine) {
  ASSERT_EQ(Cli({"vault", "create", "cli-keys"}).exit_code, 0);
  auto created = Cli({"key", "create", "--vault", "cli-keys", "--name", "signer", "--kty", "EC",
                      "--curve", "P-256", "--ops", "sign,verify"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("\"crv\": \"P-256\""), std::string::npos) << created.out;
  EXPECT_EQ(created.out.find("\"d\""), std::string::npos) << "no private part is shown";

  // SHA-256("hello"), base64url.
  const std::string digest = "LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ";
  auto signed_ = Cli({"key", "sign", "--vault", "cli-keys", "--name", "signer", "--alg", "ES256",
                      "--value", digest});
  ASSERT_EQ(signed_.exit_code, 0) << signed_.err;
  const std::string signature = Field(signed_.out, "value");
  ASSERT_FALSE(signature.empty()) << signed_.out;
  auto verified = Cli({"key", "verify", "--vault", "cli-keys", "--name", "signer", "--alg", "ES256",
                       "--value", digest, "--signature", signature});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_NE(verified.out.find("true"), std::string::npos) << verified.out;
  auto rotated = Cli({"key", "rotate", "--vault", "cli-keys", "--name", "signer"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  auto versions = Cli({"key", "versions", "--vault", "cli-keys", "--name", "signer"});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  size_t kids = 0;
  for (size_t at = versions.out.find("\"kid\""); at != std::string::npos;
       at = versions.out.find("\"kid\"", at + 1)) {
    ++kids;
  }
  EXPECT_EQ(kids, 2u) << versions.out;
  auto refused = Cli({"key", "encrypt", "--vault", "cli-keys", "--name", "signer", "--alg",
                      "RSA-OAEP", "--value", "aGVsbG8"});
  EXPECT_NE(refused.exit_code, 0) << "an EC sign/verify key does not encrypt";

  ASSERT_EQ(
      Cli({"key", "create", "--vault", "cli-keys", "--name", "sealer", "--kty", "RSA"}).exit_code,
      0);
  auto sealed = Cli({"key", "encrypt", "--vault", "cli-keys", "--name", "sealer", "--alg",
                     "RSA-OAEP-256", "--value", "aGVsbG8"});
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  auto opened = Cli({"key", "decrypt", "--vault", "cli-keys", "--name", "sealer", "--alg",
                     "RSA-OAEP-256", "--value", Field(sealed.out, "value")});
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_EQ(Field(opened.out, "value"), "aGVsbG8");

  auto listed = Cli({"key", "list", "--vault", "cli-keys"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("signer"), std::string::npos);
  EXPECT_NE(listed.out.find("sealer"), std::string::npos);

  const std::string backup = *data_dir_ + "/sealer.keybackup";
  ASSERT_EQ(
      Cli({"key", "backup", "--vault", "cli-keys", "--name", "sealer", "--file", backup}).exit_code,
      0);
  ASSERT_EQ(Cli({"key", "delete", "--vault", "cli-keys", "--name", "sealer"}).exit_code, 0);
  EXPECT_NE(Cli({"key", "show", "--vault", "cli-keys", "--name", "sealer"}).exit_code, 0);
  ASSERT_EQ(Cli({"key", "recover", "--vault", "cli-keys", "--name", "sealer"}).exit_code, 0);
  ASSERT_EQ(Cli({"key", "delete", "--vault", "cli-keys", "--name", "sealer"}).exit_code, 0);
  ASSERT_EQ(Cli({"key", "purge", "--vault", "cli-keys", "--name", "sealer"}).exit_code, 0);
  auto restored = Cli({"key", "restore", "--vault", "cli-keys", "--file", backup});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto reopened = Cli({"key", "decrypt", "--vault", "cli-keys", "--name", "sealer", "--alg",
                       "RSA-OAEP-256", "--value", Field(sealed.out, "value")});
  ASSERT_EQ(reopened.exit_code, 0) << reopened.err;
  EXPECT_EQ(Field(reopened.out, "value"), "aGVsbG8");
}

TEST_F(CliTest, CertificatesFromTheCommandLine) {
  const std::string vault = "cli-certs";
  ASSERT_EQ(Cli({"vault", "create", vault, "--retention-days", "7"}).exit_code, 0);
  auto created = Cli({"certificate", "create", "--vault", vault, "--name", "web", "--subject",
                      "CN=cli.example", "--dns", "cli.example"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("\"cer\""), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("\"name\": \"Self\""), std::string::npos) << created.out;

  const std::string pem = *data_dir_ + "/web.pem";
  auto as_pem = Cli({"certificate", "download", "--vault", vault, "--name", "web", "--file", pem,
                     "--format", "pem"});
  ASSERT_EQ(as_pem.exit_code, 0) << as_pem.err;
  EXPECT_EQ(as_pem.out.find("PRIVATE KEY"), std::string::npos) << "the value is not printed";
  const std::string pem_text = ReadFile(pem);
  EXPECT_NE(pem_text.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_NE(pem_text.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  using std::filesystem::perms;
  EXPECT_EQ(std::filesystem::status(pem).permissions() & perms::all,
            perms::owner_read | perms::owner_write);
  const std::string pfx = *data_dir_ + "/web.pfx";
  auto as_pfx = Cli({"certificate", "download", "--vault", vault, "--name", "web", "--file", pfx,
                     "--format", "pfx"});
  ASSERT_EQ(as_pfx.exit_code, 0) << as_pfx.err;
  EXPECT_EQ(std::system(
                ("openssl pkcs12 -in '" + pfx + "' -passin pass: -nokeys >/dev/null 2>&1").c_str()),
            0);

  auto listed = Cli({"certificate", "list", "--vault", vault});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("/certificates/web"), std::string::npos) << listed.out;

  const std::string backup = *data_dir_ + "/web.certbackup";
  ASSERT_EQ(
      Cli({"certificate", "backup", "--vault", vault, "--name", "web", "--file", backup}).exit_code,
      0);
  ASSERT_EQ(Cli({"certificate", "delete", "--vault", vault, "--name", "web"}).exit_code, 0);
  auto deleted = Cli({"certificate", "list-deleted", "--vault", vault});
  EXPECT_NE(deleted.out.find("/deletedcertificates/web"), std::string::npos) << deleted.out;
  auto purged = Cli({"certificate", "purge", "--vault", vault, "--name", "web"});
  ASSERT_EQ(purged.exit_code, 0) << purged.err;
  EXPECT_NE(Cli({"certificate", "show", "--vault", vault, "--name", "web"}).exit_code, 0);
  auto restored = Cli({"certificate", "restore", "--vault", vault, "--file", backup});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto shown = Cli({"certificate", "show", "--vault", vault, "--name", "web"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(Field(shown.out, "x5t"), Field(created.out, "x5t"));

  auto imported =
      Cli({"certificate", "import", "--vault", vault, "--name", "web-copy", "--file", pem});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(Field(imported.out, "x5t"), Field(created.out, "x5t"));
  EXPECT_NE(imported.out.find("application/x-pem-file"), std::string::npos) << imported.out;
  ASSERT_EQ(Cli({"certificate", "delete", "--vault", vault, "--name", "web-copy"}).exit_code, 0);
  EXPECT_NE(Cli({"certificate", "show", "--vault", vault, "--name", "web-copy"}).exit_code, 0);
  auto recovered = Cli({"certificate", "recover", "--vault", vault, "--name", "web-copy"});
  ASSERT_EQ(recovered.exit_code, 0) << recovered.err;
  EXPECT_EQ(Cli({"certificate", "show", "--vault", vault, "--name", "web-copy"}).exit_code, 0);
  EXPECT_EQ(server_->Output().find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
}

TEST_F(CliTest, AlertRulesAndAlerts) {
  auto created = Cli({"alert", "rule", "create", "cli-denied", "--status", "401", "--status", "403",
                      "--threshold", "10", "--window-seconds", "60"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("\"statusCodes\": ["), std::string::npos) << created.out;
  auto bad = Cli({"alert", "rule", "create", "cli-bad", "--threshold", "-1"});
  EXPECT_NE(bad.exit_code, 0);
  auto rules = Cli({"alert", "rule", "list", "--output", "table"});
  ASSERT_EQ(rules.exit_code, 0) << rules.err;
  EXPECT_NE(rules.out.find("cli-denied  CountAbove  10  60"), std::string::npos) << rules.out;
  auto alerts = Cli({"alert", "list", "--output", "table"});
  ASSERT_EQ(alerts.exit_code, 0) << alerts.err;
  EXPECT_NE(alerts.out.find("cli-denied  None  0"), std::string::npos) << alerts.out;
  ASSERT_EQ(Cli({"alert", "rule", "delete", "cli-denied"}).exit_code, 0);
  EXPECT_EQ(Cli({"alert", "rule", "list"}).out.find("cli-denied"), std::string::npos);
  EXPECT_EQ(Cli({"alert", "rule", "delete", "cli-denied"}).exit_code, 1);
}

TEST_F(CliTest, EventSubscriptionsNeedAnEndpointThatAnswers) {
  auto listed = Cli({"event", "subscription", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  // Nothing listens there: the validation handshake fails and nothing is stored.
  auto refused = Cli({"event", "subscription", "create", "cli-hook", "--endpoint",
                      "https://localhost:1/hook"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("could not be reached"), std::string::npos) << refused.err;
  EXPECT_EQ(Cli({"event", "subscription", "list"}).out.find("cli-hook"), std::string::npos);
}

}  // namespace
}  // namespace kh::testing
