#include "crypto/rng.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "crypto/internal/openssl_util.h"

namespace kh::crypto {
namespace internal {

void RandomFill(uint8_t* out, size_t n) {
  while (n > 0) {
    // RAND_bytes takes an int length.
    const int chunk = n > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
    if (RAND_bytes(out, chunk) != 1) {
      std::fputs("keyhaven: RAND_bytes failed; refusing to continue without a CSPRNG\n", stderr);
      std::abort();
    }
    out += chunk;
    n -= static_cast<size_t>(chunk);
  }
}

}  // namespace internal

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  internal::RandomFill(reinterpret_cast<uint8_t*>(out.data()), n);
  return out;
}

SecretBytes RandomSecret(size_t n) {
  SecretBytes out(n);
  internal::RandomFill(out.MutableData(), n);
  return out;
}

}  // namespace kh::crypto
