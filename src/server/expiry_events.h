#pragma once
// Turns the expiry job's notices (domain/expiry_job.h) into Key Vault's events
// (Microsoft.KeyVault.SecretNearExpiry, SecretExpired, KeyNearExpiry, KeyExpired) and into the
// audit records Azure writes for them (SecretNearExpiryEventGridNotification, ...), which are
// logged whether or not anyone subscribed.
#include <vector>

#include "api/api.h"
#include "audit/audit_event.h"
#include "audit/key_vault_event.h"
#include "domain/expiry_job.h"

namespace kh::server {

struct ExpiryOutput {
  std::vector<audit::KeyVaultEvent> events;
  std::vector<audit::AuditEvent> records;
};

ExpiryOutput ExpiryEvents(const std::vector<domain::ExpiryNotice>& notices, const api::Api& api,
                          const std::string& subscription_id, int64_t now_ms);

}  // namespace kh::server
