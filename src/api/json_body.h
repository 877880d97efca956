#pragma once
// Reading request bodies and writing responses as JSON, with Azure-style 400s for every
// malformed or mistyped field.
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"
#include "core/status_or.h"

namespace kh::api {

constexpr int kMaxJsonDepth = 32;

StatusOr<boost::json::object> ParseJsonObject(std::string_view body);

StatusOr<std::optional<std::string>> OptString(const boost::json::object& o, std::string_view key);
StatusOr<std::optional<bool>> OptBool(const boost::json::object& o, std::string_view key);
StatusOr<std::optional<int64_t>> OptInt(const boost::json::object& o, std::string_view key);
StatusOr<std::optional<boost::json::object>> OptObject(const boost::json::object& o,
                                                       std::string_view key);
// An array of strings; absent or null is an empty list. Anything else is a 400 with `azure_code`.
StatusOr<std::vector<std::string>> OptStringList(const boost::json::object& o, std::string_view key,
                                                 std::string azure_code = "BadParameter");
// A JSON object whose values are all strings (tags).
StatusOr<std::optional<std::map<std::string, std::string>>> OptStringMap(
    const boost::json::object& o, std::string_view key);

Response JsonResponse(int status, const boost::json::value& body);
// A number as JSON: whole values as integers (Boost.JSON writes every double as 1E1).
boost::json::value JsonNumber(double value);
boost::json::object TagsToJson(const std::map<std::string, std::string>& tags);
boost::json::array StringsToJson(const std::vector<std::string>& values);

}  // namespace kh::api
