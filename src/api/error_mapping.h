#pragma once
// The one place where a kh::Status becomes an HTTP status and Azure's error body
// {"error":{"code","message","innererror":{"code"}}} (DESIGN.md section 6).
#include "api/request.h"
#include "core/status.h"

namespace kh::api {

int HttpStatusFor(StatusCode code);
Response ErrorResponse(const Status& status);
// OAuth2's error shape for the token endpoint: {"error","error_description"}.
Response OAuthErrorResponse(const Status& status);

}  // namespace kh::api
