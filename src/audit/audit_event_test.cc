#include "audit/audit_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "audit/json_text.h"

namespace kh::audit {
namespace {

AuditEvent Sample() {
  AuditEvent e;
  e.time_ms = 1764484800123;  // 2025-11-30T06:40:00.123Z
  e.resource_id = "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/V";
  e.operation_name = "SecretGet";
  e.operation_version = "2025-07-01";
  e.http_status = 200;
  e.duration_ms = 3;
  e.caller_ip = "127.0.0.1";
  e.correlation_id = "c0ffee";
  e.object_id = "oid-1";
  e.app_id = "app-1";
  e.request_uri = "https://v.localhost:8443/secrets/db?api-version=2025-07-01";
  e.id = "https://v.localhost:8443/secrets/db";
  e.tls_version = "TLSv1.3";
  e.authorization = AuthorizationModel::kRbac;
  e.authorized = true;
  e.applied_assignment_id = "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a";
  e.address_authorized = true;
  return e;
}

boost::json::object Parse(const AuditEvent& e) {
  std::string text;
  AppendJsonObject(e, text);
  return boost::json::parse(text).as_object();
}

TEST(AuditEventTest, HasAzuresAuditEventShape) {
  auto v = Parse(Sample());
  EXPECT_EQ(v["time"].as_string(), "2025-11-30T06:40:00.123Z");
  EXPECT_EQ(v["category"].as_string(), "AuditEvent");
  EXPECT_EQ(v["operationName"].as_string(), "SecretGet");
  EXPECT_EQ(v["resultType"].as_string(), "Success");
  EXPECT_EQ(v["resultSignature"].as_string(), "OK");
  EXPECT_EQ(v["durationMs"].as_string(), "3");
  EXPECT_EQ(v["identity"].at("claim").at("appid").as_string(), "app-1");
  EXPECT_EQ(
      v["identity"].at("claim").at("http://schemas.microsoft.com/identity/claims/objectidentifier"),
      "oid-1");
  auto& p = v["properties"].as_object();
  EXPECT_EQ(p["httpStatusCode"].as_int64(), 200);
  EXPECT_EQ(p["isRbacAuthorized"].as_bool(), true);
  EXPECT_FALSE(p.contains("isAccessPolicyMatch"));
  EXPECT_EQ(p["appliedAssignmentId"].as_string(), Sample().applied_assignment_id);
  EXPECT_EQ(p["isAddressAuthorized"].as_bool(), true);
  EXPECT_EQ(p["tlsVersion"].as_string(), "TLSv1.3");
}

TEST(AuditEventTest, DenialsAndUnevaluatedRequests) {
  AuditEvent e = Sample();
  e.http_status = 403;
  e.result_description = "ForbiddenByPolicy";
  e.authorization = AuthorizationModel::kAccessPolicy;
  e.authorized = false;
  auto v = Parse(e);
  EXPECT_EQ(v["resultType"].as_string(), "Failure");
  EXPECT_EQ(v["resultSignature"].as_string(), "Forbidden");
  EXPECT_EQ(v["resultDescription"].as_string(), "ForbiddenByPolicy");
  EXPECT_FALSE(v["properties"].as_object().contains("isRbacAuthorized"));
  EXPECT_EQ(v["properties"].at("isAccessPolicyMatch").as_bool(), false);

  e.authorization = AuthorizationModel::kNotEvaluated;
  e.applied_assignment_id.clear();
  e.address_authorized = std::nullopt;
  e.object_id.clear();
  e.app_id.clear();
  v = Parse(e);
  EXPECT_FALSE(v["properties"].as_object().contains("isRbacAuthorized"));
  EXPECT_FALSE(v["properties"].as_object().contains("isAddressAuthorized"));
  EXPECT_FALSE(v["properties"].as_object().contains("appliedAssignmentId"));
  EXPECT_TRUE(v["identity"].at("claim").as_object().empty());
  EXPECT_EQ(StatusText(599), "599");
}

TEST(AuditEventTest, AnyBytesMakeStrictJson) {
  AuditEvent e = Sample();
  e.client_info = std::string("a\"b\\c\n\x01\x7f d\xff\xc3\xa9 \xe2\x82");  // bad UTF-8 too
  auto v = Parse(e);
  EXPECT_EQ(v["properties"].at("clientInfo").as_string(),
            "a\"b\\c\n\x01\x7f d\xef\xbf\xbd\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
}

TEST(JsonTextTest, EscapesQuotesSoNoFieldCanForgeAnother) {
  std::string out;
  AppendJsonString(out, R"(x","chain":{"seq":1})");
  EXPECT_EQ(out, R"("x\",\"chain\":{\"seq\":1}")");
}

TEST(AuditEventTest, ClearKeepingCapacityLeavesADefaultEvent) {
  AuditEvent e = Sample();
  e.result_description = "SecretNotFound";
  e.tenant_id = "tid";
  e.client_info = "azsdk-js";
  e.access_policy_object_id = "oid-2";
  e.authorization = AuthorizationModel::kAccessPolicy;
  ClearKeepingCapacity(e);
  EXPECT_EQ(e, AuditEvent{});
  EXPECT_GE(e.request_uri.capacity(), Sample().request_uri.size()) << "the buffer is kept";
}

// The writer scans eight bytes at a time: every byte value, at every place in and around a
// block, is escaped or kept exactly as a strict JSON parser reads it back.
TEST(JsonTextTest, EveryByteAtEveryOffsetRoundTrips) {
  for (int byte = 0; byte < 256; ++byte) {
    for (size_t at = 0; at < 19; ++at) {
      std::string value(19, 'a');
      value[at] = static_cast<char>(byte);
      std::string out;
      AppendJsonString(out, value);
      boost::system::error_code ec;
      const boost::json::value parsed = boost::json::parse(out, ec);
      ASSERT_FALSE(ec) << "byte " << byte << " at " << at << ": " << out;
      std::string expected = value;
      if (byte >= 0x80) expected.replace(at, 1, "\xef\xbf\xbd");  // a lone byte is not UTF-8
      EXPECT_EQ(parsed.as_string(), expected) << "byte " << byte << " at " << at;
      const bool plain = byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\';
      if (plain) EXPECT_EQ(out, "\"" + value + "\"");
    }
  }
}

}  // namespace
}  // namespace kh::audit
