#pragma once
// kh::Status: the one error type of Keyhaven. A Status carries a small code (which decides the
// HTTP status in api/error_mapping.cc), an Azure error code ("SecretNotFound", "Conflict"), an
// optional Azure inner code ("ObjectIsDeletedButRecoverable") and a message that is safe to show
// callers: it must never contain a secret value or key material.
#include <string>
#include <string_view>
#include <utility>

namespace kh {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // 400: the caller's request is malformed or out of range
  kUnauthenticated,   // 401: no or bad credentials
  kPermissionDenied,  // 403: authenticated but not allowed (or disabled object, firewall)
  kNotFound,          // 404
  kMethodNotAllowed,  // 405
  kConflict,          // 409: name taken, deleted-but-recoverable, precondition failed
  kTooLarge,          // 413: body or value over a limit
  kThrottled,         // 429
  kInternal,          // 500: our fault
  kUnavailable,       // 503: shutting down, storage busy
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string azure_code, std::string message, std::string inner_code = {})
      : code_(code),
        azure_code_(std::move(azure_code)),
        message_(std::move(message)),
        inner_code_(std::move(inner_code)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Azure's error.code; empty means "derive from code()".
  const std::string& azure_code() const { return azure_code_; }
  const std::string& message() const { return message_; }
  // Azure's error.innererror.code; may be empty.
  const std::string& inner_code() const { return inner_code_; }

  std::string ToString() const;
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string azure_code_;
  std::string message_;
  std::string inner_code_;
};

// Shorthands for the common cases. The azure code defaults from the StatusCode.
Status InvalidArgument(std::string message, std::string azure_code = "BadParameter");
Status Unauthenticated(std::string message);
Status PermissionDenied(std::string message, std::string inner_code = {});
Status NotFound(std::string azure_code, std::string message);
Status Conflict(std::string message, std::string inner_code = {});
Status TooLarge(std::string message);
Status Internal(std::string message);
Status Unavailable(std::string message);

}  // namespace kh
