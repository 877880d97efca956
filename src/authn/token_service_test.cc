#include "authn/token_service.h"

#include <gtest/gtest.h>

#include <ctime>

#include "core/base64.h"
#include "crypto/jws.h"
#include "crypto/x509.h"
#include "testing/domain_fixture.h"

namespace kh::authn {
namespace {

class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = principals.Create("admin", true);
    ASSERT_TRUE(created.ok());
    principal = created->first;
    secret = created->second;
    service = std::make_unique<TokenService>(
        TokenConfig{"https://localhost:8443", "tenant-1", "https://localhost:8443", ""},
        std::move(*crypto::EcPrivateKey::Generate()), &principals, &f.clock);
  }
  std::string Issue() {
    auto t = service->IssueForClientSecret(principal.client_id, secret,
                                           "https://localhost:8443/.default");
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t->access_token;
  }

  testing::DomainFixture f;
  PrincipalStore principals{&f.barrier, &f.clock};
  Principal principal;
  SecretBytes secret;
  std::unique_ptr<TokenService> service;
};

TEST_F(TokenServiceTest, IssuedTokenVerifiesWithClaims) {
  std::string token = Issue();
  auto caller = service->Verify(token);
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->object_id, principal.object_id);
  EXPECT_EQ(caller->client_id, principal.client_id);
  EXPECT_EQ(caller->tenant_id, "tenant-1");
  EXPECT_TRUE(service->Verify(token).ok());  // cached path
}

