#include "audit/alert_rules.h"

#include <algorithm>

#include "core/ascii.h"

namespace kh::audit {

bool AlertRule::Matches(const AuditEvent& e) const {
  if (!vault.empty()) {
    const size_t slash = e.resource_id.rfind('/');
    if (slash == std::string::npos || AsciiLower(e.resource_id.substr(slash + 1)) != vault) {
      return false;
    }
  }
  if (!status_codes.empty() &&
      std::find(status_codes.begin(), status_codes.end(), e.http_status) == status_codes.end()) {
    return false;
  }
  if (!operation_names.empty() &&
      std::none_of(operation_names.begin(), operation_names.end(), [&](const std::string& op) {
        return AsciiEqualsIgnoreCase(op, e.operation_name);
      })) {
    return false;
  }
  return result_description.empty() ||
         AsciiEqualsIgnoreCase(result_description, e.result_description);
}

void AlertEngine::SetRules(std::vector<AlertRule> rules) {
  std::lock_guard lock(mu_);
  std::map<std::string, Tracked> next;
  for (auto& r : rules) {
    Tracked t;
    auto old = rules_.find(r.name);
    if (old != rules_.end()) {
      t.state = old->second.state;
      t.samples = std::move(old->second.samples);
    }
    t.state.rule = r.name;
    t.rule = std::move(r);
    next.emplace(t.rule.name, std::move(t));
  }
  rules_ = std::move(next);
  has_rules_.store(!rules_.empty(), std::memory_order_release);
}

bool AlertEngine::HasRules() const { return has_rules_.load(std::memory_order_acquire); }

void AlertEngine::Record(const AuditEvent& e, int64_t now_ms) {
  std::lock_guard lock(mu_);
  for (auto& [_, t] : rules_) {
    if (!t.rule.Matches(e)) continue;
    t.samples.push_back({now_ms, e.duration_ms, e.http_status >= 500});
    if (t.samples.size() > kMaxSamples) t.samples.pop_front();
  }
}

std::vector<AlertChange> AlertEngine::Evaluate(int64_t now_ms) {
  std::vector<AlertChange> changes;
  std::lock_guard lock(mu_);
  for (auto& [_, t] : rules_) {
    const int64_t since = now_ms - int64_t{t.rule.window_seconds} * 1000;
    while (!t.samples.empty() && t.samples.front().time_ms <= since) t.samples.pop_front();
    bool holds = false;
    double value = 0;
    switch (t.rule.condition) {
      case AlertCondition::kCountAbove:
        value = static_cast<double>(t.samples.size());
        holds = value > t.rule.threshold;
        break;
      case AlertCondition::kLatencyP99Above: {
        if (t.samples.empty()) break;
        std::vector<int64_t> d;
        d.reserve(t.samples.size());
        for (const auto& s : t.samples) d.push_back(s.duration_ms);
        const size_t at = std::min(d.size() - 1, (d.size() * 99 + 99) / 100 - 1);
        std::nth_element(d.begin(), d.begin() + static_cast<long>(at), d.end());
        value = static_cast<double>(d[at]);
        holds = value > t.rule.threshold;
        break;
      }
      case AlertCondition::kAvailabilityBelow: {
        if (t.samples.empty()) {
          value = 100;
          break;
        }
        const auto errors = std::count_if(t.samples.begin(), t.samples.end(),
                                          [](const Sample& s) { return s.server_error; });
        value = 100.0 * double(t.samples.size() - size_t(errors)) / double(t.samples.size());
        holds = value < t.rule.threshold;
        break;
      }
    }
    t.state.value = value;
    if (holds == t.state.fired) continue;
    t.state.fired = holds;
    if (holds) {
      t.state.fired_at_ms = now_ms;
      t.state.resolved_at_ms = 0;
    } else {
      t.state.resolved_at_ms = now_ms;
    }
    changes.push_back({t.rule, t.state});
  }
  return changes;
}

std::vector<AlertState> AlertEngine::States() const {
  std::lock_guard lock(mu_);
  std::vector<AlertState> out;
  for (const auto& [_, t] : rules_) out.push_back(t.state);
  return out;
}

}  // namespace kh::audit
