// The OpenID Connect / OAuth2 surface: discovery, JWKS and the client-credentials token endpoint.
// These routes are public (no bearer token), and speak OAuth2's error shape.
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "domain/names.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr size_t kMaxFormFields = 64;
constexpr std::string_view kJwtBearerAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

bool TenantMatches(const Call& call, std::string_view tenant) {
  return domain::Lower(tenant) == domain::Lower(call.config.tenant_id);
}

Response Discovery(const Call& call) {
  std::string base = call.api.ServiceUrl() + "/" + call.config.tenant_id;
  return JsonResponse(200, json::object{
                               {"issuer", call.services.tokens->Issuer()},
                               {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
                               {"token_endpoint", base + "/oauth2/v2.0/token"},
                               {"jwks_uri", base + "/discovery/v2.0/keys"},
                               {"response_types_supported", json::array{"token"}},
                               {"grant_types_supported", json::array{"client_credentials"}},
                               {"token_endpoint_auth_methods_supported",
                                json::array{"client_secret_post", "private_key_jwt"}},
                               {"id_token_signing_alg_values_supported", json::array{"ES256"}},
                               {"tenant_region_scope", "KH"},
                           });
}

Response Jwks(const Call& call) {
  authn::PublicJwk jwk = call.services.tokens->Jwk();
  return JsonResponse(200, json::object{{"keys", json::array{json::object{
                                                     {"kty", "EC"},
                                                     {"use", "sig"},
                                                     {"alg", "ES256"},
                                                     {"crv", "P-256"},
                                                     {"kid", jwk.kid},
                                                     {"x", jwk.x},
                                                     {"y", jwk.y},
                                                 }}}});
}

// application/x-www-form-urlencoded → map; '+' is a space there.
StatusOr<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::string as_query(body);
  for (char& c : as_query) {
    if (c == '+') c = ' ';
  }
  KH_ASSIGN_OR_RETURN(Target t, ParseTarget("/?" + as_query));
  if (t.query.size() > kMaxFormFields) return InvalidArgument("Too many form fields.");
  return t.query;
}

Response Token(const Call& call) {
  auto form = ParseForm(call.request.body);
  if (!form.ok()) return OAuthErrorResponse(form.status());
  auto field = [&](const char* name) {
    auto it = form->find(name);
    return it == form->end() ? std::string() : it->second;
  };
  if (field("grant_type") != "client_credentials") {
    return OAuthErrorResponse(InvalidArgument("Only grant_type=client_credentials is supported.",
                                              "unsupported_grant_type"));
  }
  std::string scope = field("scope");
  if (scope.empty() && !field("resource").empty()) scope = field("resource") + "/.default";
  StatusOr<authn::IssuedToken> issued = Unauthenticated("no credential");
  if (form->count("client_assertion")) {
    // RFC 7523: a JWT signed with the key of one of the client's certificates.
    if (field("client_assertion_type") != kJwtBearerAssertionType) {
      return OAuthErrorResponse(InvalidArgument(
          "client_assertion_type must be " + std::string(kJwtBearerAssertionType) + ".",
          "invalid_request"));
    }
    issued = call.services.tokens->IssueForClientAssertion(field("client_id"),
                                                           field("client_assertion"), scope);
  } else if (!field("client_id").empty() && form->count("client_secret")) {
    SecretBytes secret(std::string_view(form->at("client_secret")));
    issued = call.services.tokens->IssueForClientSecret(field("client_id"), secret, scope);
  } else {
    return OAuthErrorResponse(InvalidArgument(
        "client_id with client_secret, or client_assertion, is required.", "invalid_request"));
  }
  if (!issued.ok()) return OAuthErrorResponse(issued.status());
  Response r = JsonResponse(200, json::object{{"token_type", "Bearer"},
                                              {"expires_in", issued->expires_in},
                                              {"ext_expires_in", issued->expires_in},
                                              {"access_token", issued->access_token}});
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

// App-Service-style managed identity: GET /msi/token?api-version=2019-08-01&resource=...
// with the X-IDENTITY-HEADER secret. ManagedIdentityCredential needs access_token + expires_on.
Response ManagedIdentityToken(const Call& call) {
  if (call.request.method != "GET") return MethodNotAllowed(call.request);
  std::string header = call.request.Header("x-identity-header");
  if (header.empty()) {
    return OAuthErrorResponse(Unauthenticated("The X-IDENTITY-HEADER header is required."));
  }
  std::string resource = call.target.Query("resource");
  if (resource.empty()) {
    return OAuthErrorResponse(
        InvalidArgument("The resource parameter is required.", "invalid_request"));
  }
  SecretBytes secret{std::string_view(header)};
  auto issued = call.services.tokens->IssueForManagedIdentity(secret, resource);
  if (!issued.ok()) return OAuthErrorResponse(issued.status());
  int64_t expires_on = call.services.clock->NowSeconds() + issued->expires_in;
  Response r = JsonResponse(200, json::object{{"access_token", issued->access_token},
                                              {"expires_on", std::to_string(expires_on)},
                                              {"resource", resource},
                                              {"token_type", "Bearer"}});
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

Response HandleIdentity(const Call& call) {
  const auto& s = call.target.segments;
  const std::string& method = call.request.method;
  if (s.empty()) return UnknownRoute(call.request);
  if (s.size() == 2 && s[0] == "msi" && s[1] == "token") return ManagedIdentityToken(call);
  if (!TenantMatches(call, s[0])) {
    return OAuthErrorResponse(InvalidArgument(
        "Tenant '" + s[0].substr(0, 64) + "' not found on this server.", "invalid_tenant"));
  }
  if (s.size() == 4 && s[1] == "v2.0" && s[2] == ".well-known" && s[3] == "openid-configuration") {
    return method == "GET" ? Discovery(call) : MethodNotAllowed(call.request);
  }
  if (s.size() == 4 && s[1] == "discovery" && s[2] == "v2.0" && s[3] == "keys") {
    return method == "GET" ? Jwks(call) : MethodNotAllowed(call.request);
  }
  if (s.size() == 4 && s[1] == "oauth2" && s[2] == "v2.0" && s[3] == "token") {
    return method == "POST" ? Token(call) : MethodNotAllowed(call.request);
  }
  return UnknownRoute(call.request);
}

}  // namespace kh::api
