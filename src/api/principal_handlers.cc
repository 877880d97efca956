// Keyhaven's principal administration (not part of Azure's API; Entra ID's app registrations
// play this role there). Only the bootstrap administrator may use it.
//   POST   /admin/principals                       {"displayName", "managedIdentity"?,
//                                                   "secretEndDateTime"?} → principal + secret
//   GET    /admin/principals                       list
//   GET    /admin/principals/{clientId}            one, with its credentials (never secrets)
//   DELETE /admin/principals/{clientId}            also revokes its tokens
//   POST   /admin/principals/{clientId}/credentials  {"type": "Password"|"AsymmetricX509Cert",
//          "displayName"?, "endDateTime"? (Password), "certificate"? (PEM, certificate)}
//   GET    /admin/principals/{clientId}/credentials
//   DELETE /admin/principals/{clientId}/credentials/{keyId}
#include <boost/json.hpp>

#include "api/call.h"
#include "api/error_mapping.h"
#include "api/json_body.h"
#include "core/time_format.h"

namespace kh::api {
namespace json = boost::json;
namespace {

constexpr std::string_view kActionRead = "Keyhaven/principals/read";
constexpr std::string_view kActionWrite = "Keyhaven/principals/write";
constexpr std::string_view kActionDelete = "Keyhaven/principals/delete";
constexpr size_t kMaxDisplayNameLength = 256;

json::object CredentialToJson(const authn::Credential& c, int64_t now) {
  json::object o{{"keyId", c.key_id},
                 {"type", c.type},
                 {"displayName", c.display_name},
                 {"startDateTime", FormatIso8601(c.start)},
                 {"endDateTime", c.end ? json::value(FormatIso8601(c.end)) : json::value(nullptr)},
                 {"expired", c.end != 0 && now >= c.end}};
  if (c.type == authn::kPasswordCredential) {
    o["hint"] = c.hint;
  } else {
    o["thumbprint"] = c.thumbprint_sha1;
    o["thumbprintSha256"] = c.thumbprint_sha256;
    o["subject"] = c.certificate_subject;
  }
  return o;
}

json::object PrincipalToJson(const Call& call, const authn::Principal& p) {
  int64_t now = call.services.clock->NowSeconds();
  json::array credentials;
  for (const auto& c : p.credentials) credentials.push_back(CredentialToJson(c, now));
  return json::object{{"clientId", p.client_id},
                      {"objectId", p.object_id},
                      {"tenantId", call.config.tenant_id},
                      {"displayName", p.display_name},
                      {"createdDateTime", FormatIso8601(p.created)},
                      {"bootstrapAdmin", p.bootstrap_admin},
                      {"credentials", std::move(credentials)}};
}

Response NoStore(Response r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// An optional ISO-8601 "endDateTime"-style member → seconds (0 when absent).
StatusOr<int64_t> OptEndTime(const json::object& body, std::string_view key) {
  KH_ASSIGN_OR_RETURN(std::optional<std::string> text, OptString(body, key));
  if (!text) return int64_t{0};
  std::optional<int64_t> t = ParseIso8601(*text);
  if (!t) {
    return InvalidArgument("'" + std::string(key) +
                           "' must be an ISO-8601 date-time such as 2027-01-31T00:00:00Z.");
  }
  return *t;
}

StatusOr<Response> CreatePrincipal(const Call& call) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(body, "displayName"));
  if (!name || name->empty() || name->size() > kMaxDisplayNameLength) {
    return InvalidArgument("displayName is required (1 to 256 characters).");
  }
  KH_ASSIGN_OR_RETURN(std::optional<bool> managed, OptBool(body, "managedIdentity"));
  KH_ASSIGN_OR_RETURN(int64_t end, OptEndTime(body, "secretEndDateTime"));
  KH_ASSIGN_OR_RETURN(auto created,
                      call.services.principals->Create(*name, false, {"initial", end}));
  json::object out = PrincipalToJson(call, created.first);
  out["clientSecret"] = created.second.Reveal();
  if (managed.value_or(false)) {
    // The identity secret an App-Service-style host gives its app as IDENTITY_HEADER.
    KH_ASSIGN_OR_RETURN(SecretBytes identity,
                        call.services.principals->CreateIdentitySecret(created.first.client_id));
    out["identityHeader"] = identity.Reveal();
    out["identityEndpoint"] = call.api.ServiceUrl() + "/msi/token";
  }
  return NoStore(JsonResponse(201, out));
}

StatusOr<Response> ListPrincipals(const Call& call) {
  KH_ASSIGN_OR_RETURN(auto all, call.services.principals->List());
  json::array value;
  for (const auto& p : all) value.push_back(PrincipalToJson(call, p));
  return JsonResponse(200, json::object{{"value", std::move(value)}});
}

StatusOr<Response> AddCredential(const Call& call, const std::string& client_id) {
  KH_ASSIGN_OR_RETURN(json::object body, ParseJsonObject(call.request.body));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(body, "type"));
  KH_ASSIGN_OR_RETURN(std::optional<std::string> display, OptString(body, "displayName"));
  int64_t now = call.services.clock->NowSeconds();
  if (!type || *type == authn::kPasswordCredential) {
    KH_ASSIGN_OR_RETURN(int64_t end, OptEndTime(body, "endDateTime"));
    KH_ASSIGN_OR_RETURN(
        auto added, call.services.principals->AddPassword(client_id, {display.value_or(""), end}));
    json::object out = CredentialToJson(added.first, now);
    out["secretText"] = added.second.Reveal();
    return NoStore(JsonResponse(201, out));
  }
  if (*type == authn::kCertificateCredential) {
    KH_ASSIGN_OR_RETURN(std::optional<std::string> pem, OptString(body, "certificate"));
    if (!pem || pem->empty()) {
      return InvalidArgument(
          "'certificate' (PEM) is required for an AsymmetricX509Cert credential.");
    }
    if (body.contains("endDateTime")) {
      return InvalidArgument(
          "A certificate credential is valid as long as its certificate; "
          "omit endDateTime.");
    }
    KH_ASSIGN_OR_RETURN(authn::Credential added, call.services.principals->AddCertificate(
                                                     client_id, *pem, display.value_or("")));
    return JsonResponse(201, CredentialToJson(added, now));
  }
  return InvalidArgument("'type' must be Password or AsymmetricX509Cert.");
}

