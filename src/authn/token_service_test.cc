#include "authn/token_service.h"

#include <gtest/gtest.h>

#include "core/base64.h"
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
        TokenConfig{"https://localhost:8443", "tenant-1", "https://localhost:8443"},
        std::move(*crypto::EcPrivateKey::Generate()), &principals, &f.clock);
  }
  std::string Issue() {
    auto t = service->IssueForClientSecret(principal.client_id, secret,
                                           "https://localhost:8443/.default");
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t->access_token;
  }

  testing::DomainFixture f;
  PrincipalStore principals{&f.barrier};
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

}  // namespace
}  // namespace kh::authn
