#pragma once
// Cryptographically secure random bytes from OpenSSL's DRBG (RAND_bytes). Thread-safe.
// A failing system RNG is unrecoverable: these functions abort the process rather than return
// predictable bytes, so they have no error path.
#include <cstddef>
#include <string>

#include "core/secret_bytes.h"

namespace kh::crypto {

// n random bytes, for public values: nonces, serial numbers, salts, ids.
std::string RandomBytes(size_t n);

// n random bytes held in a zeroizing buffer, for keys.
SecretBytes RandomSecret(size_t n);

}  // namespace kh::crypto
