#include "server/observability.h"

#include <chrono>
#include <iostream>

namespace kh::server {

StatusOr<Observability> StartObservability(const ServerConfig& config, const std::string& audit_dir,
                                           const crypto::EcPrivateKey& audit_key,
                                           api::ApiServices& services) {
  Observability o;
  if (config.no_audit) {
    std::cerr << "keyhaven: WARNING: the audit log is off (--no-audit)\n";
  } else {
    audit::AuditLogOptions options;
    options.directory = audit_dir;
    options.fail_closed = !config.audit_fail_open;
    options.max_file_bytes = uint64_t(config.audit_max_file_mb) << 20;
    options.rotate_every_ms = int64_t{config.audit_rotate_hours} * 3600 * 1000;
    options.retention_days = config.audit_retention_days;
    options.checkpoint_every_ms = int64_t{config.audit_checkpoint_seconds} * 1000;
    KH_ASSIGN_OR_RETURN(o.audit_log, audit::AuditLog::Open(std::move(options), audit_key));
    services.audit = o.audit_log.get();
  }
  if (config.metrics_listen_address.empty()) return o;

  o.metrics = std::make_unique<audit::ServiceMetrics>(config.vault_requests_per_window, [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  services.metrics = o.metrics.get();
  audit::ServiceMetrics* metrics = o.metrics.get();
  audit::AuditLog* audit_log = o.audit_log.get();
  KH_ASSIGN_OR_RETURN(o.listener,
                      http::MetricsListener::Start(
                          config.metrics_listen_address, config.metrics_listen_port,
                          [metrics, audit_log] {
                            std::string text = metrics->Render();
                            if (audit_log) text += audit::RenderAuditLogHealth(audit_log->Health());
                            return text;
                          }));
  return o;
}

}  // namespace kh::server
