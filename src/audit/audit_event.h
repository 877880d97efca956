#pragma once
// The audit trail's record: one AuditEvent per request, allowed or denied, in Azure Key Vault's
// AuditEvent shape (azure-kv-governance.md 5.2, with AZKVAuditLogs' authorization columns).
//
// What an event never carries: request or response bodies, secret values, key material, tokens,
// client secrets, backup blobs. Only names, ids, statuses and the caller's claims.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/status.h"

namespace kh::audit {

// How the request was authorized, when it got that far.
enum class AuthorizationModel {
  kNotEvaluated,            // answered before authorization (401, firewall, bad route, ...)
  kRbac,                    // Azure RBAC role assignments
  kAccessPolicy,            // the vault's access policies
  kBootstrapAdministrator,  // the deployment's administrator, allowed everything
};

struct AuditEvent {
  int64_t time_ms = 0;            // Unix milliseconds, UTC
  std::string resource_id;        // the vault's ARM id, upper-cased as Azure logs it ("" if none)
  std::string operation_name;     // Azure's <Object><Verb>: SecretGet, KeySign, VaultPut, ...
  std::string operation_version;  // the request's api-version
  int http_status = 0;
  std::string result_description;  // the error code, for failures
  int64_t duration_ms = 0;
  std::string caller_ip;
  std::string correlation_id;  // x-ms-client-request-id
  std::string object_id;       // identity claims (oid, appid, tid); empty when unauthenticated
  std::string app_id;
  std::string tenant_id;    // only when it is not the server's own tenant
  std::string client_info;  // User-Agent
  std::string request_uri;  // scheme://host/path?query (queries carry no secrets)
  std::string id;           // the object the request is about (vault or object URI)
  std::string tls_version;  // "TLSv1.3"
  AuthorizationModel authorization = AuthorizationModel::kNotEvaluated;
  bool authorized = false;                 // the verdict, when authorization was evaluated
  std::string applied_assignment_id;       // the role assignment that allowed it (RBAC)
  std::string access_policy_object_id;     // the access policy entry that allowed it
  std::optional<bool> address_authorized;  // the vault firewall's verdict (vault requests)

  bool operator==(const AuditEvent&) const = default;
};

// Makes `event` equal to AuditEvent{} but keeps its strings' buffers: a thread that builds one
// record per request reuses one event without allocating.
void ClearKeepingCapacity(AuditEvent& event);

// The record as one JSON object ("{...}", no newline), Azure's AuditEvent layout.
void AppendJsonObject(const AuditEvent& event, std::string& out);

// "2026-11-30T08:14:00.123Z": Unix milliseconds as the audit records and events write time.
std::string FormatTimeMillis(int64_t unix_ms);

// "OK", "Created", "Forbidden", ... for an HTTP status.
std::string StatusText(int http_status);

// Where audit events go, and whether they can go there now (fail-closed). Thread-safe:
// requests on every thread write at once.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual void Write(const AuditEvent& event) = 0;
  // Ok, or Unavailable when records cannot be written and requests must not run.
  virtual Status CheckWritable() const = 0;
  // Runs `done` once the sink has shown whether it can write right now (after its next write).
  virtual void AfterNextWrite(std::function<void(Status)> done) = 0;
};

}  // namespace kh::audit
