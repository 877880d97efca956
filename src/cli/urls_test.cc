#include "cli/urls.h"

#include <gtest/gtest.h>

namespace kh::cli {
namespace {

TEST(ServerUrlTest, ParsesHostAndPort) {
  StatusOr<ServerUrl> url = ParseServerUrl("https://LocalHost:8443/");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->Origin(), "https://localhost:8443");
  EXPECT_EQ(url->Scope(), "https://localhost:8443/.default");
}

TEST(ServerUrlTest, DefaultPortIsLeftOut) {
  EXPECT_EQ(ParseServerUrl("https://kv.example.com")->Origin(), "https://kv.example.com");
  EXPECT_EQ(ParseServerUrl("https://kv.example.com:443")->Origin(), "https://kv.example.com");
  EXPECT_EQ(ParseServerUrl("HTTPS://[::1]:9000")->Origin(), "https://[::1]:9000");
}

TEST(ServerUrlTest, RejectsWhatIsNotAnOrigin) {
  for (const char* bad : {"http://localhost:8443", "localhost:8443", "https://", "https://:80",
                          "https://h:0", "https://h:70000", "https://h:8x", "https://u@h",
                          "https://h/path", "https://h?x=1", "https://h b"}) {
    EXPECT_FALSE(ParseServerUrl(bad).ok()) << bad;
  }
}

TEST(ServerUrlTest, OriginOfIgnoresPathAndQuery) {
  StatusOr<ServerUrl> origin = OriginOf("https://v.localhost:8443/secrets?api-version=1&x=2");
  ASSERT_TRUE(origin.ok());
  EXPECT_EQ(origin->Origin(), "https://v.localhost:8443");
}

TEST(EncodingTest, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b/c?d#e&f=g+h%"), "a%20b%2Fc%3Fd%23e%26f%3Dg%2Bh%25");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
}

TEST(EncodingTest, FormEncodeJoinsPairsInOrder) {
  EXPECT_EQ(FormEncode({{"grant_type", "client_credentials"},
                        {"scope", "https://localhost:8443/.default"}}),
            "grant_type=client_credentials&scope=https%3A%2F%2Flocalhost%3A8443%2F.default");
  EXPECT_EQ(FormEncode({}), "");
}

TEST(EncodingTest, TokenRequestBodyEncodesTheSecret) {
  SecretBytes body = TokenRequestBody("my client", SecretBytes(std::string_view("s&=+ /")),
                                      "https://localhost:8443/.default");
  EXPECT_EQ(body.Reveal(),
            "grant_type=client_credentials&client_id=my%20client&scope=https%3A%2F%2Flocalhost"
            "%3A8443%2F.default&client_secret=s%26%3D%2B%20%2F");
}

TEST(UrlBuildingTest, TokenUrl) {
  EXPECT_EQ(TokenUrl(*ParseServerUrl("https://localhost:8443"), "t-1"),
            "https://localhost:8443/t-1/oauth2/v2.0/token");
}

TEST(UrlBuildingTest, VaultUrlPrefixesTheServerHost) {
  ServerUrl server = *ParseServerUrl("https://localhost:8443");
  EXPECT_EQ(*VaultUrl(server, "MyApp-prod"), "https://myapp-prod.localhost:8443");
  EXPECT_EQ(*VaultUrl(*ParseServerUrl("https://kv.example.com"), "a1"),
            "https://a1.kv.example.com");
  for (const char* bad : {"", "-a", "a-", "a.b", "a/b", "a_b"}) {
    EXPECT_FALSE(VaultUrl(server, bad).ok()) << bad;
  }
  EXPECT_FALSE(VaultUrl(server, std::string(64, 'a')).ok());
  EXPECT_FALSE(VaultUrl(*ParseServerUrl("https://127.0.0.1:8443"), "v").ok());
  EXPECT_FALSE(VaultUrl(*ParseServerUrl("https://[::1]:8443"), "v").ok());
}

TEST(UrlBuildingTest, DataPlaneUrlEncodesSegments) {
  const std::string vault = "https://v.localhost:8443";
  EXPECT_EQ(*DataPlaneUrl(vault, {"secrets"}),
            "https://v.localhost:8443/secrets?api-version=2025-07-01");
  EXPECT_EQ(*DataPlaneUrl(vault, {"secrets", "s1", ""}),
            "https://v.localhost:8443/secrets/s1/?api-version=2025-07-01");
  EXPECT_EQ(*DataPlaneUrl(vault + "/", {"secrets", "a/b?c", "v1"}),
            "https://v.localhost:8443/secrets/a%2Fb%3Fc/v1?api-version=2025-07-01");
  EXPECT_FALSE(DataPlaneUrl(vault, {"secrets", ".."}).ok());
  EXPECT_FALSE(DataPlaneUrl(vault, {"secrets", "."}).ok());
}

TEST(UrlBuildingTest, ArmUrls) {
  ServerUrl server = *ParseServerUrl("https://localhost:8443");
  EXPECT_EQ(*ArmVaultUrl(server, "sub-1", "keyhaven", "myapp"),
            "https://localhost:8443/subscriptions/sub-1/resourceGroups/keyhaven/providers/"
            "Microsoft.KeyVault/vaults/myapp?api-version=2026-02-01");
  EXPECT_EQ(*ArmVaultListUrl(server, "sub-1"),
            "https://localhost:8443/subscriptions/sub-1/providers/Microsoft.KeyVault/vaults"
            "?api-version=2026-02-01");
  EXPECT_FALSE(ArmVaultUrl(server, "", "rg", "v").ok());
  EXPECT_FALSE(ArmVaultUrl(server, "s", "", "v").ok());
  EXPECT_FALSE(ArmVaultUrl(server, "s", "..", "v").ok());
  EXPECT_FALSE(ArmVaultListUrl(server, "").ok());
}

TEST(UrlBuildingTest, ArmResourceUrlFromId) {
  ServerUrl server = *ParseServerUrl("https://localhost:8443");
  EXPECT_EQ(*ArmResourceUrl(server,
                            "/subscriptions/s/resourceGroups/my rg/providers/"
                            "Microsoft.KeyVault/vaults/v"),
            "https://localhost:8443/subscriptions/s/resourceGroups/my%20rg/providers/"
            "Microsoft.KeyVault/vaults/v?api-version=2026-02-01");
  EXPECT_FALSE(ArmResourceUrl(server, "/other/x").ok());
  EXPECT_FALSE(ArmResourceUrl(server, "/subscriptions/s/../x").ok());
  EXPECT_FALSE(ArmResourceUrl(server, "/subscriptions//x").ok());
}

}  // namespace
}  // namespace kh::cli
