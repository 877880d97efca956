#include "api/error_mapping.h"

#include <gtest/gtest.h>

namespace kh::api {
namespace {

TEST(ErrorMappingTest, AzureShapeWithInnerError) {
  Response r = ErrorResponse(Conflict("Secret s is deleted", "ObjectIsDeletedButRecoverable"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":"Conflict","message":"Secret s is deleted","innererror":{"code":"ObjectIsDeletedButRecoverable"}}})");
  EXPECT_EQ(ErrorResponse(NotFound("SecretNotFound", "x")).status, 404);
  EXPECT_EQ(ErrorResponse(InvalidArgument("x")).status, 400);
  EXPECT_EQ(ErrorResponse(PermissionDenied("x")).status, 403);
}

TEST(ErrorMappingTest, ThrottlingTellsWhenToRetry) {
  Response r = ErrorResponse(Status(StatusCode::kThrottled, "Throttled", "slow down"));
  EXPECT_EQ(r.status, 429);
  ASSERT_FALSE(r.headers.empty());
  EXPECT_EQ(r.headers[0].first, "Retry-After");
}

TEST(ErrorMappingTest, OAuthShape) {
  Response r = OAuthErrorResponse(Unauthenticated("bad secret"));
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("\"error\":\"invalid_client\""), std::string::npos);
}

}  // namespace
}  // namespace kh::api
