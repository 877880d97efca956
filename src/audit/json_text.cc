#include "audit/json_text.h"

#include <array>
#include <charconv>
#include <cstring>

namespace kh::audit {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// The bytes copied as they are: printable ASCII but the quote and the backslash.
constexpr std::array<bool, 256> kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// Whether any of the 8 bytes in `w` is not in kPlain (a few false positives are harmless: the
// caller then looks at those bytes one by one). Eight bytes per step: this loop reads every byte
// of every audit record.
bool AnyNotPlain(uint64_t w) {
  constexpr uint64_t k01 = 0x0101010101010101, k80 = 0x8080808080808080;
  const auto has_zero_byte = [](uint64_t v) { return (v - k01) & ~v & k80; };
  const uint64_t control = (w - k01 * 0x20) & ~w & k80;  // a byte below 0x20
  const uint64_t high = (w | (w + k01)) & k80;           // 0x7F and above
  return (control | high | has_zero_byte(w ^ (k01 * '"')) | has_zero_byte(w ^ (k01 * '\\'))) != 0;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < value.size()) {
    // Most text needs no escaping: copy runs of it in one append.
    size_t run = i;
    for (uint64_t w; run + 8 <= value.size(); run += 8) {
      std::memcpy(&w, value.data() + run, 8);
      if (AnyNotPlain(w)) break;
    }
    while (run < value.size() && kPlain[static_cast<unsigned char>(value[run])]) ++run;
    if (run > i) {
      out.append(value.data() + i, run - i);
      i = run;
      if (i == value.size()) break;
    }
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      if (size_t n = Utf8SequenceLength(value, i)) {
        out.append(value.data() + i, n);
        i += n;
      } else {
        out.append("\\ufffd");
        ++i;
      }
      continue;
    }
    if (c == '"' || c == '\\') {
      const char escaped[2] = {'\\', static_cast<char>(c)};
      out.append(escaped, 2);
    } else {  // a control character or DEL
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escaped, 6);
    }
    ++i;
  }
  out.push_back('"');
}

void AppendJsonName(std::string& out, std::string_view name, bool first) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out.append(name);
  out.append("\":", 2);
}

void AppendJsonField(std::string& out, std::string_view name, std::string_view value, bool first) {
  AppendJsonName(out, name, first);
  AppendJsonString(out, value);
}

void AppendJsonField(std::string& out, std::string_view name, int64_t value) {
  AppendJsonName(out, name, false);
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

}  // namespace kh::audit
