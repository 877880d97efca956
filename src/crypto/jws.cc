#include "crypto/jws.h"

#include "core/base64.h"

namespace kh::crypto {
namespace {

// Decodes an unpadded base64url part and insists it is the canonical encoding of its bytes: this
// rejects padding, the standard alphabet, whitespace and non-zero trailing bits, all of which the
// lenient core decoder accepts.
StatusOr<std::string> DecodePart(std::string_view part) {
  StatusOr<std::string> decoded = Base64UrlDecode(part);
  if (!decoded.ok() || Base64UrlEncode(*decoded) != part) {
    return InvalidArgument("Malformed JWS: a part is not base64url");
  }
  return decoded;
}

}  // namespace

StatusOr<std::string> JwsSignEs256(const EcPrivateKey& key, std::string_view header_json,
                                   std::string_view payload_json) {
  std::string token = Base64UrlEncode(header_json);
  token += '.';
  token += Base64UrlEncode(payload_json);
  KH_ASSIGN_OR_RETURN(std::string signature, key.SignEs256(token));
  token += '.';
  token += Base64UrlEncode(signature);
  return token;
}

StatusOr<JwsParts> JwsSplit(std::string_view token) {
  if (token.size() > kMaxJwsBytes) return InvalidArgument("JWS is too large");
  const size_t first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return InvalidArgument("Malformed JWS: no '.'");
  const size_t second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != token.npos) {
    return InvalidArgument("Malformed JWS: expected three parts");
  }
  const std::string_view header = token.substr(0, first_dot);
  const std::string_view payload = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature = token.substr(second_dot + 1);
  if (header.empty() || signature.empty()) return InvalidArgument("Malformed JWS: empty part");
  JwsParts parts;
  KH_ASSIGN_OR_RETURN(parts.header_json, DecodePart(header));
  KH_ASSIGN_OR_RETURN(parts.payload_json, DecodePart(payload));
  KH_ASSIGN_OR_RETURN(parts.signature, DecodePart(signature));
  parts.signing_input = std::string(token.substr(0, second_dot));
  return parts;
}

}  // namespace kh::crypto
