#include "api/object_json.h"

#include <charconv>

#include "api/json_body.h"
#include "core/base64.h"

namespace kh::api {
namespace json = boost::json;

json::object AttributesToJson(const domain::ObjectAttributes& a, const domain::Vault& vault) {
  json::object o{{"enabled", a.enabled}};
  if (a.not_before) o["nbf"] = *a.not_before;
  if (a.expires) o["exp"] = *a.expires;
  o["created"] = a.created;
  o["updated"] = a.updated;
  o["recoveryLevel"] = vault.RecoveryLevel();
  o["recoverableDays"] = vault.retention_days;
  return o;
}

StatusOr<AttributesInput> ParseAttributes(const json::object& body) {
  AttributesInput in;
  KH_ASSIGN_OR_RETURN(std::optional<json::object> attrs, OptObject(body, "attributes"));
  if (!attrs) return in;
  KH_ASSIGN_OR_RETURN(in.enabled, OptBool(*attrs, "enabled"));
  auto timestamp = [&](std::string_view key) -> StatusOr<std::optional<std::optional<int64_t>>> {
    auto it = attrs->find(key);
    if (it == attrs->end()) return std::optional<std::optional<int64_t>>();
    if (it->value().is_null()) return std::optional<std::optional<int64_t>>(std::nullopt);
    KH_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptInt(*attrs, key));
    return std::optional<std::optional<int64_t>>(v);
  };
  KH_ASSIGN_OR_RETURN(in.not_before, timestamp("nbf"));
  KH_ASSIGN_OR_RETURN(in.expires, timestamp("exp"));
  return in;
}

StatusOr<PropertiesInput> ParseProperties(const json::object& body) {
  PropertiesInput in;
  KH_ASSIGN_OR_RETURN(in.content_type, OptString(body, "contentType"));
  KH_ASSIGN_OR_RETURN(in.tags, OptStringMap(body, "tags"));
  KH_ASSIGN_OR_RETURN(in.attributes, ParseAttributes(body));
  return in;
}

namespace {

StatusOr<size_t> PageSize(const Call& call) {
  if (!call.target.HasQuery("maxresults")) return domain::kMaxPageSize;
  std::string v = call.target.Query("maxresults");
  int n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 1 ||
      n > static_cast<int>(domain::kMaxPageSize)) {
    return InvalidArgument("maxresults must be an integer from 1 to 25.");
  }
  return static_cast<size_t>(n);
}

StatusOr<std::string> PageMarker(const Call& call) {
  std::string token = call.target.Query("$skiptoken");
  if (token.empty()) return std::string();
  auto decoded = Base64UrlDecode(token);
  if (!decoded.ok()) return InvalidArgument("The $skiptoken is invalid.");
  return *decoded;
}

}  // namespace

StatusOr<PageRequest> ParsePageRequest(const Call& call) {
  PageRequest page;
  KH_ASSIGN_OR_RETURN(page.size, PageSize(call));
  KH_ASSIGN_OR_RETURN(page.marker, PageMarker(call));
  return page;
}

json::value NextLink(const Call& call, std::string_view path,
                     const std::optional<std::string>& marker, size_t page_size) {
  if (!marker) return nullptr;
  return json::value(call.api.VaultUrl(call.admission.vault->name) + std::string(path) +
                     "?api-version=" + UrlEncode(call.target.Query("api-version")) +
                     "&$skiptoken=" + Base64UrlEncode(*marker) +
                     "&maxresults=" + std::to_string(page_size));
}

json::object ListPage(const Call& call, std::string_view path,
                      const std::optional<std::string>& next_marker, size_t page_size,
                      json::array items) {
  return json::object{{"value", std::move(items)},
                      {"nextLink", NextLink(call, path, next_marker, page_size)}};
}

Response NoContent() {
  Response r;
  r.status = 204;
  return r;
}

Response BackupBlobResponse(std::string_view blob) {
  return JsonResponse(200, json::object{{"value", Base64UrlEncode(blob)}});
}

StatusOr<std::string> ParseBackupBlob(const Call& call) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(body, "value"));
  if (!value) return InvalidArgument("The property 'value' is required.");
  auto blob = Base64UrlDecode(*value);
  if (!blob.ok()) return InvalidArgument("The backup blob is not base64url.");
  return std::move(*blob);
}

Response RouteDeletedCollection(const Call& call, const DeletedCollectionRoutes& routes) {
  const auto& s = call.target.segments;
  const std::string& m = call.request.method;
  if (s.size() == 1 || (s.size() == 2 && s[1].empty())) {
    return m == "GET" ? routes.list(call) : MethodNotAllowed(call.request);
  }
  if (s.size() == 2) {
    if (m == "GET") return routes.get(call, s[1]);
    if (m == "DELETE") return routes.purge(call, s[1]);
    return MethodNotAllowed(call.request);
  }
  if (s.size() == 3 && s[2] == "recover") {
    return m == "POST" ? routes.recover(call, s[1]) : MethodNotAllowed(call.request);
  }
  return UnknownRoute(call.request);
}

}  // namespace kh::api
