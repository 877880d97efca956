#pragma once
// The server's observability, wired from its flags: the audit log (unless --no-audit), events
// (subscriptions, outbox, dispatcher), Azure's service metrics, and the Prometheus listener that
// serves them with the audit log's and event delivery's health (--metrics-listen).
#include <memory>

#include "api/api.h"
#include "audit/audit_log.h"
#include "audit/service_metrics.h"
#include "barrier/barrier.h"
#include "core/status_or.h"
#include "crypto/ec_key.h"
#include "domain/event_outbox.h"
#include "domain/event_subscriptions.h"
#include "domain/named_records.h"
#include "http/metrics_listener.h"
#include "server/alert_monitor.h"
#include "server/config.h"
#include "server/diagnostic_router.h"
#include "server/event_dispatcher.h"

namespace kh::server {

struct Observability {
  // Declared before the log, so they outlive it (it forwards to them until it closes).
  std::vector<std::unique_ptr<audit::AuditForwarder>> forwarders;
  std::unique_ptr<DiagnosticRouter> diagnostics;  // per-vault destinations
  std::unique_ptr<audit::AuditLog> audit_log;     // null with --no-audit
  std::unique_ptr<domain::EventSubscriptions> event_subscriptions;
  std::unique_ptr<domain::EventOutbox> event_outbox;
  std::unique_ptr<EventDispatcher> events;
  std::unique_ptr<audit::AlertEngine> alerts;
  std::unique_ptr<domain::NamedRecords> alert_rules;
  std::unique_ptr<AlertMonitor> alert_monitor;
  std::unique_ptr<audit::ServiceMetrics> metrics;
  std::unique_ptr<http::MetricsListener> listener;  // null without --metrics-listen
};

// Opens the audit log in `audit_dir` (its checkpoints signed by `audit_key`, which must outlive
// it), starts event delivery (its records in `barrier`, dead letters in DATA_DIR/events) and the
// metrics listener; points `services` at them.
StatusOr<Observability> StartObservability(const ServerConfig& config, const std::string& data_dir,
                                           const std::string& audit_dir,
                                           const crypto::EcPrivateKey& audit_key,
                                           barrier::Barrier* barrier, api::ApiServices& services);

}  // namespace kh::server
