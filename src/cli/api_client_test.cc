#include "cli/api_client.h"

#include <gtest/gtest.h>

#include "cli/fake_transport.h"
#include "cli/json_util.h"

namespace kh::cli {
namespace {

using testing::FakeTransport;
using testing::Json;
using testing::RecordedRequest;
using testing::TokenResponse;

class ApiClientTest : public ::testing::Test {
 protected:
  ApiClient MakeClient(std::string authority = "") {
    Credentials c;
    c.tenant_id = "tenant-1";
    c.client_id = "client-1";
    c.client_secret = SecretBytes(std::string_view("s3cret&"));
    c.authority_host = std::move(authority);
    c.source = "test";
    return ApiClient(std::move(c), *ParseServerUrl("https://localhost:8443"),
                     std::make_unique<FakeTransport>(&log_, &responses_));
  }

  std::vector<RecordedRequest> log_;
  std::deque<StatusOr<http::HttpResponse>> responses_;
};

TEST_F(ApiClientTest, FetchesATokenOnceAndSendsItAsBearer) {
  responses_ = {TokenResponse("tok-1"), Json(200, R"({"a":1})"), Json(200, R"({"b":2})")};
  ApiClient api = MakeClient();
  StatusOr<boost::json::value> first = api.Call("GET", "https://v.localhost:8443/secrets/x/");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(GetInt(*first, "a"), 1);
  ASSERT_TRUE(api.Call("PUT", "https://v.localhost:8443/secrets/x", R"({"value":"v"})").ok());

  ASSERT_EQ(log_.size(), 3u);
  const RecordedRequest& token = log_[0];
  EXPECT_EQ(token.method, "POST");
  EXPECT_EQ(token.url, "https://localhost:8443/tenant-1/oauth2/v2.0/token");
  EXPECT_EQ(token.headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(token.headers.count("authorization"), 0u);
  EXPECT_EQ(token.body,
            "grant_type=client_credentials&client_id=client-1&scope=https%3A%2F%2Flocalhost%3A8443"
            "%2F.default&client_secret=s3cret%26");
  EXPECT_EQ(log_[1].headers.at("authorization"), "Bearer tok-1");
  EXPECT_EQ(log_[1].headers.at("accept"), "application/json");
  EXPECT_EQ(log_[1].headers.count("content-type"), 0u);
  EXPECT_FALSE(log_[1].headers.at("x-ms-client-request-id").empty());
  EXPECT_EQ(log_[2].headers.at("authorization"), "Bearer tok-1");
  EXPECT_EQ(log_[2].headers.at("content-type"), "application/json");
  EXPECT_EQ(log_[2].body, R"({"value":"v"})");
}

TEST_F(ApiClientTest, UsesTheCredentialsAuthorityForTokens) {
  responses_ = {TokenResponse(), Json(204, "")};
  ApiClient api = MakeClient("https://login.localhost:9443/");
  StatusOr<boost::json::value> result = api.Call("DELETE", "https://localhost:8443/x");
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->is_null());
  EXPECT_EQ(log_[0].url, "https://login.localhost:9443/tenant-1/oauth2/v2.0/token");
  // The scope is still the server's.
  EXPECT_NE(log_[0].body.find("scope=https%3A%2F%2Flocalhost%3A8443%2F.default"),
            std::string::npos);
}

TEST_F(ApiClientTest, OAuthErrorsBecomeStatusesWithoutTheSecret) {
  responses_ = {Json(401, R"({"error":"invalid_client","error_description":"bad secret"})")};
  ApiClient api = MakeClient();
  StatusOr<boost::json::value> result = api.Call("GET", "https://localhost:8443/x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(result.status().azure_code(), "invalid_client");
  EXPECT_NE(result.status().message().find("bad secret"), std::string::npos);
  EXPECT_EQ(result.status().message().find("s3cret"), std::string::npos);
  EXPECT_EQ(log_.size(), 1u);
}

TEST_F(ApiClientTest, TokenResponseWithoutAccessTokenFails) {
  responses_ = {Json(200, R"({"token_type":"Bearer"})")};
  EXPECT_EQ(MakeClient().Call("GET", "https://localhost:8443/x").status().code(),
            StatusCode::kInternal);
}

TEST_F(ApiClientTest, TransportErrorsPassThrough) {
  responses_ = {Unavailable("cannot connect to localhost:8443: Connection refused")};
  StatusOr<boost::json::value> result = MakeClient().Call("GET", "https://localhost:8443/x");
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("localhost:8443"), std::string::npos);
}

TEST(ErrorFromResponseTest, ParsesAzureErrors) {
  Status s =
      ErrorFromResponse(Json(409, R"({"error":{"code":"Conflict","message":"deleted",)"
                                  R"("innererror":{"code":"ObjectIsDeletedButRecoverable"}}})"));
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(s.azure_code(), "Conflict");
  EXPECT_EQ(s.inner_code(), "ObjectIsDeletedButRecoverable");

  s = ErrorFromResponse(Json(404, R"({"error":{"code":"SecretNotFound","message":)"
                                  R"("A secret with (name/id) x was not found."}})"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.azure_code(), "SecretNotFound");
  EXPECT_EQ(s.message().substr(0, 13), "A secret with");
}

TEST(ErrorFromResponseTest, FallsBackToTheHttpStatus) {
  Status s = ErrorFromResponse({502, {}, "<html>Bad gateway</html>"});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.azure_code(), "HTTP 502");
  EXPECT_EQ(s.message(), "the server answered HTTP 502");
  EXPECT_EQ(ErrorFromResponse({403, {}, "{}"}).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrorFromResponse({429, {}, ""}).code(), StatusCode::kThrottled);
  EXPECT_EQ(ErrorFromResponse({418, {}, ""}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorFromResponse({500, {}, ""}).code(), StatusCode::kInternal);
}

TEST_F(ApiClientTest, ListAllFollowsNextLinks) {
  responses_ = {TokenResponse(),
                Json(200, R"({"value":[{"id":"a"}],"nextLink":"https://v.localhost:8443/)"
                          R"(secrets?$skiptoken=2&api-version=2025-07-01"})"),
                Json(200, R"({"value":[{"id":"b"},{"id":"c"}],"nextLink":null})")};
  StatusOr<boost::json::array> items =
      MakeClient().ListAll("https://v.localhost:8443/secrets?api-version=2025-07-01");
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 3u);
  EXPECT_EQ(GetString((*items)[2], "id"), "c");
  ASSERT_EQ(log_.size(), 3u);
  EXPECT_EQ(log_[2].url, "https://v.localhost:8443/secrets?$skiptoken=2&api-version=2025-07-01");
}

TEST_F(ApiClientTest, ListAllRefusesToSendTheTokenElsewhere) {
  responses_ = {TokenResponse(),
                Json(200, R"({"value":[],"nextLink":"https://evil.example.com/secrets"})")};
  StatusOr<boost::json::array> items =
      MakeClient().ListAll("https://v.localhost:8443/secrets?api-version=2025-07-01");
  ASSERT_FALSE(items.ok());
  EXPECT_EQ(log_.size(), 2u);
}

TEST_F(ApiClientTest, ListAllNeedsAValueArray) {
  responses_ = {TokenResponse(), Json(200, R"({"items":[]})")};
  EXPECT_FALSE(MakeClient().ListAll("https://v.localhost:8443/secrets").ok());
}

}  // namespace
}  // namespace kh::cli
