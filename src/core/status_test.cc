#include "core/status.h"

#include <gtest/gtest.h>

#include "core/status_or.h"

namespace kh {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd");
  return x / 2;
}

Status UseMacros(int x, int* out) {
  KH_ASSIGN_OR_RETURN(int h, Half(x));
  KH_RETURN_IF_ERROR(h > 10 ? Conflict("too big") : Status::Ok());
  *out = h;
  return Status::Ok();
}

TEST(StatusTest, MacrosPropagateErrorsAndValues) {
  int out = 0;
  EXPECT_TRUE(UseMacros(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(UseMacros(7, &out).code(), StatusCode::kInvalidArgument);
  Status s = UseMacros(40, &out);
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(s.azure_code(), "Conflict");
}

TEST(StatusTest, ConflictCarriesInnerCode) {
  Status s = Conflict("deleted", "ObjectIsDeletedButRecoverable");
  EXPECT_EQ(s.inner_code(), "ObjectIsDeletedButRecoverable");
  EXPECT_NE(s.ToString().find("ObjectIsDeletedButRecoverable"), std::string::npos);
}

TEST(StatusTest, StatusOrFromOkStatusIsAnError) {
  StatusOr<int> v(Status::Ok());
  EXPECT_FALSE(v.ok());
}

}  // namespace
}  // namespace kh
