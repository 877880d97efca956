#pragma once
// TokenService: Keyhaven's own OAuth2 token service (client credentials) and the verifier of
// the bearer tokens it issued. Tokens are ES256 JWTs, one hour, with audience = the requested
// resource, and `oid`/`tid`/`appid` claims as Entra ID issues them.
//
// Verification is on every request, so verified claims are cached (keyed by a SHA-256 of the
// token) until the token expires; the expiry is re-checked against the clock on every use.
// Thread-safe.
//
// Errors: Unauthenticated for any bad or expired token or credential (never saying which part
// failed beyond a short reason); InvalidArgument with an OAuth code ("invalid_scope",
// "invalid_request", "unsupported_grant_type") as azure_code for bad token requests.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "authn/external_issuers.h"
#include "authn/principal.h"
#include "authn/principal_store.h"
#include "core/clock.h"
#include "core/secret_bytes.h"
#include "crypto/ec_key.h"

namespace kh::authn {

constexpr int64_t kTokenLifetimeSeconds = 3600;
constexpr size_t kMaxCachedTokens = 100000;

struct TokenConfig {
  std::string authority;  // https://{domain}:{port}; tokens' issuer is {authority}/{tenant}/v2.0
  std::string tenant_id;
  std::string resource;  // the audience every token must carry: https://{domain}:{port}
  std::string bootstrap_admin_object_id;  // no external issuer may claim this id
};

struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;
};

struct PublicJwk {
  std::string kid;
  std::string x;  // base64url
  std::string y;  // base64url
};

class TokenService {
 public:
  // `external` (optional) are trusted outside OpenID issuers whose tokens Verify also accepts.
  TokenService(TokenConfig config, crypto::EcPrivateKey signing_key, PrincipalStore* principals,
               const Clock* clock, ExternalIssuers* external = nullptr);

  // grant_type=client_credentials with a client secret. `scope` is OAuth2's space-separated
  // list; the one ending in "/.default" names the resource (audience).
  StatusOr<IssuedToken> IssueForClientSecret(std::string_view client_id,
                                             const SecretBytes& client_secret,
                                             std::string_view scope);
  // grant_type=client_credentials with a certificate: an RFC 7523 client assertion (a JWT signed
  // with the key of a certificate credential, named by its x5t or x5t#S256 thumbprint, with
  // iss = sub = the client id and aud = this server's token endpoint). `client_id` may be empty.
  StatusOr<IssuedToken> IssueForClientAssertion(std::string_view client_id,
                                                std::string_view assertion, std::string_view scope);
  // The App-Service managed-identity flow: the identity secret (X-IDENTITY-HEADER) and the
  // resource the token is for.
  StatusOr<IssuedToken> IssueForManagedIdentity(const SecretBytes& identity_secret,
                                                std::string_view resource);
  // Issues a token for a principal that is already authenticated (tests, managed identity).
  StatusOr<IssuedToken> IssueFor(const Principal& principal, std::string_view audience);

  StatusOr<Caller> Verify(std::string_view token);
  // Stops accepting tokens already issued to a principal that was deleted.
  void ForgetPrincipal(std::string_view object_id);
  // The URL client assertions must name as their audience.
  std::string TokenEndpoint() const {
    return config_.authority + "/" + config_.tenant_id + "/oauth2/v2.0/token";
  }

  std::string Issuer() const { return config_.authority + "/" + config_.tenant_id + "/v2.0"; }
  const TokenConfig& config() const { return config_; }
  PublicJwk Jwk() const { return jwk_; }

 private:
  StatusOr<Caller> VerifyUncached(std::string_view token);
  StatusOr<std::string> AudienceFromScope(std::string_view scope) const;
  StatusOr<Principal> AuthenticateAssertion(std::string_view client_id, std::string_view assertion);

  TokenConfig config_;
  crypto::EcPrivateKey signing_key_;
  crypto::EcPublicKey public_key_;
  PublicJwk jwk_;
  PrincipalStore* principals_;
  ExternalIssuers* external_;
  const Clock* clock_;
  std::mutex cache_mu_;
  std::unordered_map<std::string, Caller> cache_;  // by SHA-256 of the token
};

// "https://Host:443/" and "https://host:443" name the same resource.
std::string NormalizeResource(std::string_view resource);

}  // namespace kh::authn
