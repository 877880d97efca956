#pragma once
// Private to src/crypto: EME-OAEP decoding (RFC 8017 section 7.1.2, step 3) of a raw RSA
// decryption result, for tokens that decrypt RSA-OAEP-256 only as raw RSA (SoftHSM2 2.6 offers
// CKM_RSA_PKCS_OAEP with SHA-1 alone). The private-key operation stays in the token; only the
// padding is checked here, and every check runs to the end before one combined verdict, so the
// time taken does not say which check failed.
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto::internal {

// `encoded`: the k-byte result of m = c^d mod n (k = modulus bytes; shorter input is
// left-padded). `digest`: "SHA1" or "SHA256" for both OAEP's hash and MGF1; empty label.
// InvalidArgument (with no detail) if the padding is not valid.
StatusOr<SecretBytes> OaepDecode(const SecretBytes& encoded, size_t k, std::string_view digest);

}  // namespace kh::crypto::internal
