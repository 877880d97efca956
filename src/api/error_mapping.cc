#include "api/error_mapping.h"

#include <boost/json.hpp>

namespace kh::api {
namespace json = boost::json;

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kMethodNotAllowed:
      return 405;
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kTooLarge:
      return 413;
    case StatusCode::kThrottled:
      return 429;
    case StatusCode::kInternal:
      return 500;
    case StatusCode::kUnavailable:
      return 503;
  }
  return 500;
}

namespace {

std::string DefaultAzureCode(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
      return "BadParameter";
    case StatusCode::kUnauthenticated:
      return "Unauthorized";
    case StatusCode::kPermissionDenied:
      return "Forbidden";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kMethodNotAllowed:
      return "MethodNotAllowed";
    case StatusCode::kConflict:
      return "Conflict";
    case StatusCode::kTooLarge:
      return "RequestTooLarge";
    case StatusCode::kThrottled:
      return "Throttled";
    case StatusCode::kUnavailable:
      return "ServiceUnavailable";
    default:
      return "InternalError";
  }
}

}  // namespace

Response ErrorResponse(const Status& status) {
  json::object error{
      {"code", status.azure_code().empty() ? DefaultAzureCode(status.code()) : status.azure_code()},
      {"message", status.message()},
  };
  if (!status.inner_code().empty()) {
    error["innererror"] = json::object{{"code", status.inner_code()}};
  }
  Response r;
  r.status = HttpStatusFor(status.code());
  r.body = json::serialize(json::object{{"error", std::move(error)}});
  if (status.code() == StatusCode::kThrottled || status.code() == StatusCode::kUnavailable) {
    // The Azure SDKs retry 429/503 only when told when to.
    r.headers.emplace_back("Retry-After", "1");
  }
  return r;
}

Response OAuthErrorResponse(const Status& status) {
  std::string code = status.azure_code();
  if (status.code() == StatusCode::kUnauthenticated) code = "invalid_client";
  if (code.empty() || code == "BadParameter") code = "invalid_request";
  Response r;
  r.status = HttpStatusFor(status.code());
  r.body = json::serialize(json::object{
      {"error", code}, {"error_description", status.message()}, {"error_codes", json::array{}}});
  return r;
}

}  // namespace kh::api
