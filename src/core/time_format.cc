#include "core/time_format.h"

#include <ctime>

namespace kh {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> Number(std::string_view s, size_t pos, size_t digits) {
  if (pos + digits > s.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

bool Expect(std::string_view s, size_t pos, char c) { return pos < s.size() && s[pos] == c; }

}  // namespace

std::string FormatIso8601(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return n == 0 ? std::to_string(unix_seconds) : std::string(buf, n);
}

std::optional<int64_t> ParseIso8601(std::string_view s) {
  auto year = Number(s, 0, 4);
  auto month = Number(s, 5, 2);
  auto day = Number(s, 8, 2);
  if (!year || !month || !day || !Expect(s, 4, '-') || !Expect(s, 7, '-')) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  int64_t offset = 0;
  if (s.size() > 10) {
    auto hour = Number(s, 11, 2);
    auto minute = Number(s, 14, 2);
    auto second = Number(s, 17, 2);
    if (!(Expect(s, 10, 'T') || Expect(s, 10, 't')) || !hour || !minute || !second ||
        !Expect(s, 13, ':') || !Expect(s, 16, ':')) {
      return std::nullopt;
    }
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    size_t pos = 19;
    if (Expect(s, pos, '.')) {
      ++pos;
      size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
    }
    std::string_view zone = s.substr(pos);
    if (zone == "Z" || zone == "z") {
      offset = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
      auto zh = Number(zone, 1, 2);
      auto zm = Number(zone, 4, 2);
      if (!zh || !zm || *zh > 23 || *zm > 59) return std::nullopt;
      offset = (zone[0] == '+' ? 1 : -1) * (*zh * 3600 + *zm * 60);
    } else {
      return std::nullopt;
    }
  }
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  std::tm normalized = tm;
  std::time_t t = timegm(&normalized);
  // timegm normalizes out-of-range days (Feb 30 → Mar 2): refuse dates that moved.
  if (normalized.tm_mday != tm.tm_mday || normalized.tm_mon != tm.tm_mon) return std::nullopt;
  return static_cast<int64_t>(t) - offset;
}

}  // namespace kh
