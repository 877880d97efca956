#include "audit/service_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "audit/audit_forwarder.h"
#include "audit/audit_test_util.h"

namespace kh::audit {
namespace {

using ::testing::HasSubstr;

AuditEvent Request(std::string op, int status, int64_t ms, std::string vault = "V1") {
  return testing::RequestTo(std::move(vault), std::move(op), status, ms);
}

TEST(ServiceMetricsTest, CountsHitsResultsAndLatencyWithAzuresDimensions) {
  int64_t now = 1'000'000;
  ServiceMetrics m(100, [&] { return now; });
  m.Record(Request("SecretGet", 200, 1));
  m.Record(Request("SecretGet", 200, 30));
  m.Record(Request("SecretGet", 404, 3000));
  const std::string text = m.Render();
  const std::string labels = R"(vault="v1",activity_type="secret",activity_name="SecretGet")";
  EXPECT_THAT(text, HasSubstr("keyhaven_service_api_hit_total{" + labels + "} 3\n"));
  EXPECT_THAT(text, HasSubstr("keyhaven_service_api_result_total{" + labels +
                              R"(,status_code="200",status_code_class="2xx"} 2)"));
  EXPECT_THAT(text, HasSubstr("keyhaven_service_api_result_total{" + labels +
                              R"(,status_code="404",status_code_class="4xx"} 1)"));
  EXPECT_THAT(text, HasSubstr("keyhaven_service_api_latency_milliseconds_bucket{" + labels +
                              R"(,le="1"} 1)"));
  EXPECT_THAT(text, HasSubstr("keyhaven_service_api_latency_milliseconds_bucket{" + labels +
                              R"(,le="50"} 2)"));
  EXPECT_THAT(text, HasSubstr("keyhaven_service_api_latency_milliseconds_bucket{" + labels +
                              R"(,le="+Inf"} 3)"));
  EXPECT_THAT(text,
              HasSubstr("keyhaven_service_api_latency_milliseconds_sum{" + labels + "} 3031"));
  EXPECT_THAT(text, HasSubstr("# TYPE keyhaven_service_api_latency_milliseconds histogram\n"));
}

TEST(ServiceMetricsTest, AvailabilityAndSaturationOverTheirWindows) {
  int64_t now = 1'000'000;
  ServiceMetrics m(10, [&] { return now; });
  for (int i = 0; i < 3; ++i) m.Record(Request("KeySign", 200, 1));
  m.Record(Request("KeySign", 500, 1));
  std::string text = m.Render();
  EXPECT_THAT(text, HasSubstr("keyhaven_availability_percent{vault=\"v1\"} 75\n"));
  EXPECT_THAT(text, HasSubstr("keyhaven_saturation_shoebox_percent{vault=\"v1\"} 40\n"));
  now += 11'000;  // the 10 s saturation window has passed, the 5 min one has not
  text = m.Render();
  EXPECT_THAT(text, HasSubstr("keyhaven_saturation_shoebox_percent{vault=\"v1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("keyhaven_availability_percent{vault=\"v1\"} 75\n"));
  now += 300'000;
  EXPECT_THAT(m.Render(), HasSubstr("keyhaven_availability_percent{vault=\"v1\"} 100\n"));
}

TEST(ServiceMetricsTest, ActivityTypes) {
  EXPECT_EQ(ServiceMetrics::ActivityType("SecretSet"), "secret");
  EXPECT_EQ(ServiceMetrics::ActivityType("KeyRotationPolicyGet"), "key");
  EXPECT_EQ(ServiceMetrics::ActivityType("VaultPut"), "vault");
  EXPECT_EQ(ServiceMetrics::ActivityType("RoleAssignmentPut"), "roleassignment");
  EXPECT_EQ(ServiceMetrics::ActivityType("Authentication"), "authentication");
}

TEST(ServiceMetricsTest, AuditHealthInTheSameFormat) {
  AuditLogHealth h;
  h.writable = false;
  h.write_failures = 2;
  const std::string text = RenderAuditLogHealth(h);
  EXPECT_THAT(text, HasSubstr("keyhaven_audit_writable 0\n"));
  EXPECT_THAT(text, HasSubstr("keyhaven_audit_write_failures_total 2\n"));
}

}  // namespace
}  // namespace kh::audit

namespace kh::audit {
namespace {

// Sink names come from people (a diagnostic setting's syslog path): a quote or newline in one
// must stay inside its label value.
TEST(ServiceMetricsTest, ForwarderHealthEscapesSinkNames) {
  ForwarderHealth h;
  h.name = "diagnostic:a\"b\nc\\d";
  const std::string text = RenderForwarderHealth({h});
  EXPECT_THAT(text,
              ::testing::HasSubstr(R"(keyhaven_audit_sink_up{sink="diagnostic:a\"b\nc\\d"} 1)"));
  for (size_t start = 0, end; start < text.size(); start = end + 1) {
    end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("keyhaven_audit_sink_", 0) == 0) << line;
  }
}

}  // namespace
}  // namespace kh::audit
