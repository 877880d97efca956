#include "audit/service_metrics.h"

#include <cmath>
#include <cstdio>

#include "core/ascii.h"

namespace kh::audit {
namespace {

// Upper bounds of the latency histogram's buckets, in milliseconds (then +Inf).
constexpr std::array<double, 13> kBucketsMs = {1,   2,   5,    10,   25,   50,   100,
                                               250, 500, 1000, 2500, 5000, 10000};

// The vault's name: the last segment of its ARM id, lower-cased ("" when none).
std::string VaultOf(const std::string& resource_id) {
  const size_t slash = resource_id.rfind('/');
  return slash == std::string::npos ? std::string() : AsciiLower(resource_id.substr(slash + 1));
}

std::string Number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

}  // namespace

std::string PrometheusLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

ServiceMetrics::ServiceMetrics(uint64_t requests_per_window, std::function<int64_t()> now_ms)
    : requests_per_window_(requests_per_window), now_ms_(std::move(now_ms)) {}

std::string ServiceMetrics::ActivityType(std::string_view op) {
  static constexpr std::string_view kPrefixes[] = {
      "Certificate", "Secret", "Key", "Vault", "RoleAssignment", "RoleDefinition", "Admin"};
  for (std::string_view prefix : kPrefixes) {
    if (op.substr(0, prefix.size()) == prefix) return AsciiLower(prefix);
  }
  return AsciiLower(op);  // Authentication, and anything new
}

void ServiceMetrics::Record(const AuditEvent& e) {
  std::string vault = VaultOf(e.resource_id);
  std::string key = vault + "|" + e.operation_name;
  const int64_t second = now_ms_() / 1000;
  std::lock_guard lock(mu_);
  auto [it, added] = series_.try_emplace(std::move(key));
  Series& s = it->second;
  if (added) {
    s.vault = vault;
    s.activity_type = ActivityType(e.operation_name);
    s.activity_name = e.operation_name;
  }
  ++s.hits;
  s.latency_sum_ms += static_cast<double>(e.duration_ms);
  size_t bucket = 0;
  while (bucket < kBucketsMs.size() && static_cast<double>(e.duration_ms) > kBucketsMs[bucket]) {
    ++bucket;
  }
  ++s.latency_buckets[bucket];
  ++s.results[e.http_status];

  Second& slot = windows_[vault].seconds[static_cast<size_t>(second % kWindowSeconds)];
  if (slot.second != second) slot = Second{second, 0, 0};
  ++slot.total;
  if (e.http_status >= 500) ++slot.server_errors;
}

std::string ServiceMetrics::Render() const {
  const int64_t now = now_ms_() / 1000;
  std::string out;
  std::lock_guard lock(mu_);
  const auto labels = [](const Series& s) {
    return "vault=\"" + PrometheusLabelValue(s.vault) + "\",activity_type=\"" +
           PrometheusLabelValue(s.activity_type) + "\",activity_name=\"" +
           PrometheusLabelValue(s.activity_name) + "\"";
  };
  out += "# HELP keyhaven_service_api_hit_total Requests served (Azure: ServiceApiHit).\n";
  out += "# TYPE keyhaven_service_api_hit_total counter\n";
  for (const auto& [_, s] : series_) {
    out += "keyhaven_service_api_hit_total{" + labels(s) + "} " + std::to_string(s.hits) + "\n";
  }
  out +=
      "# HELP keyhaven_service_api_latency_milliseconds Service-side latency "
      "(Azure: ServiceApiLatency).\n";
  out += "# TYPE keyhaven_service_api_latency_milliseconds histogram\n";
  for (const auto& [_, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBucketsMs.size(); ++b) {
      cumulative += s.latency_buckets[b];
      const std::string le = b < kBucketsMs.size() ? Number(kBucketsMs[b]) : "+Inf";
      out += "keyhaven_service_api_latency_milliseconds_bucket{" + labels(s) + ",le=\"" + le +
             "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "keyhaven_service_api_latency_milliseconds_sum{" + labels(s) + "} " +
           Number(s.latency_sum_ms) + "\n";
    out += "keyhaven_service_api_latency_milliseconds_count{" + labels(s) + "} " +
           std::to_string(s.hits) + "\n";
  }
  out += "# HELP keyhaven_service_api_result_total Results by status (Azure: ServiceApiResult).\n";
  out += "# TYPE keyhaven_service_api_result_total counter\n";
  for (const auto& [_, s] : series_) {
    for (const auto& [status, count] : s.results) {
      out += "keyhaven_service_api_result_total{" + labels(s) + ",status_code=\"" +
             std::to_string(status) + "\",status_code_class=\"" + std::to_string(status / 100) +
             "xx\"} " + std::to_string(count) + "\n";
    }
  }
  out +=
      "# HELP keyhaven_availability_percent Requests the server did not fail (no 5xx), last "
      "5 minutes (Azure: Availability).\n";
  out += "# TYPE keyhaven_availability_percent gauge\n";
  std::string saturation;
  for (const auto& [vault, window] : windows_) {
    uint64_t total = 0, errors = 0, recent = 0;
    for (const Second& s : window.seconds) {
      if (s.second <= now - kWindowSeconds || s.second > now) continue;
      total += s.total;
      errors += s.server_errors;
      if (s.second > now - 10) recent += s.total;
    }
    const double availability = total == 0 ? 100.0 : 100.0 * double(total - errors) / double(total);
    out += "keyhaven_availability_percent{vault=\"" + PrometheusLabelValue(vault) + "\"} " +
           Number(availability) + "\n";
    if (vault.empty()) continue;
    const double used =
        requests_per_window_ == 0
            ? 0.0
            : std::min(100.0, 100.0 * double(recent) / double(requests_per_window_));
    saturation += "keyhaven_saturation_shoebox_percent{vault=\"" + PrometheusLabelValue(vault) +
                  "\"} " + Number(used) + "\n";
  }
  out +=
      "# HELP keyhaven_saturation_shoebox_percent The vault's request limit used, last 10 "
      "seconds (Azure: SaturationShoebox).\n";
  out += "# TYPE keyhaven_saturation_shoebox_percent gauge\n";
  out += saturation;
  return out;
}

std::string RenderAuditLogHealth(const AuditLogHealth& h) {
  std::string out;
  const auto metric = [&out](const char* name, const char* type, const char* help, uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(v) + "\n";
  };
  metric("keyhaven_audit_writable", "gauge", "1 when the audit log could be written last time.",
         h.writable ? 1 : 0);
  metric("keyhaven_audit_records_written_total", "counter", "Audit records written.",
         h.records_written);
  metric("keyhaven_audit_write_failures_total", "counter", "Audit write cycles that failed.",
         h.write_failures);
  metric("keyhaven_audit_records_dropped_total", "counter",
         "Audit records dropped while the log could not be written and its queue was full.",
         h.dropped);
  metric("keyhaven_audit_records_queued", "gauge", "Audit records waiting to be written.",
         h.queued);
  return out;
}

}  // namespace kh::audit
