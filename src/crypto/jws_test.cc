#include "crypto/jws.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base64.h"

namespace kh::crypto {
namespace {

TEST(JwsTest, SignSplitVerify) {
  const EcPrivateKey key = *EcPrivateKey::Generate();
  const std::string header = R"({"alg":"ES256","typ":"JWT","kid":"k1"})";
  const std::string payload = R"({"sub":"app","exp":2000000000})";
  StatusOr<std::string> token = JwsSignEs256(key, header, payload);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->find('='), std::string::npos);
  EXPECT_EQ(token->rfind(Base64UrlEncode(header) + "." + Base64UrlEncode(payload) + ".", 0), 0u);

  StatusOr<JwsParts> parts = JwsSplit(*token);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->header_json, header);
  EXPECT_EQ(parts->payload_json, payload);
  EXPECT_EQ(parts->signing_input, token->substr(0, token->rfind('.')));
  EXPECT_EQ(parts->signature.size(), kEs256SignatureSize);
  EXPECT_TRUE(key.PublicKey().Verify(parts->signing_input, parts->signature));
  EXPECT_FALSE(
      EcPrivateKey::Generate()->PublicKey().Verify(parts->signing_input, parts->signature));
}

TEST(JwsTest, TamperedPayloadFailsVerification) {
  const EcPrivateKey key = *EcPrivateKey::Generate();
  const std::string token = *JwsSignEs256(key, R"({"alg":"ES256"})", R"({"admin":false})");
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  const std::string forged =
      token.substr(0, first + 1) + Base64UrlEncode(R"({"admin":true})") + token.substr(second);
  StatusOr<JwsParts> parts = JwsSplit(forged);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->payload_json, R"({"admin":true})");
  EXPECT_FALSE(key.PublicKey().Verify(parts->signing_input, parts->signature));
}

// RFC 7515 appendix A.3.
TEST(JwsTest, SplitsRfc7515Example) {
  const std::string token =
      "eyJhbGciOiJFUzI1NiJ9"
      ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnV"
      "lfQ"
      ".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  StatusOr<JwsParts> parts = JwsSplit(token);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(parts->header_json, R"({"alg":"ES256"})");
  EXPECT_EQ(parts->payload_json,
            "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
  StatusOr<EcPublicKey> key =
      EcPublicKey::FromCoordinates(*Base64UrlDecode("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"),
                                   *Base64UrlDecode("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->Verify(parts->signing_input, parts->signature));
}

TEST(JwsTest, RejectsMalformed) {
  for (const char* bad : {
           "", "abc", "YQ.YQ", "YQ.YQ.YQ.YQ",
           ".YQ.YQ",      // empty header
           "YQ.YQ.",      // empty signature
           "YQ..",        // empty signature
           "YQ==.YQ.YQ",  // padding
           "Y+/Q.YQ.YQ",  // standard alphabet
           "YR.YQ.YQ",    // non-zero trailing bits (non-canonical)
           "Y Q.YQ.YQ",   // whitespace
           "YQ.Y$.YQ",    // garbage
           "Y.YQ.YQ",     // impossible length
       }) {
    StatusOr<JwsParts> parts = JwsSplit(bad);
    EXPECT_FALSE(parts.ok()) << bad;
    EXPECT_EQ(parts.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  // An empty payload is legal JWS.
  EXPECT_TRUE(JwsSplit("YQ..YQ").ok());
}

TEST(JwsTest, SizeLimit) {
  const std::string header = "YQ.";
  const std::string tail = ".YQ";
  // Payload of 'A's: 4 chars decode to 3 zero bytes, so any multiple of 4 is canonical.
  size_t payload_size = (kMaxJwsBytes - header.size() - tail.size()) / 4 * 4;
  const std::string at_limit = header + std::string(payload_size, 'A') + tail;
  ASSERT_LE(at_limit.size(), kMaxJwsBytes);
  EXPECT_TRUE(JwsSplit(at_limit).ok());
  const std::string over = header + std::string(payload_size + 4, 'A') + tail;
  ASSERT_GT(over.size(), kMaxJwsBytes);
  EXPECT_EQ(JwsSplit(over).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kh::crypto
