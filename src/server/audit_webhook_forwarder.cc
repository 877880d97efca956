#include "server/audit_webhook_forwarder.h"

#include "http/https_client.h"

namespace kh::server {

namespace {

http::HttpsClientOptions ClientOptions(std::string ca_file) {
  http::HttpsClientOptions options;
  options.ca_file = std::move(ca_file);
  options.timeout = std::chrono::seconds(10);
  return options;
}

}  // namespace

AuditWebhookForwarder::AuditWebhookForwarder(std::string url, std::string ca_file, std::string name)
    : url_(std::move(url)), client_(ClientOptions(std::move(ca_file))) {
  queue_ = std::make_unique<audit::LineQueue>(
      std::move(name), 200000, 500, [this](const auto& records) { return Send(records); });
}

AuditWebhookForwarder::~AuditWebhookForwarder() { queue_.reset(); }

Status AuditWebhookForwarder::Send(const std::vector<std::string>& records) {
  std::string body = "{\"records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += records[i];
  }
  body += "]}";
  KH_ASSIGN_OR_RETURN(http::HttpResponse r,
                      client_.Request("POST", url_, {{"Content-Type", "application/json"}}, body));
  if (r.status < 200 || r.status >= 300) {
    return Unavailable("the audit webhook answered HTTP " + std::to_string(r.status));
  }
  return Status::Ok();
}

}  // namespace kh::server
