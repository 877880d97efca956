#pragma once
// ExternalIssuers: OpenID issuers (a company's own IdP) whose access tokens Keyhaven accepts
// besides its own. Each is configured with its exact issuer ("iss"), where its JWKS comes from
// (a file or an https URL, fetched by the caller-supplied fetcher so authn does no network I/O
// of its own), the audience its tokens must carry, and the claim that names the caller: its
// value becomes the caller's object id, the principal id role assignments and access policies
// refer to.
//
// Keys are loaded by LoadAll() at startup. A token signed with a key id the issuer's JWKS does
// not hold triggers one re-fetch (key rotation), at most once per kJwksRefreshSeconds per
// issuer. Algorithms: RS256/384/512, PS256/384/512, ES256/384/512 (never "none" or HS*).
// Thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "authn/principal.h"
#include "core/clock.h"
#include "core/status_or.h"
#include "crypto/verifying_key.h"

namespace kh::authn {

inline constexpr int64_t kJwksRefreshSeconds = 60;
inline constexpr size_t kMaxJwksBytes = 1024 * 1024;
inline constexpr size_t kMaxJwksKeys = 100;

struct ExternalIssuerConfig {
  std::string issuer;                   // exact "iss" value
  std::string jwks;                     // a file path or an https:// URL
  std::string audience;                 // required "aud"; empty = this server's resource
  std::string principal_claim = "oid";  // whose value is the caller's object id
  std::string ca_file;                  // PEM bundle to trust for an https JWKS URL
};

// "issuer=https://idp.example/,jwks=/etc/keyhaven/idp.json[,audience=...][,claim=sub][,ca=...]"
StatusOr<ExternalIssuerConfig> ParseExternalIssuerSpec(std::string_view spec);

struct JwksKey {
  std::string kid;
  std::string alg;  // may be empty (then any algorithm matching the key type)
  crypto::VerifyingKey key;
};
// Parses a JWKS document; keys that are not RSA/EC signature keys (e.g. "use":"enc") are skipped.
// InvalidArgument if the document is malformed or holds no usable key.
StatusOr<std::vector<JwksKey>> ParseJwks(std::string_view json);

// Fetches a JWKS source (file or URL) and returns its body.
using JwksFetcher = std::function<StatusOr<std::string>(const ExternalIssuerConfig&)>;

// What the token verifier has already decoded from a JWT.
struct DecodedJwt {
  std::string_view header_json;
  std::string_view payload_json;
  std::string_view signing_input;
  std::string_view signature;
};

class ExternalIssuers {
 public:
  ExternalIssuers(std::vector<ExternalIssuerConfig> configs, JwksFetcher fetcher,
                  const Clock* clock);
  ~ExternalIssuers();

  // Fetches and parses every issuer's JWKS; the first failure is returned (naming the issuer).
  Status LoadAll();
  bool empty() const { return issuers_.empty(); }
  bool Trusts(std::string_view issuer) const;

  // Verifies a token whose "iss" is a trusted external issuer. `default_audience` is this
  // server's resource, for issuers configured without an audience.
  StatusOr<Caller> Verify(const DecodedJwt& jwt, std::string_view default_audience);

 private:
  struct Issuer;
  StatusOr<std::shared_ptr<const std::vector<JwksKey>>> KeysFor(Issuer& issuer,
                                                                std::string_view kid);
  std::vector<std::unique_ptr<Issuer>> issuers_;
  JwksFetcher fetcher_;
  const Clock* clock_;
};

}  // namespace kh::authn
