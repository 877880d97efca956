#pragma once
// NIST P-256 keys for ES256 (ECDSA with SHA-256, RFC 7518 section 3.4) token signing and for TLS.
//
// Signatures use the JWS form: the raw 64-byte concatenation r || s (each left-padded to 32
// bytes), not DER. Public keys are the raw 32-byte big-endian affine coordinates, as in a JWK's
// "x" and "y" (before base64url).
//
// Both classes wrap an opaque OpenSSL handle (pimpl; this header exposes no OpenSSL type) that is
// immutable after construction, so concurrent const calls from many threads are safe.
// EcPrivateKey is move-only (one owner of the secret); a moved-from key must not be used.
// EcPublicKey is cheap to copy (copies share the immutable handle).
#include <memory>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto {

inline constexpr size_t kP256CoordinateSize = 32;
inline constexpr size_t kEs256SignatureSize = 64;

class EcPublicKey {
 public:
  // InvalidArgument unless x and y are 32 bytes each and name a point on P-256.
  static StatusOr<EcPublicKey> FromCoordinates(std::string_view x, std::string_view y);

  EcPublicKey(const EcPublicKey&) = default;
  EcPublicKey& operator=(const EcPublicKey&) = default;
  EcPublicKey(EcPublicKey&&) noexcept = default;
  EcPublicKey& operator=(EcPublicKey&&) noexcept = default;
  ~EcPublicKey();

  const std::string& x() const;
  const std::string& y() const;

  // True iff signature_rs is a valid 64-byte r || s ES256 signature of data under this key.
  // False (never an error) for a wrong length, out-of-range r or s, or any mismatch.
  bool Verify(std::string_view data, std::string_view signature_rs) const;

 private:
  struct Impl;
  explicit EcPublicKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
  friend class EcPrivateKey;
};

class EcPrivateKey {
 public:
  // A fresh random P-256 key. Internal error only if OpenSSL fails.
  static StatusOr<EcPrivateKey> Generate();
  // Parses an unencrypted PEM private key (PKCS#8 "PRIVATE KEY" or SEC1 "EC PRIVATE KEY").
  // InvalidArgument if it is malformed, encrypted, or not on P-256.
  static StatusOr<EcPrivateKey> FromPem(const SecretBytes& pem);

  EcPrivateKey(EcPrivateKey&&) noexcept;
  EcPrivateKey& operator=(EcPrivateKey&&) noexcept;
  EcPrivateKey(const EcPrivateKey&) = delete;
  EcPrivateKey& operator=(const EcPrivateKey&) = delete;
  ~EcPrivateKey();

  // Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
  SecretBytes ToPem() const;
  // The public point's coordinates, 32 raw bytes each.
  std::string PublicX() const;
  std::string PublicY() const;
  EcPublicKey PublicKey() const;

  // ES256 signature of data (SHA-256 then ECDSA with a random nonce): 64 bytes r || s.
  StatusOr<std::string> SignEs256(std::string_view data) const;

 private:
  struct Impl;
  explicit EcPrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One-shot form of EcPublicKey::FromCoordinates(x, y)->Verify(data, signature_rs); false if the
// key is invalid. Prefer building an EcPublicKey once when verifying many signatures.
bool VerifyEs256(std::string_view x, std::string_view y, std::string_view data,
                 std::string_view signature_rs);

}  // namespace kh::crypto
