#include "core/status.h"

namespace kh {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kUnauthenticated:
      return "UNAUTHENTICATED";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kMethodNotAllowed:
      return "METHOD_NOT_ALLOWED";
    case StatusCode::kConflict:
      return "CONFLICT";
    case StatusCode::kTooLarge:
      return "TOO_LARGE";
    case StatusCode::kThrottled:
      return "THROTTLED";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  if (!azure_code_.empty()) out += " " + azure_code_;
  if (!inner_code_.empty()) out += "/" + inner_code_;
  out += ": " + message_;
  return out;
}

Status InvalidArgument(std::string message, std::string azure_code) {
  return Status(StatusCode::kInvalidArgument, std::move(azure_code), std::move(message));
}
Status Unauthenticated(std::string message) {
  return Status(StatusCode::kUnauthenticated, "Unauthorized", std::move(message));
}
Status PermissionDenied(std::string message, std::string inner_code) {
  return Status(StatusCode::kPermissionDenied, "Forbidden", std::move(message),
                std::move(inner_code));
}
Status NotFound(std::string azure_code, std::string message) {
  return Status(StatusCode::kNotFound, std::move(azure_code), std::move(message));
}
Status Conflict(std::string message, std::string inner_code) {
  return Status(StatusCode::kConflict, "Conflict", std::move(message), std::move(inner_code));
}
Status TooLarge(std::string message) {
  return Status(StatusCode::kTooLarge, "RequestTooLarge", std::move(message));
}
Status Internal(std::string message) {
  return Status(StatusCode::kInternal, "InternalError", std::move(message));
}
Status Unavailable(std::string message) {
  return Status(StatusCode::kUnavailable, "ServiceUnavailable", std::move(message));
}

}  // namespace kh