TEST_F(TokenServiceTest, RefusesBadCredentialsAndScopes) {
  EXPECT_EQ(service
                ->IssueForClientSecret(principal.client_id, SecretBytes(std::string_view("x")),
                                       "https://localhost:8443/.default")
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(service->IssueForClientSecret("nobody", secret, "https://localhost:8443/.default")
                .status()
                .code(),
            StatusCode::kUnauthenticated);
  auto wrong = service->IssueForClientSecret(principal.client_id, secret,
                                             "https://vault.azure.net/.default");
  EXPECT_EQ(wrong.status().azure_code(), "invalid_scope");
  EXPECT_TRUE(
      service->IssueForClientSecret(principal.client_id, secret, "https://LOCALHOST:8443/.default")
          .ok());
}

TEST_F(TokenServiceTest, ExpiredTokenIsRefusedEvenWhenCached) {
  std::string token = Issue();
  ASSERT_TRUE(service->Verify(token).ok());
  f.clock.Advance(kTokenLifetimeSeconds);
  EXPECT_EQ(service->Verify(token).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(TokenServiceTest, ForgedTokensAreRefused) {
  std::string token = Issue();
  size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  // Flipped signature byte.
  std::string flipped = token;
  flipped[dot2 + 5] = flipped[dot2 + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(service->Verify(flipped).ok());
  // alg: none with no signature.
  std::string none = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
                     token.substr(dot1 + 1, dot2 - dot1 - 1) + ".";
  EXPECT_FALSE(service->Verify(none).ok());
  // Payload swapped for one with another audience, original signature kept.
  auto payload = *Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  payload.replace(payload.find("https://localhost:8443"), 22, "https://evil.example:84");
  std::string swapped = token.substr(0, dot1 + 1) + Base64UrlEncode(payload) + token.substr(dot2);
  EXPECT_FALSE(service->Verify(swapped).ok());
  // A token signed by another key with the same claims.
  TokenService other(service->config(), std::move(*crypto::EcPrivateKey::Generate()), &principals,
                     &f.clock);
  auto foreign = other.IssueFor(principal, "https://localhost:8443");
  EXPECT_FALSE(service->Verify(foreign->access_token).ok());
  EXPECT_FALSE(service->Verify("garbage").ok());
  EXPECT_FALSE(service->Verify("").ok());
}

TEST_F(TokenServiceTest, WrongAudienceIsRefused) {
  auto t = service->IssueFor(principal, "https://other.example");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(service->Verify(t->access_token).ok());
}

// RFC 7523 client assertions, as ClientCertificateCredential (MSAL) sends them.
class ClientAssertionTest : public TokenServiceTest {
 protected:
  void SetUp() override {
    f.clock.Set(static_cast<int64_t>(std::time(nullptr)));
    TokenServiceTest::SetUp();
    auto cert = crypto::CreateCertificateAuthority("app-cert", 30);
    ASSERT_TRUE(cert.ok());
    key = std::make_unique<crypto::EcPrivateKey>(
        std::move(*crypto::EcPrivateKey::FromPem(cert->private_key_pem)));
    auto added = principals.AddCertificate(principal.client_id, cert->certificate_pem, "cert");
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    credential = *added;
  }
  std::string Assertion(std::string header_extra, std::string iss, std::string aud,
                        int64_t exp_offset) {
    int64_t now = f.clock.NowSeconds();
    std::string header = R"({"alg":"ES256","typ":"JWT")" + header_extra + "}";
    std::string payload = R"({"iss":")" + iss + R"(","sub":")" + iss + R"(","aud":")" + aud +
                          R"(","jti":"j1","nbf":)" + std::to_string(now) + R"(,"exp":)" +
                          std::to_string(now + exp_offset) + "}";
    return *crypto::JwsSignEs256(*key, header, payload);
  }
  std::string X5tS256() { return R"(,"x5t#S256":")" + credential.thumbprint_sha256 + R"(")"; }
  StatusOr<IssuedToken> Exchange(const std::string& assertion) {
    return service->IssueForClientAssertion(principal.client_id, assertion,
                                            "https://localhost:8443/.default");
  }

  std::unique_ptr<crypto::EcPrivateKey> key;
  Credential credential;
};

TEST_F(ClientAssertionTest, ValidAssertionGetsATokenForThePrincipal) {
  auto issued = Exchange(Assertion(X5tS256(), principal.client_id, service->TokenEndpoint(), 600));
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(service->Verify(issued->access_token)->object_id, principal.object_id);
  // The SHA-1 thumbprint (x5t) names the certificate as well.
  std::string x5t = R"(,"x5t":")" + credential.thumbprint_sha1 + R"(")";
  EXPECT_TRUE(Exchange(Assertion(x5t, principal.client_id, service->TokenEndpoint(), 600)).ok());
}

TEST_F(ClientAssertionTest, BadAssertionsAreRefused) {
  const std::string endpoint = service->TokenEndpoint();
  EXPECT_FALSE(Exchange(Assertion("", principal.client_id, endpoint, 600)).ok());  // no x5t
  EXPECT_FALSE(Exchange(Assertion(X5tS256(), "someone-else", endpoint, 600)).ok());
  EXPECT_FALSE(Exchange(Assertion(X5tS256(), principal.client_id, "https://evil/token", 600)).ok());
  EXPECT_FALSE(Exchange(Assertion(X5tS256(), principal.client_id, endpoint, -1)).ok());  // expired
  std::string good = Assertion(X5tS256(), principal.client_id, endpoint, 600);
  std::string tampered = good;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Exchange(tampered).ok());
  // A key that is not the certificate's.
  auto other = crypto::EcPrivateKey::Generate();
  int64_t now = f.clock.NowSeconds();
  std::string forged = *crypto::JwsSignEs256(
      *other, R"({"alg":"ES256","typ":"JWT")" + X5tS256() + "}",
      R"({"iss":")" + principal.client_id + R"(","sub":")" + principal.client_id + R"(","aud":")" +
          endpoint + R"(","exp":)" + std::to_string(now + 600) + "}");
  EXPECT_FALSE(Exchange(forged).ok());
  // A removed credential stops working.
  ASSERT_TRUE(principals.RemoveCredential(principal.client_id, credential.key_id).ok());
  EXPECT_FALSE(Exchange(good).ok());
}

TEST_F(TokenServiceTest, TokensOfADeletedPrincipalStopVerifying) {
  auto app = principals.Create("app", false);
  ASSERT_TRUE(app.ok());
  auto issued = service->IssueFor(app->first, "https://localhost:8443");
  ASSERT_TRUE(service->Verify(issued->access_token).ok());
  ASSERT_TRUE(principals.Delete(app->first.client_id).ok());
  service->ForgetPrincipal(app->first.object_id);
  EXPECT_EQ(service->Verify(issued->access_token).status().code(), StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace kh::authn
