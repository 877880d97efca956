#pragma once
// Digests, MAC and key derivation. All outputs are raw bytes (not hex or base64).
//
// These functions have no error path: their inputs cannot be invalid except where a
// precondition is stated, and a violated precondition or an OpenSSL failure (allocation) aborts.
// Thread-safe.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/secret_bytes.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace kh::crypto {

inline constexpr size_t kSha256Size = 32;
inline constexpr size_t kSha1Size = 20;
// RFC 5869: HKDF output is at most 255 hash lengths.
inline constexpr size_t kHkdfSha256MaxLength = 255 * kSha256Size;

// SHA-256 of data (32 bytes).
std::string Sha256(std::string_view data);

// SHA-256 of the concatenation of `parts`, without building it (32 bytes).
std::string Sha256Of(std::initializer_list<std::string_view> parts);

// SHA-256 digests one after another on one reused context: no allocation per digest, for loops
// that hash every record (the audit chain). Not thread-safe; one per thread.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  // Writes the digest of everything updated since the last Finish to out[0..31], and starts the
  // next digest.
  void Finish(char* out);

 private:
  ::evp_md_ctx_st* ctx_;
};

// SHA-1 of data (20 bytes). Only for identifiers that formats require (X.509 thumbprints, x5t);
// never for security decisions.
std::string Sha1(std::string_view data);

// HMAC-SHA-256 (RFC 2104) of data under key (32 bytes). Any key length, including empty.
SecretBytes HmacSha256(const SecretBytes& key, std::string_view data);

// HKDF-SHA-256 (RFC 5869). An empty salt means "no salt" (HashLen zero bytes).
// Precondition: 1 <= length <= kHkdfSha256MaxLength.
SecretBytes HkdfSha256(const SecretBytes& ikm, std::string_view salt, std::string_view info,
                       size_t length);

}  // namespace kh::crypto
