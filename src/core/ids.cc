#include "core/ids.h"

#include <string.h>
#include <sys/random.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace kh {
namespace {

void FillFromKernel(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) std::abort();  // the kernel's CSPRNG failing is not recoverable
    done += static_cast<size_t>(got);
  }
}

// Ids are drawn on every request; one getrandom call per 512 bytes instead of per id. The
// buffer is per thread and each byte is handed out once.
void FillRandom(uint8_t* out, size_t n) {
  constexpr size_t kBufferBytes = 512;
  thread_local uint8_t buffer[kBufferBytes];
  thread_local size_t available = 0;
  while (n > 0) {
    if (available == 0) {
      FillFromKernel(buffer, kBufferBytes);
      available = kBufferBytes;
    }
    size_t take = n < available ? n : available;
    std::memcpy(out, buffer + (kBufferBytes - available), take);
    explicit_bzero(buffer + (kBufferBytes - available), take);
    available -= take;
    out += take;
    n -= take;
  }
}

std::string Hex(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

}  // namespace

std::string RandomHex(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  FillRandom(buf.data(), bytes);
  return Hex(buf.data(), bytes);
}

std::string NewVersionId() { return RandomHex(16); }

std::string NewGuid() {
  uint8_t b[16];
  FillRandom(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string h = Hex(b, 16);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

}  // namespace kh
