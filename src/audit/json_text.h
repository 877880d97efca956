#pragma once
// Appending JSON text by hand. The audit log writes one record per request, so building a
// Boost.JSON object per record (allocations for every key and value) would cost more than the
// request it records; these append straight into one reused buffer.
#include <cstdint>
#include <string>
#include <string_view>

namespace kh::audit {

// Appends `value` as a JSON string literal, quotes included. Control characters are escaped;
// bytes that are not valid UTF-8 become U+FFFD, so every line parses as strict JSON.
void AppendJsonString(std::string& out, std::string_view value);

// Appends `"name":` (with a leading comma unless `first`). Names are the code's own literals,
// written as they are: they never need escaping.
void AppendJsonName(std::string& out, std::string_view name, bool first);

// Appends `"name":"value"` (with a leading comma unless `first`); the value is escaped.
void AppendJsonField(std::string& out, std::string_view name, std::string_view value,
                     bool first = false);
void AppendJsonField(std::string& out, std::string_view name, int64_t value);

}  // namespace kh::audit
