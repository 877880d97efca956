#pragma once
// Slow, salted hashing of client secrets (scrypt, RFC 7914).
//
// Encoded form, self-describing so the cost can be raised later without breaking stored hashes:
//   scrypt$<log2 N>$<r>$<p>$<base64url salt>$<base64url hash>
// e.g. scrypt$15$8$1$<22 chars>$<43 chars>. Defaults: N = 2^15, r = 8, p = 1 (32 MiB, tens of
// milliseconds), 16-byte random salt, 32-byte output.
//
// As with every HMAC-based KDF (scrypt's PBKDF2 steps), passwords that differ only by trailing
// zero bytes hash alike; client secrets are printable text, so this is harmless.
//
// Thread-safe. Each call allocates 128 * r * N bytes, so callers bound concurrency.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto {

struct ScryptParams {
  int log2_n = 15;
  int r = 8;
  int p = 1;
};

// Bounds accepted by VerifyPassword (a stored hash cannot demand unbounded memory or time) and
// required by HashPasswordWithParams.
inline constexpr int kScryptMinLog2N = 1;
inline constexpr int kScryptMaxLog2N = 20;
inline constexpr int kScryptMaxR = 32;
inline constexpr int kScryptMaxP = 16;
inline constexpr size_t kScryptMaxMemoryBytes = size_t{256} << 20;  // 128 * r * N
inline constexpr size_t kPasswordSaltSize = 16;
inline constexpr size_t kPasswordHashSize = 32;

// Hashes password with the default parameters and a fresh random salt.
std::string HashPassword(std::string_view password);

// As HashPassword with explicit cost (tests use a low cost). Aborts if params are out of bounds.
std::string HashPasswordWithParams(std::string_view password, const ScryptParams& params);

// A `size`-byte key derived from a passphrase with scrypt (the same defaults; `params` must be
// within the bounds above). For keys wrapped under a passphrase (exported backup keys).
StatusOr<SecretBytes> DeriveKeyFromPassphrase(const SecretBytes& passphrase, std::string_view salt,
                                              const ScryptParams& params, size_t size);

// True iff encoded is a well-formed hash (within the bounds above) of password. Compares in
// constant time. False, never an error, on malformed input.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace kh::crypto
