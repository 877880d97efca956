#pragma once
// ISO-8601 / RFC 3339 UTC timestamps, as ARM and Microsoft Graph write them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kh {

// "2026-11-30T02:27:36Z".
std::string FormatIso8601(int64_t unix_seconds);

// Accepts "YYYY-MM-DDTHH:MM:SS" with optional fractional seconds, then "Z" or "+HH:MM"/"-HH:MM"
// (also a bare date "YYYY-MM-DD", meaning midnight UTC). Fractions are dropped.
std::optional<int64_t> ParseIso8601(std::string_view text);

}  // namespace kh
