#include "storage/internal/scan_range.h"

namespace kh::storage::internal {

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xff) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
  return out;
}

ScanRange MakeScanRange(std::string_view prefix, std::string_view start_after) {
  ScanRange range;
  range.upper = PrefixSuccessor(prefix);
  // std::string_view compares via char_traits<char>, i.e. as unsigned bytes (memcmp order).
  if (!start_after.empty() && start_after >= prefix) {
    // start_after + '\0' is the smallest key strictly greater than start_after.
    range.lower.assign(start_after);
    range.lower.push_back('\0');
  } else {
    range.lower.assign(prefix);
  }
  range.empty = range.upper.has_value() && range.lower >= *range.upper;
  return range;
}

}  // namespace kh::storage::internal
