#pragma once
// AES-256-GCM authenticated encryption with a random 96-bit nonce per message.
//
// Sealed format: nonce (12 bytes) || ciphertext (same length as the plaintext) || tag (16 bytes).
// The AAD is authenticated but not stored; the opener must supply the same AAD (the barrier uses
// the record path, so a ciphertext cannot be moved to another record).
//
// Random nonces bound the safe use of one key to about 2^32 messages (NIST SP 800-38D); callers
// rotate keys well before that.
//
// Errors: InvalidArgument if the key is not kAeadKeySize bytes or an input exceeds
// kAeadMaxInputBytes. AeadOpen fails with code kInternal and Azure code kDecryptionFailed for any
// sealed value that does not authenticate (wrong key, wrong AAD, truncated or tampered bytes); the
// plaintext of such a value is never returned.
//
// Thread-safe: no shared mutable state (each call has its own cipher context).
#include <cstddef>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"
#include "core/status_or.h"

namespace kh::crypto {

inline constexpr size_t kAeadKeySize = 32;
inline constexpr size_t kAeadNonceSize = 12;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kAeadOverhead = kAeadNonceSize + kAeadTagSize;
// Limit on plaintext and AAD length (OpenSSL's update calls take an int).
inline constexpr size_t kAeadMaxInputBytes = size_t{1} << 30;
// Status::azure_code() of an AeadOpen authentication failure.
inline constexpr std::string_view kDecryptionFailed = "DecryptionFailed";

StatusOr<std::string> AeadSeal(const SecretBytes& key, std::string_view plaintext,
                               std::string_view aad);
StatusOr<std::string> AeadSeal(const SecretBytes& key, const SecretBytes& plaintext,
                               std::string_view aad);

StatusOr<SecretBytes> AeadOpen(const SecretBytes& key, std::string_view sealed,
                               std::string_view aad);

}  // namespace kh::crypto
