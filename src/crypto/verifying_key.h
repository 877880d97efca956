#pragma once
// Public keys that come from outside Keyhaven and verify JWS signatures (RFC 7515/7518): the
// certificate of a client-assertion credential (RFC 7523) and the JWKS keys of a trusted external
// OpenID issuer. RSA (2048 bits or more) and EC (P-256, P-384, P-521).
//
// Algorithms: RS256/384/512 (PKCS#1 v1.5), PS256/384/512 (PSS, salt = digest length),
// ES256/384/512 (signature as JOSE r || s, on the matching curve). Anything else, a key of the
// wrong type for the algorithm, or a bad signature verifies false (never an error).
//
// Immutable and cheap to copy (copies share the OpenSSL handle); thread-safe.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status_or.h"

namespace kh::crypto {

inline constexpr int kMinRsaVerifyingBits = 2048;

// What Keyhaven needs to know of an X.509 certificate given as a credential.
struct CertificateInfo {
  std::string der;
  std::string subject;  // one line, RFC 2253
  int64_t not_before = 0;
  int64_t not_after = 0;
};

class VerifyingKey {
 public:
  // The public key of the first certificate in `pem` (InvalidArgument if there is none, it is
  // malformed, or its key is not RSA >= 2048 bits or EC on a supported curve).
  static StatusOr<VerifyingKey> FromCertificatePem(std::string_view pem, CertificateInfo* info);
  // JWK members, already base64url-decoded to big-endian bytes.
  static StatusOr<VerifyingKey> FromRsaComponents(std::string_view n, std::string_view e);
  // crv: "P-256", "P-384" or "P-521"; x, y: the affine coordinates.
  static StatusOr<VerifyingKey> FromEcCoordinates(std::string_view crv, std::string_view x,
                                                  std::string_view y);

  bool VerifyJws(std::string_view alg, std::string_view signing_input,
                 std::string_view signature) const;

 private:
  struct Impl;
  explicit VerifyingKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace kh::crypto
