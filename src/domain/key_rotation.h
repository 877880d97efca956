#pragma once
// Key rotation: a key's rotation policy (Azure's KeyRotationPolicy), its validation, the
// manual RotateKey that honours the policy's expiryTime, and the due-time rule the rotation job
// (rotation_job.h) applies. The policy record is sealed under the vault key next to the key's
// versions; keys whose policy has a Rotate action are also listed in a plain index
// (names.h KeyRotationIndexEntry) so the job finds them without opening every vault.
//
// Azure's rules (docs "Configure cryptographic key auto-rotation", keys.json KeyRotationPolicy):
// durations are ISO 8601 (PnYnMnWnDTnHnMnS, whole numbers); expiryTime at least 28 days; a
// rotation trigger at least 7 days; timeBeforeExpiry needs expiryTime and must be shorter; at
// most one Rotate and one Notify action; Notify only with timeBeforeExpiry. Years count 365
// days and months 30 (Azure's own arithmetic is not documented). A key without a policy has
// Azure's default one: Notify 30 days before expiry.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "barrier/barrier.h"
#include "core/clock.h"
#include "core/status_or.h"
#include "domain/key.h"
#include "domain/key_service.h"
#include "domain/vault.h"

namespace kh::domain {

struct LifetimeAction {
  std::string type;            // "Rotate" | "Notify" (normalized by validation)
  bool before_expiry = false;  // trigger timeBeforeExpiry; else timeAfterCreate
  std::string duration;        // ISO 8601, as given
};

struct KeyRotationPolicy {
  std::vector<LifetimeAction> actions;
  std::optional<std::string> expiry_time;   // ISO 8601 duration
  std::optional<int64_t> created, updated;  // absent for the default policy
};

inline constexpr int64_t kMinRotationExpirySeconds = 28 * 86400;
inline constexpr int64_t kMinRotationTriggerSeconds = 7 * 86400;

// Seconds of an ISO 8601 duration; BadParameter when malformed.
StatusOr<int64_t> ParseIsoDuration(std::string_view duration);
// Checks Azure's rules and normalizes action types ("rotate" → "Rotate").
Status ValidateRotationPolicy(KeyRotationPolicy& policy);
// The policy a key has until one is set.
KeyRotationPolicy DefaultRotationPolicy();
// When `latest` (the key's latest version) is due for automatic rotation under `policy`;
// nullopt when the policy never rotates it (no Rotate action, or timeBeforeExpiry and no exp).
std::optional<int64_t> RotationDueTime(const KeyRotationPolicy& policy, const KeyVersion& latest);

class KeyRotationService {
 public:
  KeyRotationService(barrier::Barrier* barrier, KeyService* keys, const Clock* clock)
      : barrier_(barrier), keys_(keys), clock_(clock) {}

  // KeyNotFound unless the key is live.
  StatusOr<KeyRotationPolicy> GetPolicy(const Vault& vault, std::string_view name);
  StatusOr<KeyRotationPolicy> SetPolicy(const Vault& vault, std::string_view name,
                                        KeyRotationPolicy policy);
  // RotateKey: a new version; exp from the policy's expiryTime when it has one.
  StatusOr<KeyVersion> Rotate(const Vault& vault, std::string_view name);
  // The rotation job: rotates the key when its policy says it is due at `now`. Returns whether
  // it rotated. A key that is gone or has no rotating policy any more is not an error.
  StatusOr<bool> RotateIfDue(const Vault& vault, std::string_view name, int64_t now);

 private:
  StatusOr<std::optional<KeyRotationPolicy>> Read(const Vault& vault, std::string_view name);

  barrier::Barrier* barrier_;
  KeyService* keys_;
  const Clock* clock_;
};

}  // namespace kh::domain
