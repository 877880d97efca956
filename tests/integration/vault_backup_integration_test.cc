// Whole-vault backup with the real binary: `keyhaven backup create` on one deployment, `backup
// verify` and `backup restore` on a fresh deployment that shares the root key (and so the
// backup key), with a 10,000-secret vault compared value by value; a tampered file and a
// deployment with another key are refused before anything is written.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "http/https_client.h"
#include "process.h"

namespace kh::testing {
namespace {

constexpr int kSecrets = 10000;
constexpr int kWriters = 4;

// A server with its own data dir, started with the root key in KEYHAVEN_ROOT_KEY.
struct Deployment {
  Deployment(const std::string& root_key_b64) : dir(MakeTempDir()) {
    setenv("KEYHAVEN_ROOT_KEY", root_key_b64.c_str(), 1);
    server = std::make_unique<ServerProcess>(KEYHAVEN_BIN, dir);
    unsetenv("KEYHAVEN_ROOT_KEY");
    token = AdminToken(*server, dir);
  }
  // SIGKILL, then start again on the same data dir (same root key).
  void KillAndRestart(const std::string& root_key_b64) {
    server->Kill();
    server.reset();
    setenv("KEYHAVEN_ROOT_KEY", root_key_b64.c_str(), 1);
    server = std::make_unique<ServerProcess>(KEYHAVEN_BIN, dir);
    unsetenv("KEYHAVEN_ROOT_KEY");
    token = AdminToken(*server, dir);
  }
  ~Deployment() {
    server.reset();
    std::filesystem::remove_all(dir);
  }
  CommandResult Cli(std::vector<std::string> args) {
    std::vector<std::string> argv = {KEYHAVEN_BIN, "--credentials", dir + "/admin.json"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  }
  std::string VaultUrl(const std::string& vault) const {
    return "https://" + vault + ".localhost:" + std::to_string(server->port());
  }
  std::map<std::string, std::string> Headers() const {
    return {{"authorization", "Bearer " + token}, {"content-type", "application/json"}};
  }
  StatusOr<http::HttpResponse> Request(http::HttpsClient& client, const std::string& method,
                                       const std::string& url, const std::string& body = "") {
    return client.Request(method, url, Headers(), body);
  }

  std::string dir;
  std::unique_ptr<ServerProcess> server;
  std::string token;
};

std::string SecretName(int i) { return "s" + std::to_string(i); }
std::string SecretValue(int i) { return "value-" + std::to_string(i) + "-" + std::string(40, 'x'); }

// Runs fn(i) for i in [0, n) on kWriters threads; returns how many calls returned false.
int Parallel(int n, const std::function<bool(http::HttpsClient&, int)>& fn, const std::string& ca) {
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&] {
      http::HttpsClient client({ca});
      for (int i = next++; i < n; i = next++) {
        if (!fn(client, i)) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(VaultBackupIntegrationTest, TenThousandSecretsRoundTripIntoAFreshDeployment) {
  const std::string key_a = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";  // 32 x 'B'
  const std::string key_other = "Q0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0M=";  // 32 x 'C'
  Deployment a(key_a);
  ASSERT_EQ(a.Cli({"vault", "create", "big", "--retention-days", "7"}).exit_code, 0);

  const std::string ca_a = a.dir + "/ca.pem";
  int failed = Parallel(
      kSecrets,
      [&](http::HttpsClient& c, int i) {
        auto r = a.Request(c, "PUT", a.VaultUrl("big") + "/secrets/" + SecretName(i) +
                                         "?api-version=2025-07-01",
                           R"({"value":")" + SecretValue(i) + R"(","tags":{"n":")" +
                               std::to_string(i) + R"("}})");
        return r.ok() && r->status == 200;
      },
      ca_a);
  ASSERT_EQ(failed, 0);
  // A second version of one secret, and a deleted one.
  http::HttpsClient client_a({ca_a});
  auto v2 = a.Request(client_a, "PUT", a.VaultUrl("big") + "/secrets/s1?api-version=2025-07-01",
                      R"({"value":"second version"})");
  ASSERT_TRUE(v2.ok() && v2->status == 200);
  auto del = a.Request(client_a, "DELETE", a.VaultUrl("big") + "/secrets/s2?api-version=2025-07-01");
  ASSERT_TRUE(del.ok() && del->status == 200);

