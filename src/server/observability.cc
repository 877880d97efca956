#include "server/observability.h"

#include <chrono>
#include <filesystem>
#include <iostream>

#include "api/alert_rule_json.h"
#include "audit/syslog_forwarder.h"
#include "server/audit_webhook_forwarder.h"

namespace kh::server {

StatusOr<Observability> StartObservability(const ServerConfig& config, const std::string& data_dir,
                                           const std::string& audit_dir,
                                           const crypto::EcPrivateKey& audit_key,
                                           barrier::Barrier* barrier, api::ApiServices& services) {
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
    if (!config.audit_syslog.empty()) {
      KH_ASSIGN_OR_RETURN(auto syslog, audit::SyslogForwarder::Create(config.audit_syslog));
      o.forwarders.push_back(std::move(syslog));
    }
    if (!config.audit_webhook.empty()) {
      if (config.audit_webhook.rfind("https://", 0) != 0) {
        return InvalidArgument("--audit-webhook must be an https:// URL.");
      }
      o.forwarders.push_back(
          std::make_unique<AuditWebhookForwarder>(config.audit_webhook, config.event_webhook_ca));
    }
    for (auto& f : o.forwarders) options.forwarders.push_back(f.get());
    o.diagnostics = std::make_unique<DiagnosticRouter>(barrier, config.event_webhook_ca);
    KH_RETURN_IF_ERROR(o.diagnostics->Reload());
    options.forwarders.push_back(o.diagnostics.get());
    services.diagnostic_settings = [barrier](const std::string& vault) {
      return domain::NamedRecords(barrier, "sys/diagnostic-settings/" + vault + "/",
                                  "diagnostic setting");
    };
    services.on_diagnostic_settings_changed = [router = o.diagnostics.get()] {
      return router->Reload();
    };
    KH_ASSIGN_OR_RETURN(o.audit_log, audit::AuditLog::Open(std::move(options), audit_key));
    services.audit = o.audit_log.get();
  }
  o.event_subscriptions = std::make_unique<domain::EventSubscriptions>(barrier);
  o.event_outbox = std::make_unique<domain::EventOutbox>(barrier);
  EventDispatcherOptions events;
  events.webhook_ca_file = config.event_webhook_ca;
  events.retry_base_ms = config.event_retry_base_ms;
  std::error_code ec;
  std::filesystem::create_directories(data_dir + "/events", ec);
  events.dead_letter_file = data_dir + "/events/dead-letter.jsonl";
  o.events = std::make_unique<EventDispatcher>(std::move(events), o.event_subscriptions.get(),
                                               o.event_outbox.get());
  KH_RETURN_IF_ERROR(o.events->Start());
  services.events = o.events.get();
  services.event_subscriptions = o.event_subscriptions.get();
  o.alerts = std::make_unique<audit::AlertEngine>();
  o.alert_rules = std::make_unique<domain::NamedRecords>(barrier, "sys/alert-rules/", "alert rule");
  KH_RETURN_IF_ERROR(api::ReloadAlertRules(*o.alert_rules, *o.alerts));
  o.alert_monitor = std::make_unique<AlertMonitor>(o.alerts.get(), config.event_webhook_ca);
  services.alerts = o.alerts.get();
  services.alert_rules = o.alert_rules.get();
  if (config.metrics_listen_address.empty()) return o;

  o.metrics = std::make_unique<audit::ServiceMetrics>(config.vault_requests_per_window, [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  services.metrics = o.metrics.get();
  audit::ServiceMetrics* metrics = o.metrics.get();
  audit::AuditLog* audit_log = o.audit_log.get();
  EventDispatcher* dispatcher = o.events.get();
  std::vector<audit::AuditForwarder*> forwarders;  // raw: `o` moves, its vector's items do not
  for (auto& f : o.forwarders) forwarders.push_back(f.get());
  DiagnosticRouter* diagnostics = o.diagnostics.get();
  KH_ASSIGN_OR_RETURN(o.listener, http::MetricsListener::Start(
                                      config.metrics_listen_address, config.metrics_listen_port,
                                      [metrics, audit_log, dispatcher, forwarders, diagnostics] {
                                        std::string text = metrics->Render();
                                        if (audit_log)
                                          text += audit::RenderAuditLogHealth(audit_log->Health());
                                        std::vector<audit::ForwarderHealth> sinks;
                                        for (auto* f : forwarders) sinks.push_back(f->Health());
                                        if (diagnostics) {
                                          for (auto& d : diagnostics->Destinations())
                                            sinks.push_back(d);
                                        }
                                        text += audit::RenderForwarderHealth(sinks);
                                        return text + dispatcher->RenderMetrics();
                                      }));
  return o;
}

}  // namespace kh::server
