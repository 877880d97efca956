#pragma once
// The audit record (audit/audit_event.h) of one answered request: Azure's operationName for the
// route (SecretGet, KeySign, VaultPut, Authentication for 401s and the token endpoint, ...), the
// vault's ARM id, the caller's claims and the response's status and error code. Never a body.
#include <cstdint>

#include "api/api.h"
#include "audit/audit_event.h"

namespace kh::api {

// Fills `event` (whatever it held before) with the request's record. `admission` is null for
// requests answered before admission (401, firewall 403, bad host).
void BuildAuditEvent(const Api& api, const ApiConfig& config, const ApiServices& services,
                     const Request& request, const Admission* admission, const Response& response,
                     int64_t duration_ms, int64_t now_ms, audit::AuditEvent& event);

}  // namespace kh::api
