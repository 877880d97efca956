#include "api/target.h"

#include <boost/url.hpp>

namespace kh::api {

StatusOr<Target> ParseTarget(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    return InvalidArgument("The request URL is malformed (bad percent-encoding or characters).");
  }
  Target out;
  std::string_view path = parsed->encoded_path();
  // Split by hand so that empty segments survive exactly as sent.
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view piece = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    auto decoded = boost::urls::make_pct_string_view(piece);
    if (!decoded) return InvalidArgument("The request path has bad percent-encoding.");
    out.segments.push_back(decoded->decode());
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (out.segments.size() == 1 && out.segments[0].empty()) out.segments.clear();
  for (auto param : parsed->params()) {
    if (out.query.size() >= kMaxQueryParams) {
      return InvalidArgument("The request has too many query parameters.");
    }
    out.query[param.key] = param.has_value ? param.value : std::string();
  }
  return out;
}

std::string UrlEncode(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace kh::api
