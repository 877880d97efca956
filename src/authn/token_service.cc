#include "authn/token_service.h"

#include <boost/json.hpp>

#include "authn/claims.h"
#include "core/ascii.h"
#include "core/base64.h"
#include "core/ids.h"
#include "crypto/hash.h"
#include "crypto/jws.h"
#include "crypto/verifying_key.h"

namespace kh::authn {
namespace json = boost::json;
namespace {

constexpr std::string_view kDefaultScopeSuffix = "/.default";
// Tokens are short; allow a little clock skew for nbf.
constexpr int64_t kClockSkewSeconds = 300;

Status BadToken(std::string reason) {
  return Unauthenticated("The access token is invalid: " + std::move(reason));
}

}  // namespace

std::string NormalizeResource(std::string_view resource) {
  std::string r = AsciiLower(resource);
  while (!r.empty() && r.back() == '/') r.pop_back();
  if (r.size() > 4 && r.compare(r.size() - 4, 4, ":443") == 0) r.resize(r.size() - 4);
  return r;
}

TokenService::TokenService(TokenConfig config, crypto::EcPrivateKey signing_key,
                           PrincipalStore* principals, const Clock* clock,
                           ExternalIssuers* external)
    : config_(std::move(config)),
      signing_key_(std::move(signing_key)),
      public_key_(signing_key_.PublicKey()),
      principals_(principals),
      external_(external && !external->empty() ? external : nullptr),
      clock_(clock) {
  jwk_.x = Base64UrlEncode(signing_key_.PublicX());
  jwk_.y = Base64UrlEncode(signing_key_.PublicY());
  // RFC 7638-style thumbprint, shortened: stable across restarts for the same key.
  jwk_.kid = Base64UrlEncode(crypto::Sha256(jwk_.x + "." + jwk_.y)).substr(0, 22);
}

StatusOr<std::string> TokenService::AudienceFromScope(std::string_view scope) const {
  std::string audience;
  size_t pos = 0;
  while (pos < scope.size()) {
    size_t end = scope.find(' ', pos);
    if (end == std::string_view::npos) end = scope.size();
    std::string_view one = scope.substr(pos, end - pos);
    if (one.size() > kDefaultScopeSuffix.size() &&
        one.substr(one.size() - kDefaultScopeSuffix.size()) == kDefaultScopeSuffix) {
      audience = std::string(one.substr(0, one.size() - kDefaultScopeSuffix.size()));
      break;
    }
    pos = end + 1;
  }
  if (audience.empty()) {
    return InvalidArgument("The scope must name a resource as '<resource>/.default'.",
                           "invalid_scope");
  }
  if (NormalizeResource(audience) != NormalizeResource(config_.resource)) {
    return InvalidArgument("The resource '" + audience.substr(0, 200) +
                               "' is not served by this Keyhaven server; use '" + config_.resource +
                               "/.default'.",
                           "invalid_scope");
  }
  return audience;
}

StatusOr<IssuedToken> TokenService::IssueForClientSecret(std::string_view client_id,
                                                         const SecretBytes& client_secret,
                                                         std::string_view scope) {
  KH_RETURN_IF_ERROR(AudienceFromScope(scope).status());
  KH_ASSIGN_OR_RETURN(Principal principal, principals_->Authenticate(client_id, client_secret));
  return IssueFor(principal, config_.resource);
}

StatusOr<IssuedToken> TokenService::IssueForClientAssertion(std::string_view client_id,
                                                            std::string_view assertion,
                                                            std::string_view scope) {
  KH_RETURN_IF_ERROR(AudienceFromScope(scope).status());
  KH_ASSIGN_OR_RETURN(Principal principal, AuthenticateAssertion(client_id, assertion));
  return IssueFor(principal, config_.resource);
}

StatusOr<Principal> TokenService::AuthenticateAssertion(std::string_view client_id,
                                                        std::string_view assertion) {
  auto bad = [](std::string reason) {
    return Unauthenticated("The client assertion is invalid: " + std::move(reason));
  };
  auto parts = crypto::JwsSplit(assertion);
  if (!parts.ok()) return bad("it is not a well-formed JWT.");
  boost::system::error_code ec;
  json::value header = json::parse(parts->header_json, ec);
  if (ec || !header.is_object()) return bad("the header is not JSON.");
  json::value payload = json::parse(parts->payload_json, ec);
  if (ec || !payload.is_object()) return bad("the payload is not JSON.");
  const json::object& claims = payload.as_object();
  std::string issuer = StringClaim(claims, "iss").value_or("");
  if (issuer.empty() || StringClaim(claims, "sub") != issuer ||
      (!client_id.empty() && client_id != issuer)) {
    return bad("iss and sub must both be the client id.");
  }
  auto aud = StringClaim(claims, "aud");
  if (!aud || NormalizeResource(*aud) != NormalizeResource(TokenEndpoint())) {
    return bad("the audience must be " + TokenEndpoint() + ".");
  }
  int64_t now = clock_->NowSeconds();
  auto exp = IntClaim(claims, "exp");
  if (!exp || *exp <= now) return bad("it has expired.");
  auto nbf = IntClaim(claims, "nbf");
  if (nbf && *nbf > now + kClockSkewSeconds) return bad("it is not yet valid.");

  KH_ASSIGN_OR_RETURN(std::optional<Principal> principal, principals_->Find(issuer));
  if (!principal) return bad("no certificate credential matches it.");
  std::string x5t_s256 = StringClaim(header.as_object(), "x5t#S256").value_or("");
  std::string x5t = StringClaim(header.as_object(), "x5t").value_or("");
  std::string alg = StringClaim(header.as_object(), "alg").value_or("");
  for (const Credential& c : principal->credentials) {
    if (c.type != kCertificateCredential) continue;
    bool named = (!x5t_s256.empty() && x5t_s256 == c.thumbprint_sha256) ||
                 (x5t_s256.empty() && !x5t.empty() && x5t == c.thumbprint_sha1);
    if (!named) continue;
    if (!c.ValidAt(now)) return bad("the certificate credential has expired or is not yet valid.");
    KH_ASSIGN_OR_RETURN(crypto::VerifyingKey key,
                        crypto::VerifyingKey::FromCertificatePem(c.certificate_pem, nullptr));
    if (!key.VerifyJws(alg, parts->signing_input, parts->signature)) {
      return bad("the signature does not verify.");
    }
    return std::move(*principal);
  }
  return bad("no certificate credential matches it.");
}

StatusOr<IssuedToken> TokenService::IssueForManagedIdentity(const SecretBytes& identity_secret,
                                                            std::string_view resource) {
  std::string_view r = resource;
  if (r.size() > kDefaultScopeSuffix.size() &&
      r.substr(r.size() - kDefaultScopeSuffix.size()) == kDefaultScopeSuffix) {
    r.remove_suffix(kDefaultScopeSuffix.size());
  }
  if (NormalizeResource(r) != NormalizeResource(config_.resource)) {
    return InvalidArgument("The resource '" + std::string(r.substr(0, 200)) +
                               "' is not served by this Keyhaven server; use '" + config_.resource +
                               "'.",
                           "invalid_resource");
  }
  KH_ASSIGN_OR_RETURN(Principal principal, principals_->AuthenticateIdentity(identity_secret));
  return IssueFor(principal, config_.resource);
}

StatusOr<IssuedToken> TokenService::IssueFor(const Principal& principal,
                                             std::string_view audience) {
  int64_t now = clock_->NowSeconds();
  json::object header{{"alg", "ES256"}, {"typ", "JWT"}, {"kid", jwk_.kid}};
  json::object claims{
      {"aud", audience},
      {"iss", Issuer()},
      {"iat", now},
      {"nbf", now},
      {"exp", now + kTokenLifetimeSeconds},
      {"oid", principal.object_id},
      {"sub", principal.object_id},
      {"tid", config_.tenant_id},
      {"appid", principal.client_id},
      {"azp", principal.client_id},
      {"idtyp", "app"},
      {"ver", "2.0"},
      {"uti", NewVersionId()},
  };
  KH_ASSIGN_OR_RETURN(std::string token, crypto::JwsSignEs256(signing_key_, json::serialize(header),
                                                              json::serialize(claims)));
  return IssuedToken{std::move(token), kTokenLifetimeSeconds};
}

StatusOr<Caller> TokenService::Verify(std::string_view token) {
  std::string digest = crypto::Sha256(token);
  int64_t now = clock_->NowSeconds();
  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(digest);
    if (it != cache_.end()) {
      if (it->second.expires > now) return it->second;
      cache_.erase(it);
      return BadToken("the token has expired.");
    }
  }
  KH_ASSIGN_OR_RETURN(Caller caller, VerifyUncached(token));
  std::lock_guard lock(cache_mu_);
  // A full cache is simply dropped: entries are cheap to rebuild and this bounds memory.
  if (cache_.size() >= kMaxCachedTokens) cache_.clear();
  cache_.emplace(std::move(digest), caller);
  return caller;
}

