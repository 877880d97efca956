#pragma once
// The audit trail: one AuditEvent per request, allowed or denied, in Azure Key Vault's
// AuditEvent shape (azure-kv-governance.md 5.2), written as one JSON line to a sink.
//
// What an event never carries: request or response bodies, secret values, key material, tokens,
// client secrets, backup blobs. Only names, ids, statuses and the caller's claims.
//
// Thread-safe sinks: requests on every thread write at once.
#include <cstdint>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <string>

#include "core/status_or.h"

namespace kh::audit {

struct AuditEvent {
  int64_t time_ms = 0;            // Unix milliseconds, UTC
  std::string resource_id;        // the vault's ARM id, upper-cased as Azure logs it ("" if none)
  std::string operation_name;     // Azure's <Object><Verb>: SecretGet, KeySign, VaultPut, ...
  std::string operation_version;  // the request's api-version
  std::string result_type;        // "Success" (2xx, 3xx) or "Failure"
  std::string result_signature;   // the HTTP status text: "OK", "Forbidden", ...
  std::string result_description;  // the error code, for failures
  int64_t duration_ms = 0;
  std::string caller_ip;
  std::string correlation_id;  // x-ms-client-request-id
  std::string object_id;       // identity claims (oid, appid, tid); empty when unauthenticated
  std::string app_id;
  std::string tenant_id;
  std::string client_info;  // User-Agent
  std::string request_uri;  // scheme://host/path?query (queries carry no secrets)
  std::string id;           // the object the request is about (vault or object URI)
  int http_status = 0;
};

// One line of JSON (ending in '\n') in Azure's AuditEvent layout.
std::string ToJsonLine(const AuditEvent& event);

// "OK", "Created", "Forbidden", ... for an HTTP status.
std::string StatusText(int http_status);

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  virtual Status Write(const AuditEvent& event) = 0;
};

// Appends JSON lines to a file (created 0600, parent directory 0700). Requests only queue their
// line; a writer thread appends what has queued every few milliseconds in one write(), so the
// request path never waits on the file. Destruction (server stop) writes what is left.
class JsonLinesFileSink : public AuditSink {
 public:
  static StatusOr<std::unique_ptr<JsonLinesFileSink>> Open(const std::string& path);
  ~JsonLinesFileSink() override;
  Status Write(const AuditEvent& event) override;
  // Writes everything queued so far (tests, shutdown).
  Status Flush();
  const std::string& path() const { return path_; }

 private:
  JsonLinesFileSink(std::string path, int fd);
  void Run();
  std::string path_;
  int fd_;
  std::mutex mu_;              // guards queued_ and stop_
  std::condition_variable cv_;
  std::string queued_;
  bool stop_ = false;
  std::mutex write_mu_;        // one writer of the file at a time
  std::thread writer_;
};

}  // namespace kh::audit
