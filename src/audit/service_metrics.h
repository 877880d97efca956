#pragma once
// Azure Key Vault's metrics (azure-kv-governance.md 5.4) for Prometheus: ServiceApiHit,
// ServiceApiLatency, ServiceApiResult, Availability and SaturationShoebox per vault, with
// Azure's dimensions as labels (ActivityType, ActivityName, StatusCode, StatusCodeClass).
// Fed the same AuditEvent the audit log gets, so both count the same requests.
//
//   keyhaven_service_api_hit_total{vault,activity_type,activity_name}
//   keyhaven_service_api_latency_milliseconds{vault,activity_type,activity_name}  (histogram)
//   keyhaven_service_api_result_total{vault,activity_type,activity_name,status_code,status_code_class}
//   keyhaven_availability_percent{vault}      requests not failed by the server (5xx), last 5 min
//   keyhaven_saturation_shoebox_percent{vault}  the vault's request limit used, last 10 s
//
// Requests outside any vault (identity, admin) count under vault="". Thread-safe.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "audit/audit_event.h"
#include "audit/audit_log.h"

namespace kh::audit {

// A Prometheus label value: backslash, quote and newline escaped (names people choose, such as
// vaults and audit sinks, must not break the exposition).
std::string PrometheusLabelValue(std::string_view value);

class ServiceMetrics {
 public:
  // `requests_per_window`: the per-vault limit per 10 s (0: none, saturation stays 0).
  ServiceMetrics(uint64_t requests_per_window, std::function<int64_t()> now_ms);

  void Record(const AuditEvent& event);

  // The metrics in the Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

  // "secret" for SecretGet, "vault" for VaultPut, "authentication", ...: Azure's ActivityType.
  static std::string ActivityType(std::string_view operation_name);

 private:
  static constexpr int kWindowSeconds = 300;
  struct Series {
    std::string vault, activity_type, activity_name;
    uint64_t hits = 0;
    double latency_sum_ms = 0;
    std::array<uint64_t, 14> latency_buckets{};  // cumulative at render time
    std::map<int, uint64_t> results;             // by status code
  };
  struct Second {
    int64_t second = -1;
    uint64_t total = 0;
    uint64_t server_errors = 0;
  };
  struct VaultWindow {
    std::array<Second, kWindowSeconds> seconds;
  };

  const uint64_t requests_per_window_;
  const std::function<int64_t()> now_ms_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Series> series_;  // by vault|activity_name
  std::unordered_map<std::string, VaultWindow> windows_;
};

// The audit log's own health, in the same format: records written, write failures, records
// dropped and waiting, and whether it can be written now.
std::string RenderAuditLogHealth(const AuditLogHealth& health);

}  // namespace kh::audit
