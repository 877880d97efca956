#pragma once
// The audit log copied to an HTTPS webhook: batches of up to 500 records POSTed as
// {"records": [...]} (the body Azure's diagnostic settings write to storage), retried with
// backoff until the endpoint answers 2xx.
#include <memory>
#include <string>

#include "audit/audit_forwarder.h"
#include "audit/line_queue.h"
#include "http/https_client.h"

namespace kh::server {

class AuditWebhookForwarder final : public audit::AuditForwarder {
 public:
  // `ca_file`: the PEM bundle the endpoint is checked against ("" = the system's). `name` labels
  // its health.
  AuditWebhookForwarder(std::string url, std::string ca_file, std::string name = "webhook");
  ~AuditWebhookForwarder() override;

  void Forward(std::string_view lines) override { queue_->Push(lines); }
  audit::ForwarderHealth Health() const override { return queue_->Health(); }

 private:
  Status Send(const std::vector<std::string>& records);

  const std::string url_;
  http::HttpsClient client_;  // used by the queue's thread only; keeps its connection
  std::unique_ptr<audit::LineQueue> queue_;  // last: its thread uses the members above
};

}  // namespace kh::server
