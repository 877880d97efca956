#include "authn/external_issuers.h"

#include "authn/claims.h"
#include "authn/token_service.h"
#include "core/base64.h"

namespace kh::authn {
namespace json = boost::json;
namespace {

constexpr int64_t kClockSkewSeconds = 300;
constexpr size_t kMaxPrincipalIdLength = 128;

Status BadToken(std::string reason) {
  return Unauthenticated("The access token is invalid: " + std::move(reason));
}

std::optional<std::string> DecodedMember(const json::object& o, std::string_view name) {
  auto text = StringClaim(o, name);
  if (!text) return std::nullopt;
  auto bytes = Base64UrlDecode(*text);
  if (!bytes.ok()) return std::nullopt;
  return std::move(*bytes);
}

bool AudienceMatches(const json::object& claims, std::string_view expected) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  auto same = [&](const json::value& v) {
    return v.is_string() && NormalizeResource(v.as_string()) == NormalizeResource(expected);
  };
  if (same(it->value())) return true;
  if (!it->value().is_array()) return false;
  for (const json::value& v : it->value().as_array()) {
    if (same(v)) return true;
  }
  return false;
}

bool AlgorithmFitsKey(std::string_view alg, const JwksKey& key) {
  return key.alg.empty() || key.alg == alg;
}

}  // namespace

StatusOr<ExternalIssuerConfig> ParseExternalIssuerSpec(std::string_view spec) {
  ExternalIssuerConfig c;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t end = spec.find(',', pos);
    if (end == std::string_view::npos) end = spec.size();
    std::string_view item = spec.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("--trusted-issuer: '" + std::string(item) + "' is not KEY=VALUE.");
    }
    std::string_view key = item.substr(0, eq);
    std::string value(item.substr(eq + 1));
    if (key == "issuer") {
      c.issuer = value;
    } else if (key == "jwks") {
      c.jwks = value;
    } else if (key == "audience") {
      c.audience = value;
    } else if (key == "claim") {
      c.principal_claim = value;
    } else if (key == "ca") {
      c.ca_file = value;
    } else {
      return InvalidArgument("--trusted-issuer: unknown key '" + std::string(key) +
                             "' (issuer, jwks, audience, claim, ca).");
    }
  }
  if (c.issuer.empty() || c.jwks.empty() || c.principal_claim.empty()) {
    return InvalidArgument("--trusted-issuer needs issuer=... and jwks=... (a file or https URL).");
  }
  return c;
}

StatusOr<std::vector<JwksKey>> ParseJwks(std::string_view text) {
  if (text.size() > kMaxJwksBytes)
    return InvalidArgument("The JWKS document is larger than 1 MiB.");
  auto doc = ParseObject(text);
  if (!doc || !doc->contains("keys") || !(*doc)["keys"].is_array()) {
    return InvalidArgument("The JWKS document is not {\"keys\": [...]}.");
  }
  std::vector<JwksKey> out;
  for (const json::value& v : (*doc)["keys"].as_array()) {
    if (!v.is_object() || out.size() >= kMaxJwksKeys) continue;
    const json::object& k = v.as_object();
    if (StringClaim(k, "use").value_or("sig") != "sig") continue;
    std::string kty = StringClaim(k, "kty").value_or("");
    StatusOr<crypto::VerifyingKey> key = InvalidArgument("unsupported key type");
    if (kty == "RSA") {
      auto n = DecodedMember(k, "n");
      auto e = DecodedMember(k, "e");
      if (!n || !e) continue;
      key = crypto::VerifyingKey::FromRsaComponents(*n, *e);
    } else if (kty == "EC") {
      auto x = DecodedMember(k, "x");
      auto y = DecodedMember(k, "y");
      if (!x || !y) continue;
      key = crypto::VerifyingKey::FromEcCoordinates(StringClaim(k, "crv").value_or(""), *x, *y);
    }
    if (!key.ok()) continue;
    out.push_back(JwksKey{StringClaim(k, "kid").value_or(""), StringClaim(k, "alg").value_or(""),
                          std::move(*key)});
  }
  if (out.empty()) return InvalidArgument("The JWKS document holds no usable signing key.");
  return out;
}

struct ExternalIssuers::Issuer {
  ExternalIssuerConfig config;
  std::mutex mu;
  std::shared_ptr<const std::vector<JwksKey>> keys;
  int64_t last_fetch = 0;
};

ExternalIssuers::ExternalIssuers(std::vector<ExternalIssuerConfig> configs, JwksFetcher fetcher,
                                 const Clock* clock)
    : fetcher_(std::move(fetcher)), clock_(clock) {
  for (auto& c : configs) {
    auto issuer = std::make_unique<Issuer>();
    issuer->config = std::move(c);
    issuers_.push_back(std::move(issuer));
  }
}

