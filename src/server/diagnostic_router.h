#pragma once
// Per-vault diagnostic settings (Azure's Microsoft.Insights/diagnosticSettings on a vault): each
// names destinations (keyhavenWebhookUrl, keyhavenSyslog) for that vault's audit records. The
// router is one more forwarder of the audit log: it sends each written line to the destinations
// of the vault the record is about. Settings are stored as documents
// (sys/diagnostic-settings/{vault}/{name}) and reloaded on every change. Thread-safe.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/audit_forwarder.h"
#include "domain/named_records.h"

namespace kh::server {

class DiagnosticRouter final : public audit::AuditForwarder {
 public:
  DiagnosticRouter(barrier::Barrier* barrier, std::string webhook_ca_file);

  // Rebuilds the destinations from the stored settings (keeping those that did not change).
  Status Reload();

  void Forward(std::string_view lines) override;
  // The router's own health is its destinations': see Destinations().
  audit::ForwarderHealth Health() const override;
  std::vector<audit::ForwarderHealth> Destinations() const;

 private:
  struct Destination {
    std::string key;  // vault/setting/destination: what it was built from
    std::unique_ptr<audit::AuditForwarder> forwarder;
  };
  domain::NamedRecords records_;
  const std::string webhook_ca_file_;
  std::mutex reload_mu_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::shared_ptr<Destination>>> by_vault_;  // lower-case vault
};

}  // namespace kh::server