void TokenService::ForgetPrincipal(std::string_view object_id) {
  std::lock_guard lock(cache_mu_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.second.object_id == object_id; });
}

StatusOr<Caller> TokenService::VerifyUncached(std::string_view token) {
  auto parts = crypto::JwsSplit(token);
  if (!parts.ok()) return BadToken("it is not a well-formed JWT.");
  boost::system::error_code ec;
  json::value header = json::parse(parts->header_json, ec);
  if (ec || !header.is_object()) return BadToken("the header is not JSON.");
  if (external_ && StringClaim(header.as_object(), "kid") != jwk_.kid) {
    auto claims = ParseObject(parts->payload_json);
    std::string iss = claims ? StringClaim(*claims, "iss").value_or("") : "";
    if (iss != Issuer() && external_->Trusts(iss)) {
      KH_ASSIGN_OR_RETURN(Caller caller, external_->Verify({parts->header_json, parts->payload_json,
                                                            parts->signing_input, parts->signature},
                                                           config_.resource));
      // An outside issuer cannot speak for Keyhaven's own administrator.
      if (!config_.bootstrap_admin_object_id.empty() &&
          caller.object_id == config_.bootstrap_admin_object_id) {
        return BadToken("an external issuer cannot name the bootstrap administrator.");
      }
      return caller;
    }
  }
  if (StringClaim(header.as_object(), "alg") != "ES256") {
    return BadToken("the signing algorithm is not accepted.");
  }
  if (StringClaim(header.as_object(), "kid") != jwk_.kid) {
    return BadToken("the signing key is not known.");
  }
  if (!public_key_.Verify(parts->signing_input, parts->signature)) {
    return BadToken("the signature does not verify.");
  }
  json::value payload = json::parse(parts->payload_json, ec);
  if (ec || !payload.is_object()) return BadToken("the payload is not JSON.");
  const json::object& claims = payload.as_object();
  if (StringClaim(claims, "iss") != Issuer()) return BadToken("the issuer is not trusted.");
  auto aud = StringClaim(claims, "aud");
  if (!aud || NormalizeResource(*aud) != NormalizeResource(config_.resource)) {
    return BadToken("the audience is not this server.");
  }
  auto exp = IntClaim(claims, "exp");
  int64_t now = clock_->NowSeconds();
  if (!exp || *exp <= now) return BadToken("the token has expired.");
  auto nbf = IntClaim(claims, "nbf");
  if (nbf && *nbf > now + kClockSkewSeconds) return BadToken("the token is not yet valid.");
  Caller caller;
  caller.object_id = StringClaim(claims, "oid").value_or("");
  caller.client_id = StringClaim(claims, "appid").value_or("");
  caller.tenant_id = StringClaim(claims, "tid").value_or("");
  caller.audience = *aud;
  caller.expires = *exp;
  if (caller.object_id.empty()) return BadToken("the token names no object id.");
  // A principal deleted since the token was issued loses it (checked once per token: cached).
  auto principal = principals_->Find(caller.client_id);
  if (!principal.ok()) return principal.status();
  if (!*principal || (*principal)->object_id != caller.object_id) {
    return BadToken("the principal no longer exists.");
  }
  return caller;
}

}  // namespace kh::authn
