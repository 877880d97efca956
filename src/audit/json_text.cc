#include "audit/json_text.h"

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

}  // namespace

void AppendJsonString(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < value.size()) {
    // Most text needs no escaping: copy runs of it in one append.
    size_t run = i;
    while (run < value.size()) {
      const unsigned char r = static_cast<unsigned char>(value[run]);
      if (r < 0x20 || r >= 0x7F || r == '"' || r == '\\') break;
      ++run;
    }
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
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7F) {
      out.append("\\u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
    ++i;
  }
  out.push_back('"');
}

void AppendJsonField(std::string& out, std::string_view name, std::string_view value, bool first) {
  if (!first) out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonString(out, value);
}

void AppendJsonField(std::string& out, std::string_view name, int64_t value) {
  out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  out.append(std::to_string(value));
}

}  // namespace kh::audit
