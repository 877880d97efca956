#include "core/ids.h"

#include <sys/random.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace kh {
namespace {

void FillRandom(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) std::abort();  // the kernel's CSPRNG failing is not recoverable
    done += static_cast<size_t>(got);
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
