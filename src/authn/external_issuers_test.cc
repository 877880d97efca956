#include "authn/external_issuers.h"

#include <gtest/gtest.h>

#include "authn/token_service.h"
#include "core/base64.h"
#include "crypto/jws.h"
#include "testing/domain_fixture.h"

namespace kh::authn {
namespace {

constexpr char kIdp[] = "https://idp.example.com/tenant-x/v2.0";
constexpr char kResource[] = "https://localhost:8443";
constexpr char kAdminOid[] = "admin-object-id";

std::string JwkOf(const crypto::EcPrivateKey& key, const std::string& kid,
                  const std::string& use = "sig") {
  return R"({"kty":"EC","crv":"P-256","use":")" + use + R"(","kid":")" + kid + R"(","x":")" +
         Base64UrlEncode(key.PublicX()) + R"(","y":")" + Base64UrlEncode(key.PublicY()) + R"("})";
}

class ExternalIssuersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    jwks = R"({"keys":[)" + JwkOf(idp_key, "k1") + "]}";
    ExternalIssuerConfig config;
    config.issuer = kIdp;
    config.jwks = "/unused";
    external = std::make_unique<ExternalIssuers>(
        std::vector<ExternalIssuerConfig>{config},
        [this](const ExternalIssuerConfig&) -> StatusOr<std::string> {
          ++fetches;
          return jwks;
        },
        &f.clock);
    ASSERT_TRUE(external->LoadAll().ok());
    service = std::make_unique<TokenService>(
        TokenConfig{kResource, "tenant-1", kResource, kAdminOid},
        std::move(*crypto::EcPrivateKey::Generate()), &principals, &f.clock, external.get());
  }

  std::string Token(const crypto::EcPrivateKey& key, const std::string& kid,
                    const std::string& claims_extra, const std::string& iss = kIdp,
                    const std::string& aud = kResource, int64_t exp_offset = 3600) {
    int64_t now = f.clock.NowSeconds();
    std::string claims = R"({"iss":")" + iss + R"(","aud":")" + aud + R"(","exp":)" +
                         std::to_string(now + exp_offset) + R"(,"nbf":)" + std::to_string(now) +
                         claims_extra + "}";
    return *crypto::JwsSignEs256(key, R"({"alg":"ES256","kid":")" + kid + R"("})", claims);
  }

  testing::DomainFixture f;
  PrincipalStore principals{&f.barrier, &f.clock};
  crypto::EcPrivateKey idp_key = std::move(*crypto::EcPrivateKey::Generate());
  std::string jwks;
  int fetches = 0;
  std::unique_ptr<ExternalIssuers> external;
  std::unique_ptr<TokenService> service;
};

TEST_F(ExternalIssuersTest, AcceptsTheIssuersTokensAndNamesTheCallerByClaim) {
  auto caller = service->Verify(Token(idp_key, "k1", R"(,"oid":"user-1","azp":"app-1","tid":"t")"));
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->object_id, "user-1");
  EXPECT_EQ(caller->client_id, "app-1");
  EXPECT_EQ(caller->external_issuer, kIdp);
}

TEST_F(ExternalIssuersTest, AudienceMayBeAnArray) {
  int64_t now = f.clock.NowSeconds();
  std::string token = *crypto::JwsSignEs256(
      idp_key, R"({"alg":"ES256","kid":"k1"})",
      std::string(R"({"iss":")") + kIdp + R"(","aud":["other",")" + kResource +
          R"("],"oid":"u","exp":)" + std::to_string(now + 60) + "}");
  EXPECT_TRUE(service->Verify(token).ok());
}

TEST_F(ExternalIssuersTest, RefusesBadTokens) {
  const std::string oid = R"(,"oid":"user-1")";
  auto other = crypto::EcPrivateKey::Generate();
  EXPECT_FALSE(service->Verify(Token(*other, "k1", oid)).ok());  // not the issuer's key
  EXPECT_FALSE(service->Verify(Token(idp_key, "k1", oid, "https://evil.example/")).ok());
  EXPECT_FALSE(service->Verify(Token(idp_key, "k1", oid, kIdp, "https://elsewhere")).ok());
  EXPECT_FALSE(service->Verify(Token(idp_key, "k1", oid, kIdp, kResource, -5)).ok());
  EXPECT_FALSE(service->Verify(Token(idp_key, "k1", "")).ok());  // no oid claim
  // The IdP cannot make someone the bootstrap administrator.
  EXPECT_FALSE(service->Verify(Token(idp_key, "k1", R"(,"oid":"admin-object-id")")).ok());
  // alg "none" with the issuer's kid.
  std::string unsigned_token = Base64UrlEncode(R"({"alg":"none","kid":"k1"})") + "." +
                               Base64UrlEncode(std::string(R"({"iss":")") + kIdp + R"(","aud":")" +
                                               kResource + R"(","oid":"u","exp":9999999999})") +
                               ".";
  EXPECT_FALSE(service->Verify(unsigned_token).ok());
}

TEST_F(ExternalIssuersTest, RotatedKeysAreFetchedOnceAtMostEveryMinute) {
  auto rotated = crypto::EcPrivateKey::Generate();
  std::string token = Token(*rotated, "k2", R"(,"oid":"user-2")");
  EXPECT_FALSE(service->Verify(token).ok());  // too soon after LoadAll: no refetch
  EXPECT_EQ(fetches, 1);
  jwks = R"({"keys":[)" + JwkOf(idp_key, "k1") + "," + JwkOf(*rotated, "k2") + "]}";
  f.clock.Advance(kJwksRefreshSeconds);
  std::string fresh = Token(*rotated, "k2", R"(,"oid":"user-2")");
  auto caller = service->Verify(fresh);
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(fetches, 2);
  EXPECT_EQ(caller->object_id, "user-2");
}

TEST(ExternalIssuerSpecTest, ParsesAndRejects) {
  auto c =
      ParseExternalIssuerSpec("issuer=https://idp/,jwks=/etc/idp.json,claim=sub,audience=api://kh");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->issuer, "https://idp/");
  EXPECT_EQ(c->jwks, "/etc/idp.json");
  EXPECT_EQ(c->principal_claim, "sub");
  EXPECT_EQ(c->audience, "api://kh");
  EXPECT_EQ(ParseExternalIssuerSpec("issuer=https://idp/,jwks=f")->principal_claim, "oid");
  EXPECT_FALSE(ParseExternalIssuerSpec("issuer=https://idp/").ok());
  EXPECT_FALSE(ParseExternalIssuerSpec("jwks=/x").ok());
  EXPECT_FALSE(ParseExternalIssuerSpec("issuer=a,jwks=b,colour=blue").ok());
  EXPECT_FALSE(ParseExternalIssuerSpec("issuer").ok());
}

TEST(JwksTest, SkipsEncryptionAndUnknownKeysAndRefusesEmptySets) {
  auto key = crypto::EcPrivateKey::Generate();
  auto parsed = ParseJwks(R"({"keys":[)" + JwkOf(*key, "enc", "enc") + "," + JwkOf(*key, "s") +
                          R"(,{"kty":"oct","k":"AAAA"}]})");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].kid, "s");
  EXPECT_FALSE(ParseJwks(R"({"keys":[]})").ok());
  EXPECT_FALSE(ParseJwks("not json").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":{}})").ok());
}

}  // namespace
}  // namespace kh::authn
