#include "audit/audit_event.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kh::audit {
namespace {

AuditEvent Sample() {
  AuditEvent e;
  e.time_ms = 1764484800123;  // 2025-11-30T06:40:00.123Z
  e.resource_id = "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/V";
  e.operation_name = "SecretGet";
  e.operation_version = "2025-07-01";
  e.result_type = "Success";
  e.result_signature = StatusText(200);
  e.duration_ms = 3;
  e.caller_ip = "127.0.0.1";
  e.correlation_id = "c0ffee";
  e.object_id = "oid-1";
  e.app_id = "app-1";
  e.request_uri = "https://v.localhost:8443/secrets/db?api-version=2025-07-01";
  e.id = "https://v.localhost:8443/secrets/db";
  e.http_status = 200;
  return e;
}

TEST(AuditEventTest, JsonLineHasAzuresAuditEventShape) {
  const std::string line = ToJsonLine(Sample());
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  auto v = boost::json::parse(line).as_object();
  EXPECT_EQ(v["time"].as_string(), "2025-11-30T06:40:00.123Z");
  EXPECT_EQ(v["category"].as_string(), "AuditEvent");
  EXPECT_EQ(v["operationName"].as_string(), "SecretGet");
  EXPECT_EQ(v["resultSignature"].as_string(), "OK");
  EXPECT_EQ(v["durationMs"].as_string(), "3");
  EXPECT_EQ(v["identity"].at("claim").at("appid").as_string(), "app-1");
  EXPECT_EQ(
      v["identity"].at("claim").at("http://schemas.microsoft.com/identity/claims/objectidentifier"),
      "oid-1");
  EXPECT_EQ(v["properties"].at("httpStatusCode").as_int64(), 200);
  EXPECT_EQ(StatusText(403), "Forbidden");
  EXPECT_EQ(StatusText(599), "599");
}

TEST(AuditEventTest, FileSinkAppendsOneLinePerEvent) {
  std::string dir = (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + std::string("/kh-audit-XXXXXX");
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    auto sink = JsonLinesFileSink::Open(dir + "/audit/audit.jsonl");
    ASSERT_TRUE(sink.ok()) << sink.status().ToString();
    ASSERT_TRUE((*sink)->Write(Sample()).ok());
    ASSERT_TRUE((*sink)->Write(Sample()).ok());
    ASSERT_TRUE((*sink)->Flush().ok());
    std::ifstream early(dir + "/audit/audit.jsonl");
    std::stringstream flushed;
    flushed << early.rdbuf();
    const std::string so_far = flushed.str();
    EXPECT_EQ(std::count(so_far.begin(), so_far.end(), '\n'), 2) << "after Flush";
    ASSERT_TRUE((*sink)->Write(Sample()).ok());
  }
  std::ifstream in(dir + "/audit/audit.jsonl");
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << "the last one at destruction";
  EXPECT_EQ((std::filesystem::status(dir + "/audit/audit.jsonl").permissions() &
             std::filesystem::perms::others_read),
            std::filesystem::perms::none);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kh::audit
