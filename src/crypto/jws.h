#pragma once
// Compact JWS (RFC 7515) with ES256, over bytes: this file neither parses nor checks the JSON of
// the header or payload; callers do (api/authn own the JSON).
//
// Signing produces base64url(header) "." base64url(payload) "." base64url(signature) with
// unpadded base64url. Splitting is strict: exactly three parts, each the canonical unpadded
// base64url of its bytes (so one token has one spelling), header and signature non-empty, total
// size at most kMaxJwsBytes. Verification is the caller's:
//   KH_ASSIGN_OR_RETURN(JwsParts parts, JwsSplit(token));
//   /* check parts.header_json says alg ES256 and picks this key */
//   if (!key.Verify(parts.signing_input, parts.signature)) ...
// Errors: InvalidArgument for malformed or oversized tokens. Thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/status_or.h"
#include "crypto/ec_key.h"

namespace kh::crypto {

inline constexpr size_t kMaxJwsBytes = 16 * 1024;

struct JwsParts {
  std::string header_json;    // decoded protected header
  std::string payload_json;   // decoded payload
  std::string signing_input;  // the first two encoded parts and their dot, as in the token
  std::string signature;      // decoded signature bytes (64 bytes r || s for ES256)
};

StatusOr<std::string> JwsSignEs256(const EcPrivateKey& key, std::string_view header_json,
                                   std::string_view payload_json);

StatusOr<JwsParts> JwsSplit(std::string_view token);

}  // namespace kh::crypto
