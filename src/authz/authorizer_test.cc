#include "authz/authorizer.h"

#include <gtest/gtest.h>

namespace kh::authz {
namespace {

TEST(AuthorizerTest, DenyByDefaultAllowBootstrapAdmin) {
  Authorizer authz("admin-oid");
  EXPECT_TRUE(authz.Check({"admin-oid", "app"}, "Microsoft.KeyVault/vaults/write", "/").allowed);
  Decision d = authz.Check({"other", "app2"}, "Microsoft.KeyVault/vaults/secrets/getSecret/action",
                           "/vaults/v");
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("oid=other"), std::string::npos);
  EXPECT_FALSE(Authorizer("").Check({"", ""}, "x", "/").allowed);
}

}  // namespace
}  // namespace kh::authz