std::optional<Response> Deny(const Call& call) {
  const std::string& m = call.request.method;
  std::string_view action = m == "GET" ? kActionRead : m == "DELETE" ? kActionDelete : kActionWrite;
  return DenyManagement(call, action, "/");
}

}  // namespace

// s = {"admin", "principals", ...}
Response HandlePrincipals(const Call& call) {
  const auto& s = call.target.segments;
  const std::string& method = call.request.method;
  if (method != "GET" && method != "POST" && method != "DELETE") {
    return MethodNotAllowed(call.request);
  }
  if (auto denied = Deny(call)) return *denied;
  return Respond([&]() -> StatusOr<Response> {
    if (s.size() == 2) {
      if (method == "POST") return CreatePrincipal(call);
      if (method == "GET") return ListPrincipals(call);
      return MethodNotAllowed(call.request);
    }
    const std::string& client_id = s[2];
    if (s.size() == 3) {
      if (method == "GET") {
        KH_ASSIGN_OR_RETURN(authn::Principal p, call.services.principals->Get(client_id));
        return JsonResponse(200, PrincipalToJson(call, p));
      }
      if (method == "DELETE") {
        KH_ASSIGN_OR_RETURN(authn::Principal p, call.services.principals->Get(client_id));
        KH_RETURN_IF_ERROR(call.services.principals->Delete(client_id));
        call.services.tokens->ForgetPrincipal(p.object_id);
        return JsonResponse(200, PrincipalToJson(call, p));
      }
      return MethodNotAllowed(call.request);
    }
    if (s[3] != "credentials" || s.size() > 5) return UnknownRoute(call.request);
    if (s.size() == 4) {
      if (method == "POST") return AddCredential(call, client_id);
      if (method == "GET") {
        KH_ASSIGN_OR_RETURN(authn::Principal p, call.services.principals->Get(client_id));
        json::array value;
        int64_t now = call.services.clock->NowSeconds();
        for (const auto& c : p.credentials) value.push_back(CredentialToJson(c, now));
        return JsonResponse(200, json::object{{"value", std::move(value)}});
      }
      return MethodNotAllowed(call.request);
    }
    if (method != "DELETE") return MethodNotAllowed(call.request);
    KH_ASSIGN_OR_RETURN(authn::Credential removed,
                        call.services.principals->RemoveCredential(client_id, s[4]));
    return JsonResponse(200, CredentialToJson(removed, call.services.clock->NowSeconds()));
  });
}

}  // namespace kh::api
