// Acknowledged writes survive: a clean stop (SIGTERM) lets in-flight requests finish, and a
// crash (SIGKILL) at an arbitrary moment loses no write that was answered 2xx.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

#include "http/https_client.h"
#include "process.h"

namespace kh::testing {
namespace {

// One server run: a token for it and helpers for the vault "durable".
struct Session {
  Session(ServerProcess& server, const std::string& data_dir) : server(server) {
    admin = ReadFile(data_dir + "/admin.json");
    ca = data_dir + "/ca.pem";
    token = AdminToken(server, data_dir);
    vault_url = "https://durable.localhost:" + std::to_string(server.port());
  }
  std::map<std::string, std::string> Headers() const {
    return {{"authorization", "Bearer " + token}, {"content-type", "application/json"}};
  }
  void CreateVault() {
    http::HttpsClient client({ca});
    std::string body = R"({"location":"local","properties":{"tenantId":")" +
                       JsonField(admin, "tenantId") +
                       R"(","sku":{"family":"A","name":"standard"}}})";
    auto r = client.Request("PUT",
                            server.url() + "/subscriptions/" + JsonField(admin, "subscriptionId") +
                                "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/"
                                "durable?api-version=2026-02-01",
                            Headers(), body);
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.status().ToString());
  }

  ServerProcess& server;
  std::string admin, ca, token, vault_url;
};

// Writers PUT distinct secrets until the server goes away; returns every acknowledged write.
std::map<std::string, std::string> WriteUntilStopped(const Session& session, int threads,
                                                     const std::function<void()>& stop) {
  std::mutex mu;
  std::map<std::string, std::string> acked;
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      http::HttpsClient client({session.ca, std::chrono::seconds(10)});
      for (int n = 0;; ++n) {
        std::string name = "w" + std::to_string(t) + "-" + std::to_string(n);
        std::string value = "value-" + name;
        auto r = client.Request("PUT",
                                session.vault_url + "/secrets/" + name + "?api-version=2025-07-01",
                                session.Headers(), R"({"value":")" + value + R"("})");
        if (!r.ok() || r->status != 200) return;  // the server is gone
        std::lock_guard lock(mu);
        acked[name] = value;
        ++written;
      }
    });
  }
  while (written < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop();
  for (auto& w : writers) w.join();
  return acked;
}

void ExpectAllPresent(const Session& session, const std::map<std::string, std::string>& acked) {
  http::HttpsClient client({session.ca});
  size_t missing = 0;
  for (const auto& [name, value] : acked) {
    auto r =
        client.Request("GET", session.vault_url + "/secrets/" + name + "/?api-version=2025-07-01",
                       session.Headers(), "");
    if (!r.ok() || r->status != 200 || JsonField(r->body, "value") != value) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged writes";
}

TEST(DurabilityTest, SigtermFinishesInFlightWritesAndLosesNone) {
  std::string dir = MakeTempDir();
  std::map<std::string, std::string> acked;
  {
    ServerProcess server(KEYHAVEN_BIN, dir);
    Session session(server, dir);
    session.CreateVault();
    int exit_code = -1;
    acked = WriteUntilStopped(session, 16, [&] { exit_code = server.Stop(); });
    EXPECT_EQ(exit_code, 0) << server.Output();
  }
  ASSERT_GE(acked.size(), 200u);
  {
    ServerProcess restarted(KEYHAVEN_BIN, dir);
    ExpectAllPresent(Session(restarted, dir), acked);
  }  // stopped before its directory goes: a running server keeps writing there (its audit log)
  std::filesystem::remove_all(dir);
}

TEST(DurabilityTest, SigkillLosesNoAcknowledgedWrite) {
  std::string dir = MakeTempDir();
  std::map<std::string, std::string> acked;
  {
    ServerProcess server(KEYHAVEN_BIN, dir);
    Session session(server, dir);
    session.CreateVault();
    acked = WriteUntilStopped(session, 16, [&] { server.Kill(); });
  }
  ASSERT_GE(acked.size(), 200u);
  {
    ServerProcess restarted(KEYHAVEN_BIN, dir);
    ExpectAllPresent(Session(restarted, dir), acked);
  }  // stopped before its directory goes: a running server keeps writing there (its audit log)
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kh::testing
