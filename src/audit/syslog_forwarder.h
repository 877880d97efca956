#pragma once
// The audit log copied to syslog: RFC 5424 messages ("<134>1 TIME HOST keyhaven PID audit -
// {json}", facility local0, severity informational), over UDP (RFC 5426, one record per datagram)
// or TCP (RFC 6587 octet counting, reconnecting after a failure).
#include <memory>
#include <string>

#include "audit/audit_forwarder.h"
#include "audit/line_queue.h"
#include "core/status_or.h"

namespace kh::audit {

class SyslogForwarder final : public AuditForwarder {
 public:
  // `target`: "udp://HOST:PORT" or "tcp://HOST:PORT". `name` labels its health ("" = by
  // transport: syslog-udp, syslog-tcp).
  static StatusOr<std::unique_ptr<SyslogForwarder>> Create(const std::string& target,
                                                           const std::string& name = "");
  ~SyslogForwarder() override;

  void Forward(std::string_view lines) override { queue_->Push(lines); }
  ForwarderHealth Health() const override { return queue_->Health(); }

  // One record as an RFC 5424 message (without TCP framing).
  static std::string Message(std::string_view hostname, int pid, std::string_view record);

 private:
  SyslogForwarder(bool tcp, std::string host, std::string port, const std::string& name);
  Status Send(const std::vector<std::string>& lines);
  Status Connect();

  const bool tcp_;
  const std::string host_, port_;
  std::string hostname_;
  int fd_ = -1;
  std::unique_ptr<LineQueue> queue_;  // last: its thread uses the members above
};

}  // namespace kh::audit
