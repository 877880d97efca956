#pragma once
// ApiClient: authenticated JSON calls to a Keyhaven server (ARM and data plane) for the CLI.
//
// - The bearer token comes from the client-credentials grant at
//   {authority}/{tenant}/oauth2/v2.0/token with scope {server}/.default, fetched on the first
//   call and reused. It and the client secret live only in SecretBytes and are never printed.
// - A response with status 2xx yields its JSON body (null when the body is empty). Any other
//   status becomes a Status whose code follows the HTTP status and whose azure_code / message /
//   inner_code come from Azure's {"error":{"code","message","innererror":{"code"}}} (or OAuth's
//   {"error","error_description"}).
// - ListAll follows nextLink only while it stays on the origin of the first page, so a token is
//   never sent to another host.
// - Transport errors (connect, TLS, timeout) pass through unchanged (Unavailable/Internal).
// Not thread-safe: one ApiClient per thread.
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "cli/credentials.h"
#include "cli/transport.h"
#include "cli/urls.h"
#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::cli {

// Most pages a listing may take before the client gives up (guards against nextLink loops).
inline constexpr int kMaxListPages = 10000;

// The StatusCode for an HTTP error status (400 → kInvalidArgument, 404 → kNotFound, ...).
StatusCode StatusCodeForHttp(int http_status);

// The Status for a non-2xx response, as described above.
Status ErrorFromResponse(const http::HttpResponse& response);

class ApiClient {
 public:
  // `server` is where ARM and vault hosts live; the token authority is
  // credentials.authority_host, or `server` when that is empty.
  ApiClient(Credentials credentials, ServerUrl server, std::unique_ptr<Transport> transport);

  const ServerUrl& server() const { return server_; }
  const Credentials& credentials() const { return credentials_; }

  // Sends `body` (JSON text; may hold a secret, so it is not copied) with a bearer token.
  StatusOr<boost::json::value> Call(std::string_view method, std::string_view url,
                                    std::string_view body = {});
  // Same, with `body` serialized.
  StatusOr<boost::json::value> CallWithJson(std::string_view method, std::string_view url,
                                            const boost::json::value& body);

  // Sends raw bytes (application/octet-stream; may be a backup file) and returns the raw body of
  // a 2xx response. Errors as for Call.
  StatusOr<std::string> CallBytes(std::string_view method, std::string_view url,
                                  std::string_view body = {});

  // GETs `url` and every nextLink after it; returns the concatenated `value` arrays.
  StatusOr<boost::json::array> ListAll(std::string_view url);

 private:
  Status EnsureToken();
  // Sends with the bearer token (and `content_type` when not empty); a non-2xx response becomes
  // its Status, with the body wiped.
  StatusOr<http::HttpResponse> SendAuthorized(std::string_view method, std::string_view url,
                                              std::string_view body,
                                              std::string_view content_type);

  Credentials credentials_;
  ServerUrl server_;
  std::unique_ptr<Transport> transport_;
  SecretBytes authorization_;  // "Bearer <token>"
};

}  // namespace kh::cli
