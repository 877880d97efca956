#pragma once
// Key Vault's events (azure-kv-governance.md 6) in Event Grid's schema and in CloudEvents 1.0,
// as webhooks receive them. Azure's types are "Microsoft.KeyVault.*"; Keyhaven's own (object
// deleted or purged, role assignment changed) are "Keyhaven.KeyVault.*".
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kh::audit {

struct KeyVaultEvent {
  std::string id;       // a GUID, the same in every delivery of the event
  std::string type;     // "Microsoft.KeyVault.SecretNewVersionCreated"
  std::string topic;    // the vault's ARM id
  std::string subject;  // the object's name
  int64_t time_ms = 0;
  // data (Event Grid's Key Vault payload: Id, VaultName, ObjectType, ObjectName, Version, NBF, EXP)
  std::string object_id;  // https://{vault}.../secrets/{name}/{version}
  std::string vault_name;
  std::string object_type;  // Secret, Key, Certificate, Vault, RoleAssignment
  std::string object_name;
  std::string version;
  std::optional<int64_t> nbf, exp;
};

// One event as Event Grid's schema writes it (an object; webhooks receive arrays of them).
std::string ToEventGridJson(const KeyVaultEvent& event);
// One event as CloudEvents 1.0 (structured JSON mode).
std::string ToCloudEventJson(const KeyVaultEvent& event);
// The Event Grid validation handshake's event, as an array ready to POST.
std::string SubscriptionValidationJson(const std::string& id, const std::string& topic,
                                       const std::string& validation_code, int64_t time_ms);

// Where the events requests raise go. Thread-safe.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Publish(std::vector<KeyVaultEvent> events) = 0;
};

}  // namespace kh::audit
