#pragma once
// Rendering of server responses for the terminal: indented JSON (the default) or an aligned
// table of the main fields of each resource kind. Pure functions; thread-safe.
//
// Table cells are made terminal-safe: control characters (newlines, ESC ...) become '?', so a
// secret value, tag or error message cannot move the cursor or inject escape sequences. JSON
// output is escaped by construction.
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status_or.h"

namespace kh::cli {

enum class OutputFormat { kJson, kTable };

// "json" or "table".
StatusOr<OutputFormat> ParseOutputFormat(std::string_view name);

// What a response holds, which decides the table columns.
enum class ResourceKind {
  kVault,          // ARM vault resource
  kSecret,         // secret bundle (VALUE column only when a bundle carries "value")
  kSecretItem,     // secrets list item (no value)
  kSecretVersion,  // secret versions list item
  kDeletedSecret,  // deleted secret bundle or item
};

// Renders `value` (one resource object, or an array of them) followed by a newline.
std::string Render(const boost::json::value& value, ResourceKind kind, OutputFormat format);

// JSON with two-space indentation.
std::string PrettyJson(const boost::json::value& value);

// Header row, a dashed rule, then the rows; columns separated by two spaces and padded to the
// widest cell (in code points). Cells are sanitized as described above.
std::string RenderTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows);

// Replaces control characters with '?'.
std::string SanitizeForTerminal(std::string_view text);

// 1700000000 → "2023-11-14T22:13:20Z".
std::string FormatUnixTime(int64_t seconds);

// Path segments of an absolute URL or a path: "https://h/secrets/a/v1" → {"secrets","a","v1"}.
std::vector<std::string> PathSegments(std::string_view url_or_path);

}  // namespace kh::cli
