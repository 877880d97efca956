#include "server/expiry_events.h"

#include "core/ascii.h"
#include "core/ids.h"

namespace kh::server {

ExpiryOutput ExpiryEvents(const std::vector<domain::ExpiryNotice>& notices, const api::Api& api,
                          const std::string& subscription_id, int64_t now_ms) {
  ExpiryOutput out;
  for (const auto& n : notices) {
    const std::string what = n.days_before == 0 ? "Expired" : "NearExpiry";
    const std::string topic =
        domain::VaultArmId(subscription_id, n.vault->resource_group, n.vault->name);
    const std::string collection = n.object_type == "Secret"        ? "/secrets/"
                                   : n.object_type == "Certificate" ? "/certificates/"
                                                                    : "/keys/";
    audit::KeyVaultEvent e;
    e.id = NewGuid();
    e.type = "Microsoft.KeyVault." + n.object_type + what;
    e.topic = topic;
    e.subject = n.name;
    e.time_ms = now_ms;
    e.object_id = api.VaultUrl(n.vault->name) + collection + n.name + "/" + n.version;
    e.vault_name = n.vault->name;
    e.object_type = n.object_type;
    e.object_name = n.name;
    e.version = n.version;
    e.nbf = n.not_before;
    e.exp = n.expires;

    audit::AuditEvent record;
    record.time_ms = now_ms;
    record.resource_id = AsciiUpper(topic);
    record.operation_name = n.object_type + what + "EventGridNotification";
    record.http_status = 200;
    record.id = e.object_id;
    record.result_description =
        n.days_before == 0 ? "expired" : std::to_string(n.days_before) + " days before expiry";
    out.records.push_back(std::move(record));
    out.events.push_back(std::move(e));
  }
  return out;
}

}  // namespace kh::server
