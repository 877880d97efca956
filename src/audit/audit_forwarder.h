#pragma once
// Copies of the audit log for other destinations (Azure's diagnostic-settings destinations):
// syslog and HTTPS webhooks. The file log (audit_log.h) stays the record of truth: it hands each
// batch it wrote, as chained JSON lines, to every forwarder, which queues them (never blocking
// the writer) and sends them from its own thread, retrying with backoff. A forwarder that falls
// behind past its bound drops the oldest lines and counts them. Thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kh::audit {

struct ForwarderHealth {
  std::string name;       // "syslog", "webhook"
  bool up = true;         // the last send succeeded
  uint64_t sent = 0;      // records delivered
  uint64_t failures = 0;  // sends that failed (each retried)
  uint64_t dropped = 0;   // records given up when the queue was full
  uint64_t queued = 0;
};

class AuditForwarder {
 public:
  virtual ~AuditForwarder() = default;
  // `lines`: whole lines, each ending in '\n'.
  virtual void Forward(std::string_view lines) = 0;
  virtual ForwarderHealth Health() const = 0;
};

// The forwarders' health in Prometheus text (keyhaven_audit_sink_*{sink="..."}), each metric
// family once.
std::string RenderForwarderHealth(const std::vector<ForwarderHealth>& sinks);

}  // namespace kh::audit
