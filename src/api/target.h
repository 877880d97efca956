#pragma once
// Parses a request-target: percent-decoded path segments (empty segments kept: the SDKs send
// `/secrets/n/` and `/keys/k//sign`) and query parameters with percent-decoded names
// (the JS SDK sends `api%2Dversion`). Malformed encoding is InvalidArgument.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status_or.h"

namespace kh::api {

constexpr size_t kMaxQueryParams = 32;

struct Target {
  std::vector<std::string> segments;  // "/a//b/" -> {"a", "", "b", ""}
  std::map<std::string, std::string> query;

  std::string Query(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
  bool HasQuery(const std::string& name) const { return query.count(name) > 0; }
};

StatusOr<Target> ParseTarget(std::string_view target);

// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
std::string UrlEncode(std::string_view value);

}  // namespace kh::api
