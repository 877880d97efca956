#pragma once
// Alert rules over the request stream (issue 6): each rule counts the audit records that match
// its filter in a sliding window, or measures their p99 latency or availability, and is Fired
// while its condition holds and Resolved when it stops holding. Only the changes are reported
// (no repeat storm). Pure: fed AuditEvents, evaluated on demand with the time given; the server
// persists rules and delivers notifications. Thread-safe.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_event.h"

namespace kh::audit {

enum class AlertCondition {
  kCountAbove,         // more than `threshold` matching requests in the window
  kLatencyP99Above,    // p99 of matching requests' durationMs above `threshold` ms
  kAvailabilityBelow,  // percent of matching requests not failed by the server below `threshold`
};

struct AlertRule {
  std::string name;
  std::string vault;                         // lower case; "" = every vault and none
  std::vector<int> status_codes;             // empty = any
  std::vector<std::string> operation_names;  // empty = any (SecretPurge, KeyPurge, ...)
  std::string result_description;            // e.g. ForbiddenByFirewall; "" = any
  AlertCondition condition = AlertCondition::kCountAbove;
  double threshold = 0;
  int window_seconds = 300;
  std::string webhook;  // https:// to notify; "" = the server log only

  bool Matches(const AuditEvent& event) const;
};

struct AlertState {
  std::string rule;
  bool fired = false;
  double value = 0;  // the condition's measure at the last evaluation
  int64_t fired_at_ms = 0;
  int64_t resolved_at_ms = 0;  // 0 while fired or never fired
};

struct AlertChange {
  AlertRule rule;
  AlertState state;  // after the change
};

class AlertEngine {
 public:
  // Replaces the rule set; states of rules that stay are kept.
  void SetRules(std::vector<AlertRule> rules);
  // Whether any rule exists (without rules, requests need not be recorded here).
  bool HasRules() const;
  void Record(const AuditEvent& event, int64_t now_ms);
  // Evaluates every rule at `now_ms`; returns the rules whose state changed.
  std::vector<AlertChange> Evaluate(int64_t now_ms);
  std::vector<AlertState> States() const;

 private:
  struct Sample {
    int64_t time_ms;
    int64_t duration_ms;
    bool server_error;
  };
  struct Tracked {
    AlertRule rule;
    std::deque<Sample> samples;  // within the window, oldest first
    AlertState state;
  };
  static constexpr size_t kMaxSamples = 100000;  // per rule; beyond, the oldest go

  mutable std::mutex mu_;
  std::map<std::string, Tracked> rules_;
  std::atomic<bool> has_rules_{false};  // asked on every request, without the lock
};

}  // namespace kh::audit
