#include "core/base64.h"

#include <array>
#include <cstdint>

namespace kh {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void AppendEncoded(std::string& out, std::string_view in, const char* alphabet, bool pad) {
  out.reserve(out.size() + (in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  size_t rest = in.size() - i;
  if (rest == 1) {
    uint32_t v = uint8_t(in[i]) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out += "==";
  } else if (rest == 2) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out += "=";
  }
}

std::string Encode(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  AppendEncoded(out, in, alphabet, pad);
  return out;
}

// Accepts both alphabets; padding optional but, when present, must be at the end.
StatusOr<std::string> Decode(std::string_view in, bool require_padding) {
  static const std::array<int8_t, 256> table = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i) {
      t[uint8_t(kStd[i])] = int8_t(i);
      t[uint8_t(kUrl[i])] = int8_t(i);
    }
    return t;
  }();
  size_t end = in.size();
  while (end > 0 && in[end - 1] == '=') --end;
  if (in.size() - end > 2) return InvalidArgument("invalid base64: too much padding");
  if (require_padding && in.size() % 4 != 0) return InvalidArgument("invalid base64 length");
  if (end % 4 == 1) return InvalidArgument("invalid base64 length");
  std::string out;
  out.reserve(end * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < end; ++i) {
    int8_t v = table[uint8_t(in[i])];
    if (v < 0) return InvalidArgument("invalid base64 character");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStd, true); }
std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrl, false); }
void AppendBase64Url(std::string& out, std::string_view bytes) {
  AppendEncoded(out, bytes, kUrl, false);
}
StatusOr<std::string> Base64Decode(std::string_view text) { return Decode(text, false); }
StatusOr<std::string> Base64UrlDecode(std::string_view text) { return Decode(text, false); }

}  // namespace kh
