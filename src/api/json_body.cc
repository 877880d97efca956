#include "api/json_body.h"

namespace kh::api {
namespace json = boost::json;
namespace {

Status WrongType(std::string_view key, std::string_view expected) {
  return InvalidArgument("The property '" + std::string(key) + "' must be " +
                         std::string(expected) + ".");
}

}  // namespace

StatusOr<json::object> ParseJsonObject(std::string_view body) {
  if (body.empty()) return InvalidArgument("The request body is required and must be JSON.");
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, options);
  if (ec) return InvalidArgument("The request body is not valid JSON.");
  if (!v.is_object()) return InvalidArgument("The request body must be a JSON object.");
  return std::move(v.as_object());
}

StatusOr<std::optional<std::string>> OptString(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) return WrongType(key, "a string");
  return std::optional<std::string>(std::string(it->value().as_string()));
}

StatusOr<std::optional<bool>> OptBool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) return WrongType(key, "a boolean");
  return std::optional<bool>(it->value().as_bool());
}

StatusOr<std::optional<int64_t>> OptInt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<int64_t>();
  const json::value& v = it->value();
  if (v.is_int64()) return std::optional<int64_t>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() <= uint64_t(INT64_MAX)) {
    return std::optional<int64_t>(static_cast<int64_t>(v.as_uint64()));
  }
  if (v.is_double()) {
    double d = v.as_double();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return WrongType(key, "an integer");
}

StatusOr<std::optional<json::object>> OptObject(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::optional<json::object>();
  if (!it->value().is_object()) return WrongType(key, "an object");
  return std::optional<json::object>(it->value().as_object());
}

StatusOr<std::optional<std::map<std::string, std::string>>> OptStringMap(const json::object& o,
                                                                         std::string_view key) {
  KH_ASSIGN_OR_RETURN(std::optional<json::object> obj, OptObject(o, key));
  if (!obj) return std::optional<std::map<std::string, std::string>>();
  std::map<std::string, std::string> out;
  for (const auto& kv : *obj) {
    if (!kv.value().is_string()) return WrongType(key, "an object of string values");
    out[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  return std::optional<std::map<std::string, std::string>>(std::move(out));
}

Response JsonResponse(int status, const json::value& body) {
  Response r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

json::array StringsToJson(const std::vector<std::string>& values) {
  json::array a;
  for (const auto& v : values) a.push_back(json::value(v));
  return a;
}

json::object TagsToJson(const std::map<std::string, std::string>& tags) {
  json::object o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
}

}  // namespace kh::api

namespace kh::api {

boost::json::value JsonNumber(double value) {
  if (value == static_cast<double>(static_cast<int64_t>(value)) && value > -9e15 && value < 9e15) {
    return static_cast<int64_t>(value);
  }
  return value;
}

}  // namespace kh::api

namespace kh::api {

StatusOr<std::vector<std::string>> OptStringList(const boost::json::object& o, std::string_view key,
                                                 std::string azure_code) {
  std::vector<std::string> out;
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return out;
  const auto bad = [&] {
    return InvalidArgument("The property '" + std::string(key) + "' must be an array of strings.",
                           azure_code);
  };
  if (!it->value().is_array()) return bad();
  for (const boost::json::value& v : it->value().get_array()) {
    if (!v.is_string()) return bad();
    out.emplace_back(v.get_string());
  }
  return out;
}

}  // namespace kh::api
