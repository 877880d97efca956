#pragma once
// Translates Store::Scan's (prefix, start_after) into a half-open bytewise key range
// [lower, upper), shared by every Store implementation so they agree on edge cases
// ('\xff' prefixes, start_after outside the prefix). Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace kh::storage::internal {

struct ScanRange {
  std::string lower;                 // inclusive
  std::optional<std::string> upper;  // exclusive; nullopt = unbounded
  bool empty = false;                // true when no key can match
};

// The smallest string greater than every string starting with `prefix`, or nullopt if there is
// none (prefix empty or all '\xff').
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

ScanRange MakeScanRange(std::string_view prefix, std::string_view start_after);

}  // namespace kh::storage::internal