ExternalIssuers::~ExternalIssuers() = default;

Status ExternalIssuers::LoadAll() {
  for (auto& issuer : issuers_) {
    auto body = fetcher_(issuer->config);
    if (!body.ok()) {
      return InvalidArgument("Cannot fetch the JWKS of issuer " + issuer->config.issuer + ": " +
                             body.status().message());
    }
    auto keys = ParseJwks(*body);
    if (!keys.ok()) {
      return InvalidArgument("The JWKS of issuer " + issuer->config.issuer + ": " +
                             keys.status().message());
    }
    std::lock_guard lock(issuer->mu);
    issuer->keys = std::make_shared<const std::vector<JwksKey>>(std::move(*keys));
    issuer->last_fetch = clock_->NowSeconds();
  }
  return Status::Ok();
}

bool ExternalIssuers::Trusts(std::string_view iss) const {
  for (const auto& issuer : issuers_) {
    if (issuer->config.issuer == iss) return true;
  }
  return false;
}

StatusOr<std::shared_ptr<const std::vector<JwksKey>>> ExternalIssuers::KeysFor(
    Issuer& issuer, std::string_view kid) {
  std::lock_guard lock(issuer.mu);
  bool known = false;
  if (issuer.keys) {
    for (const JwksKey& k : *issuer.keys) known = known || kid.empty() || k.kid == kid;
  }
  int64_t now = clock_->NowSeconds();
  if (!known && now - issuer.last_fetch >= kJwksRefreshSeconds) {
    // The issuer may have rotated its keys. A failed fetch keeps the old keys.
    issuer.last_fetch = now;
    auto body = fetcher_(issuer.config);
    if (body.ok()) {
      auto keys = ParseJwks(*body);
      if (keys.ok()) issuer.keys = std::make_shared<const std::vector<JwksKey>>(std::move(*keys));
    }
  }
  if (!issuer.keys) return BadToken("the issuer's signing keys are not available.");
  return issuer.keys;
}

StatusOr<Caller> ExternalIssuers::Verify(const DecodedJwt& jwt, std::string_view default_audience) {
  auto header = ParseObject(jwt.header_json);
  auto claims = ParseObject(jwt.payload_json);
  if (!header || !claims) return BadToken("it is not JSON.");
  std::string iss = StringClaim(*claims, "iss").value_or("");
  Issuer* issuer = nullptr;
  for (auto& candidate : issuers_) {
    if (candidate->config.issuer == iss) issuer = candidate.get();
  }
  if (!issuer) return BadToken("the issuer is not trusted.");

  std::string alg = StringClaim(*header, "alg").value_or("");
  std::string kid = StringClaim(*header, "kid").value_or("");
  KH_ASSIGN_OR_RETURN(auto keys, KeysFor(*issuer, kid));
  bool verified = false;
  for (const JwksKey& k : *keys) {
    if ((!kid.empty() && k.kid != kid) || !AlgorithmFitsKey(alg, k)) continue;
    if (k.key.VerifyJws(alg, jwt.signing_input, jwt.signature)) {
      verified = true;
      break;
    }
  }
  if (!verified) return BadToken("the signature does not verify with the issuer's keys.");

  const std::string& audience =
      issuer->config.audience.empty() ? std::string(default_audience) : issuer->config.audience;
  if (!AudienceMatches(*claims, audience)) return BadToken("the audience is not this server.");
  int64_t now = clock_->NowSeconds();
  auto exp = IntClaim(*claims, "exp");
  if (!exp || *exp <= now) return BadToken("the token has expired.");
  auto nbf = IntClaim(*claims, "nbf");
  if (nbf && *nbf > now + kClockSkewSeconds) return BadToken("the token is not yet valid.");

  Caller caller;
  caller.object_id = StringClaim(*claims, issuer->config.principal_claim).value_or("");
  if (caller.object_id.empty() || caller.object_id.size() > kMaxPrincipalIdLength) {
    return BadToken("the claim '" + issuer->config.principal_claim +
                    "' that names the caller is missing.");
  }
  caller.client_id =
      StringClaim(*claims, "appid")
          .value_or(
              StringClaim(*claims, "azp").value_or(StringClaim(*claims, "client_id").value_or("")));
  caller.tenant_id = StringClaim(*claims, "tid").value_or("");
  caller.audience = audience;
  caller.expires = *exp;
  caller.external_issuer = issuer->config.issuer;
  return caller;
}

}  // namespace kh::authn
