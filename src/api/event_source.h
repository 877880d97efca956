#pragma once
// The events a finished request raised (audit/key_vault_event.h): a new secret or key version,
// an object deleted or purged, a vault's access policies or a role assignment changed. Derived
// from the request's audit record and its successful response, so each change raises its event
// once, whichever handler made it. Reads and failures raise none.
#include <vector>

#include "api/request.h"
#include "audit/audit_event.h"
#include "audit/key_vault_event.h"

namespace kh::api {

// `topic`: the vault's ARM id ("" outside a vault); `vault_name` likewise.
std::vector<audit::KeyVaultEvent> EventsOf(const audit::AuditEvent& record,
                                           const Response& response, const std::string& topic,
                                           const std::string& vault_name, int64_t now_ms);

}  // namespace kh::api
