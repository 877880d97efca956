#include "cli/api_client.h"

#include <boost/json/serialize.hpp>

#include "cli/json_util.h"
#include "cli/wipe.h"
#include "core/ids.h"

namespace kh::cli {
namespace {

constexpr char kUserAgent[] = "keyhaven-cli/1";

class HttpsTransport final : public Transport {
 public:
  explicit HttpsTransport(http::HttpsClientOptions options) : client_(std::move(options)) {}
  StatusOr<http::HttpResponse> Send(std::string_view method, std::string_view url,
                                    const std::map<std::string, std::string>& headers,
                                    std::string_view body) override {
    return client_.Request(method, url, headers, body);
  }

 private:
  http::HttpsClient client_;
};

bool IsSuccess(int status) { return status >= 200 && status < 300; }

bool MethodHasBody(std::string_view method) {
  return method == "PUT" || method == "POST" || method == "PATCH";
}

std::map<std::string, std::string> BaseHeaders() {
  return {{"accept", "application/json"},
          {"user-agent", kUserAgent},
          {"x-ms-client-request-id", NewGuid()}};
}

}  // namespace

std::unique_ptr<Transport> MakeHttpsTransport(http::HttpsClientOptions options) {
  return std::make_unique<HttpsTransport>(std::move(options));
}

StatusCode StatusCodeForHttp(int http_status) {
  switch (http_status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 405:
      return StatusCode::kMethodNotAllowed;
    case 409:
      return StatusCode::kConflict;
    case 412:
      return StatusCode::kConflict;
    case 413:
      return StatusCode::kTooLarge;
    case 429:
      return StatusCode::kThrottled;
    case 502:
    case 503:
    case 504:
      return StatusCode::kUnavailable;
    default:
      return http_status >= 400 && http_status < 500 ? StatusCode::kInvalidArgument
                                                     : StatusCode::kInternal;
  }
}

Status ErrorFromResponse(const http::HttpResponse& response) {
  const StatusCode code = StatusCodeForHttp(response.status);
  std::string azure_code = "HTTP " + std::to_string(response.status);
  std::string message = "the server answered HTTP " + std::to_string(response.status);
  std::string inner_code;
  StatusOr<boost::json::value> parsed = ParseJson(response.body, "error body");
  if (parsed.ok()) {
    const boost::json::value* error = GetMember(*parsed, "error");
    if (error != nullptr && error->is_object()) {  // Azure: {"error":{"code","message"}}
      if (auto c = GetString(*error, "code"); c && !c->empty()) azure_code = *c;
      if (auto m = GetString(*error, "message"); m && !m->empty()) message = *m;
      if (const boost::json::value* inner = GetMember(*error, "innererror")) {
        inner_code = GetString(*inner, "code").value_or("");
      }
    } else if (error != nullptr && error->is_string()) {  // OAuth: {"error","error_description"}
      if (!error->get_string().empty()) azure_code = std::string(error->get_string());
      if (auto d = GetString(*parsed, "error_description"); d && !d->empty()) message = *d;
    }
  }
  return Status(code, std::move(azure_code), std::move(message), std::move(inner_code));
}

ApiClient::ApiClient(Credentials credentials, ServerUrl server,
                     std::unique_ptr<Transport> transport)
    : credentials_(std::move(credentials)),
      server_(std::move(server)),
      transport_(std::move(transport)) {}

Status ApiClient::EnsureToken() {
  if (!authorization_.empty()) return Status::Ok();
  ServerUrl authority = server_;
  if (!credentials_.authority_host.empty()) {
    StatusOr<ServerUrl> parsed = ParseServerUrl(credentials_.authority_host);
    if (!parsed.ok()) {
      return InvalidArgument(
          "authority host from " + credentials_.source + ": " + parsed.status().message(),
          "CredentialsError");
    }
    authority = *std::move(parsed);
  }
  std::map<std::string, std::string> headers = BaseHeaders();
  headers["content-type"] = "application/x-www-form-urlencoded";
  SecretBytes body =
      TokenRequestBody(credentials_.client_id, credentials_.client_secret, server_.Scope());
  KH_ASSIGN_OR_RETURN(http::HttpResponse response,
                      transport_->Send("POST", TokenUrl(authority, credentials_.tenant_id), headers,
                                       body.Reveal()));
  if (!IsSuccess(response.status)) {
    Status error = ErrorFromResponse(response);
    WipeString(response.body);
    return Status(
        error.code(), error.azure_code(),
        "getting a token for client " + credentials_.client_id + " failed: " + error.message(),
        error.inner_code());
  }
  StatusOr<boost::json::value> parsed = ParseJson(response.body, "token response");
  WipeString(response.body);
  if (!parsed.ok()) return Internal("the token endpoint returned a response that is not JSON");
  const boost::json::value* token = GetMember(*parsed, "access_token");
  if (token == nullptr || !token->is_string() || token->get_string().empty()) {
    return Internal("the token endpoint returned no access_token");
  }
  std::string_view raw = token->get_string();
  SecretBytes authorization(7 + raw.size());
  std::copy_n("Bearer ", 7, authorization.MutableData());
  std::copy(raw.begin(), raw.end(), authorization.MutableData() + 7);
  authorization_ = std::move(authorization);
  return Status::Ok();
}

StatusOr<http::HttpResponse> ApiClient::SendAuthorized(std::string_view method,
                                                       std::string_view url,
                                                       std::string_view body,
                                                       std::string_view content_type) {
  KH_RETURN_IF_ERROR(EnsureToken());
  std::map<std::string, std::string> headers = BaseHeaders();
  headers["authorization"] = std::string(authorization_.Reveal());
  if (!content_type.empty()) headers["content-type"] = std::string(content_type);
  StatusOr<http::HttpResponse> sent = transport_->Send(method, url, headers, body);
  WipeString(headers["authorization"]);
  KH_ASSIGN_OR_RETURN(http::HttpResponse response, std::move(sent));
  if (!IsSuccess(response.status)) {
    Status error = ErrorFromResponse(response);
    WipeString(response.body);
    return error;
  }
  return response;
}

StatusOr<boost::json::value> ApiClient::Call(std::string_view method, std::string_view url,
                                             std::string_view body) {
  const bool json_body = !body.empty() || MethodHasBody(method);
  KH_ASSIGN_OR_RETURN(http::HttpResponse response,
                      SendAuthorized(method, url, body, json_body ? "application/json" : ""));
  if (response.body.empty()) return boost::json::value(nullptr);
  StatusOr<boost::json::value> parsed = ParseJson(response.body, "response");
  WipeString(response.body);
  if (!parsed.ok()) return Internal("the server returned a response that is not JSON");
  return parsed;
}

StatusOr<std::string> ApiClient::CallBytes(std::string_view method, std::string_view url,
                                           std::string_view body) {
  KH_ASSIGN_OR_RETURN(http::HttpResponse response,
                      SendAuthorized(method, url, body, "application/octet-stream"));
  return std::move(response.body);
}

StatusOr<boost::json::value> ApiClient::CallWithJson(std::string_view method, std::string_view url,
                                                     const boost::json::value& body) {
  std::string text = boost::json::serialize(body);
  StatusOr<boost::json::value> result = Call(method, url, std::string_view(text));
  WipeString(text);
  return result;
}

StatusOr<boost::json::array> ApiClient::ListAll(std::string_view url) {
  KH_ASSIGN_OR_RETURN(ServerUrl origin, OriginOf(url));
  boost::json::array items(WipingStorage());
  std::string next(url);
  for (int page = 0; page < kMaxListPages; ++page) {
    KH_ASSIGN_OR_RETURN(boost::json::value body, Call("GET", next));
    const boost::json::value* value = GetMember(body, "value");
    if (value == nullptr || !value->is_array()) {
      return Internal("the server returned a list page without a \"value\" array");
    }
    for (const boost::json::value& item : value->get_array()) items.push_back(item);
    const boost::json::value* link = GetMember(body, "nextLink");
    if (link == nullptr || link->is_null()) return items;
    if (!link->is_string()) return Internal("the server returned a nextLink that is not a string");
    if (link->get_string().empty()) return items;
    next = std::string(link->get_string());
    StatusOr<ServerUrl> next_origin = OriginOf(next);
    if (!next_origin.ok() || !(*next_origin == origin)) {
      return Internal("the server returned a nextLink to another origin; not following it");
    }
  }
  return Internal("listing did not end after " + std::to_string(kMaxListPages) + " pages");
}

}  // namespace kh::cli