  const std::string file = a.dir + "/big.khbackup";
  auto start = std::chrono::steady_clock::now();
  auto created = a.Cli({"backup", "create", "--vault", "big", "--out", file, "--output", "table"});
  const double backup_seconds = SecondsSince(start);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find(std::to_string(kSecrets) + " secrets"), std::string::npos)
      << created.out;
  EXPECT_NE(created.out.find("(1 deleted)"), std::string::npos) << created.out;
  EXPECT_EQ((std::filesystem::status(file).permissions() & std::filesystem::perms::others_read),
            std::filesystem::perms::none);
  const std::string contents = ReadFile(file);
  EXPECT_EQ(contents.find(SecretValue(1234)), std::string::npos) << "the file is sealed";

  // A fresh deployment with the same root key, hence the same backup key.
  Deployment b(key_a);
  auto verified = b.Cli({"backup", "verify", file, "--output", "table"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  start = std::chrono::steady_clock::now();
  auto restored = b.Cli({"backup", "restore", file, "--vault", "bigcopy"});
  const double restore_seconds = SecondsSince(start);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  std::printf("vault backup of %d secrets: %zu bytes; create %.2f s, restore %.2f s\n", kSecrets,
              contents.size(), backup_seconds, restore_seconds);

  // Every secret, value and tag, in the restored vault.
  const std::string ca_b = b.dir + "/ca.pem";
  failed = Parallel(
      kSecrets,
      [&](http::HttpsClient& c, int i) {
        auto r = b.Request(c, "GET", b.VaultUrl("bigcopy") + "/secrets/" + SecretName(i) +
                                         "/?api-version=2025-07-01");
        if (i == 2) return r.ok() && r->status == 404;  // deleted before the backup
        const std::string expected = i == 1 ? "second version" : SecretValue(i);
        return r.ok() && r->status == 200 && JsonField(r->body, "value") == expected &&
               (i == 1 || JsonField(r->body, "n") == std::to_string(i));
      },
      ca_b);
  EXPECT_EQ(failed, 0) << "secrets that differ after the restore";
  http::HttpsClient client_b({ca_b});
  auto deleted = b.Request(client_b, "GET",
                           b.VaultUrl("bigcopy") + "/deletedsecrets/s2?api-version=2025-07-01");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->status, 200) << "the deleted secret stays deleted";
  auto versions = b.Request(client_b, "GET",
                            b.VaultUrl("bigcopy") + "/secrets/s1/versions?api-version=2025-07-01");
  ASSERT_TRUE(versions.ok());
  size_t listed = 0;
  for (size_t at = versions->body.find("/secrets/s1/"); at != std::string::npos;
       at = versions->body.find("/secrets/s1/", at + 1)) {
    ++listed;
  }
  EXPECT_EQ(listed, 2u) << "both versions of s1: " << versions->body;

  // The name is now taken.
  auto again = b.Cli({"backup", "restore", file, "--vault", "bigcopy"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("already in use"), std::string::npos) << again.err;

  // A changed file is refused by verify and by restore, and nothing is written.
  std::string tampered = contents;
  tampered[tampered.size() / 3] ^= 0x20;
  const std::string bad_file = b.dir + "/tampered.khbackup";
  std::ofstream(bad_file, std::ios::binary) << tampered;
  auto bad_verify = b.Cli({"backup", "verify", bad_file});
  EXPECT_NE(bad_verify.exit_code, 0);
  EXPECT_NE(bad_verify.err.find("nothing was restored"), std::string::npos) << bad_verify.err;
  auto bad_restore = b.Cli({"backup", "restore", bad_file, "--vault", "fromtampered"});
  EXPECT_NE(bad_restore.exit_code, 0);
  EXPECT_NE(b.Cli({"vault", "show", "fromtampered"}).exit_code, 0);

  // A deployment with another root key (another backup key) cannot read the file.
  Deployment other(key_other);
  auto foreign = other.Cli({"backup", "restore", file, "--vault", "bigcopy"});
  EXPECT_NE(foreign.exit_code, 0);
  EXPECT_NE(foreign.err.find("another backup key"), std::string::npos) << foreign.err;
  EXPECT_NE(other.Cli({"vault", "show", "bigcopy"}).exit_code, 0);

  // Once it imports a's backup key (exported under a passphrase), it can.
  const std::string passphrase_file = a.dir + "/passphrase";
  std::ofstream(passphrase_file) << "a long enough passphrase\n";
  const std::string key_file = a.dir + "/backup.key";
  auto exported = a.Cli({"backup-key", "export", "--out", key_file, "--passphrase-file",
                         passphrase_file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(ReadFile(key_file).rfind("KHBACKUPKEY1:", 0), 0u);
  auto wrong = RunCommand({KEYHAVEN_BIN, "--credentials", other.dir + "/admin.json", "backup-key",
                           "import", key_file, "--passphrase-file", "-"},
                          "not the passphrase at all\n");
  EXPECT_NE(wrong.exit_code, 0);
  auto imported = other.Cli({"backup-key", "import", key_file, "--passphrase-file",
                             passphrase_file});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  auto after_import = other.Cli({"backup", "restore", file, "--vault", "bigcopy"});
  ASSERT_EQ(after_import.exit_code, 0) << after_import.err;
  http::HttpsClient client_other({other.dir + "/ca.pem"});
  auto sample = other.Request(client_other, "GET",
                              other.VaultUrl("bigcopy") + "/secrets/s7777/?api-version=2025-07-01");
  ASSERT_TRUE(sample.ok());
  EXPECT_EQ(JsonField(sample->body, "value"), SecretValue(7777));
}

// Automatic backups: writers set secrets until the server is SIGKILLed; after a restart the
// backup target covers every acknowledged write, and a fresh deployment with the same root key
// rebuilds the vault from the target directory alone.
TEST(VaultBackupIntegrationTest, BackupTargetCoversEveryAcknowledgedWriteAcrossSigkill) {
  const std::string key = "REREREREREREREREREREREREREREREREREREREREREQ=";  // 32 x 'D'
  Deployment a(key);
  ASSERT_EQ(a.Cli({"vault", "create", "journaled", "--retention-days", "7"}).exit_code, 0);
  std::mutex mu;
  std::map<std::string, std::string> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      http::HttpsClient client({a.dir + "/ca.pem", std::chrono::seconds(10)});
      for (int n = 0; !stop; ++n) {
        const std::string name = "w" + std::to_string(t) + "-" + std::to_string(n);
        const std::string value = "v-" + name;
        auto r = a.Request(client, "PUT",
                           a.VaultUrl("journaled") + "/secrets/" + name + "?api-version=2025-07-01",
                           R"({"value":")" + value + R"("})");
        if (!r.ok() || r->status != 200) return;  // the server is gone
        std::lock_guard lock(mu);
        acked[name] = value;
        ++written;
      }
    });
  }
  while (written < 500) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  a.KillAndRestart(key);  // in-flight writes are cut off; none of them was acknowledged
  stop = true;
  for (auto& w : writers) w.join();

  // The restarted server ships what was still in its journal; the rebuild needs the target to
  // have caught up, which it does within moments.
  Deployment b(key);
  CommandResult rebuilt;
  for (int attempt = 0; attempt < 50; ++attempt) {
    const std::string name = "copy" + std::to_string(attempt);
    rebuilt = b.Cli({"backup", "rebuild", "--from", a.dir + "/backups", "--vault", "journaled",
                     "--into", name, "--output", "json"});
    ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
    http::HttpsClient client({b.dir + "/ca.pem"});
    size_t missing = 0;
    for (const auto& [secret, value] : acked) {
      auto r = b.Request(client, "GET",
                         b.VaultUrl(name) + "/secrets/" + secret + "/?api-version=2025-07-01");
      if (!r.ok() || r->status != 200 || JsonField(r->body, "value") != value) ++missing;
    }
    if (missing == 0) {
      std::printf("automatic backups: %zu acknowledged writes before SIGKILL, all rebuilt from "
                  "the target (attempt %d)\n", acked.size(), attempt + 1);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  FAIL() << "the backup target never covered every acknowledged write";
}

}  // namespace
}  // namespace kh::testing
