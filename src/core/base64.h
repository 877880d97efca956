#pragma once
// Base64 (RFC 4648): standard alphabet with padding, and URL-safe without padding (Azure's
// base64url for JWK members, signatures and backup blobs). Decoders reject bad input with
// InvalidArgument; the URL-safe decoder also accepts padding and the standard alphabet's
// characters, as Azure's service does.
#include <string>
#include <string_view>

#include "core/status_or.h"

namespace kh {

std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);
// Base64UrlEncode(bytes) appended to `out` (no allocation when it has room).
void AppendBase64Url(std::string& out, std::string_view bytes);
StatusOr<std::string> Base64Decode(std::string_view text);
StatusOr<std::string> Base64UrlDecode(std::string_view text);

}  // namespace kh
