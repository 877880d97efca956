#include "server/diagnostic_router.h"

#include <boost/json.hpp>
#include <iostream>

#include "audit/syslog_forwarder.h"
#include "core/ascii.h"
#include "server/audit_webhook_forwarder.h"

namespace kh::server {
namespace {

namespace json = boost::json;

// The vault a record is about: the last segment of its resourceId, lower-cased.
std::string VaultOfLine(std::string_view line) {
  constexpr std::string_view kMember = "\"resourceId\":\"";
  const size_t at = line.find(kMember);
  if (at == std::string_view::npos) return {};
  const size_t begin = at + kMember.size();
  const size_t end = line.find('"', begin);
  if (end == std::string_view::npos) return {};
  const std::string_view id = line.substr(begin, end - begin);
  const size_t slash = id.rfind('/');
  return slash == std::string_view::npos ? std::string() : AsciiLower(id.substr(slash + 1));
}

}  // namespace

DiagnosticRouter::DiagnosticRouter(barrier::Barrier* barrier, std::string webhook_ca_file)
    : records_(barrier, "sys/diagnostic-settings/", "diagnostic setting"),
      webhook_ca_file_(std::move(webhook_ca_file)) {}

Status DiagnosticRouter::Reload() {
  // One reload at a time: two settings changes at once must not both build forwarders, nor may
  // the one that read the store first swap its view in last.
  std::lock_guard reloading(reload_mu_);
  KH_ASSIGN_OR_RETURN(auto stored, records_.List());
  std::map<std::string, std::shared_ptr<Destination>> existing;
  {
    std::lock_guard lock(mu_);
    for (auto& [_, list] : by_vault_) {
      for (auto& d : list) existing[d->key] = d;
    }
  }
  std::map<std::string, std::vector<std::shared_ptr<Destination>>> next;
  for (const auto& [path, text] : stored) {  // path: {vault}/{setting}
    const std::string vault = path.substr(0, path.find('/'));
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    const json::object* props = !ec && v.is_object() && v.as_object().contains("properties") &&
                                        v.at("properties").is_object()
                                    ? &v.at("properties").as_object()
                                    : nullptr;
    if (!props) continue;
    for (const char* kind : {"keyhavenWebhookUrl", "keyhavenSyslog"}) {
      const json::value* target = props->if_contains(kind);
      if (!target || !target->is_string() || target->as_string().empty()) continue;
      const std::string key = path + "/" + kind + "=" + std::string(target->as_string());
      if (auto kept = existing.find(key); kept != existing.end()) {
        next[vault].push_back(kept->second);
        continue;
      }
      auto d = std::make_shared<Destination>();
      d->key = key;
      const std::string name = "diagnostic:" + path;
      if (std::string_view(kind) == "keyhavenWebhookUrl") {
        d->forwarder = std::make_unique<AuditWebhookForwarder>(std::string(target->as_string()),
                                                               webhook_ca_file_, name);
      } else {
        auto syslog = audit::SyslogForwarder::Create(std::string(target->as_string()), name);
        if (!syslog.ok()) {
          std::cerr << "keyhaven: diagnostic setting " << path << ": " << syslog.status().message()
                    << "\n";
          continue;
        }
        d->forwarder = std::move(*syslog);
      }
      next[vault].push_back(std::move(d));
    }
  }
  {
    std::lock_guard lock(mu_);
    by_vault_.swap(next);
  }
  // Destinations no setting names any more stop here, outside the lock (they may finish a send).
  return Status::Ok();
}

void DiagnosticRouter::Forward(std::string_view lines) {
  std::lock_guard lock(mu_);
  if (by_vault_.empty()) return;
  while (!lines.empty()) {
    const size_t end = lines.find('\n');
    const std::string_view line =
        lines.substr(0, end == std::string_view::npos ? lines.size() : end + 1);
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
    auto it = by_vault_.find(VaultOfLine(line));
    if (it == by_vault_.end()) continue;
    for (auto& d : it->second) d->forwarder->Forward(line);
  }
}

audit::ForwarderHealth DiagnosticRouter::Health() const {
  audit::ForwarderHealth h;
  h.name = "diagnostic-settings";
  for (const auto& d : Destinations()) {
    h.up = h.up && d.up;
    h.sent += d.sent;
    h.failures += d.failures;
    h.dropped += d.dropped;
    h.queued += d.queued;
  }
  return h;
}

std::vector<audit::ForwarderHealth> DiagnosticRouter::Destinations() const {
  std::lock_guard lock(mu_);
  std::vector<audit::ForwarderHealth> out;
  for (const auto& [_, list] : by_vault_) {
    for (const auto& d : list) out.push_back(d->forwarder->Health());
  }
  return out;
}

}  // namespace kh::server
