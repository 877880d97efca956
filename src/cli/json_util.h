#pragma once
// JSON helpers for the CLI (Boost.JSON).
// - ParseJson parses into a memory resource that zeroes every block it frees, because server
//   responses and the credentials file carry secret values and tokens. Values parsed this way
//   keep that resource; copies made with the same storage_ptr do too.
// - Accessors return empty/nullopt instead of throwing on missing or mistyped members.
// - JsonQuote writes a JSON string literal (used to put a secret straight into SecretBytes).
// Thread-safe (the wiping resource is stateless).
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status_or.h"

namespace kh::cli {

// A shared memory resource that zeroes memory before releasing it.
boost::json::storage_ptr WipingStorage();

// Parses `text`; on failure InvalidArgument naming `what` (never echoing the text).
StatusOr<boost::json::value> ParseJson(std::string_view text, std::string_view what);

// obj[key] as a string / int64 / bool, if present with that type.
std::optional<std::string> GetString(const boost::json::value& v, std::string_view key);
std::optional<int64_t> GetInt(const boost::json::value& v, std::string_view key);
std::optional<bool> GetBool(const boost::json::value& v, std::string_view key);
// obj[key] if `v` is an object holding `key`, else nullptr.
const boost::json::value* GetMember(const boost::json::value& v, std::string_view key);

// Appends `text` as a JSON string literal (quotes included) to `out`.
void AppendJsonQuoted(std::string_view text, std::string* out);

}  // namespace kh::cli
