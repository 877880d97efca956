#include "authn/token_service.h"

#include <boost/json.hpp>

#include "core/ascii.h"
#include "core/base64.h"
#include "core/ids.h"
#include "crypto/hash.h"
#include "crypto/jws.h"

namespace kh::authn {
namespace json = boost::json;
namespace {

constexpr std::string_view kDefaultScopeSuffix = "/.default";
// Tokens are short; allow a little clock skew for nbf.
constexpr int64_t kClockSkewSeconds = 300;

Status BadToken(std::string reason) {
  return Unauthenticated("The access token is invalid: " + std::move(reason));
}

std::optional<std::string> StringClaim(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

std::optional<int64_t> IntClaim(const json::object& o, std::string_view name) {
  auto it = o.find(name);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  return std::nullopt;
}

}  // namespace

std::string NormalizeResource(std::string_view resource) {
  std::string r = AsciiLower(resource);
  while (!r.empty() && r.back() == '/') r.pop_back();
  if (r.size() > 4 && r.compare(r.size() - 4, 4, ":443") == 0) r.resize(r.size() - 4);
  return r;
}

TokenService::TokenService(TokenConfig config, crypto::EcPrivateKey signing_key,
                           PrincipalStore* principals, const Clock* clock)
    : config_(std::move(config)),
      signing_key_(std::move(signing_key)),
      public_key_(signing_key_.PublicKey()),
      principals_(principals),
      clock_(clock) {
  jwk_.x = Base64UrlEncode(signing_key_.PublicX());
  jwk_.y = Base64UrlEncode(signing_key_.PublicY());
  // RFC 7638-style thumbprint, shortened: stable across restarts for the same key.
  jwk_.kid = Base64UrlEncode(crypto::Sha256(jwk_.x + "." + jwk_.y)).substr(0, 22);
}

StatusOr<IssuedToken> TokenService::IssueForClientSecret(std::string_view client_id,
                                                         const SecretBytes& client_secret,
                                                         std::string_view scope) {
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
  KH_ASSIGN_OR_RETURN(Principal principal, principals_->Authenticate(client_id, client_secret));
  return IssueFor(principal, config_.resource);
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

StatusOr<Caller> TokenService::VerifyUncached(std::string_view token) {
  auto parts = crypto::JwsSplit(token);
  if (!parts.ok()) return BadToken("it is not a well-formed JWT.");
  boost::system::error_code ec;
  json::value header = json::parse(parts->header_json, ec);
  if (ec || !header.is_object()) return BadToken("the header is not JSON.");
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
  return caller;
}

}  // namespace kh::authn
