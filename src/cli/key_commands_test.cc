#include "cli/key_commands.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace kh::cli {
namespace {

TEST(KeyCommandsTest, CreateBodyHasOnlyWhatWasGiven) {
  KeyCreateArgs args;
  args.kty = "EC";
  args.curve = "P-384";
  args.ops = {"sign", "verify"};
  EXPECT_EQ(boost::json::serialize(KeyCreateBody(args)),
            R"({"kty":"EC","crv":"P-384","key_ops":["sign","verify"]})");
  KeyCreateArgs rsa;
  rsa.kty = "RSA";
  rsa.size = 3072;
  rsa.disabled = true;
  EXPECT_EQ(boost::json::serialize(KeyCreateBody(rsa)),
            R"({"kty":"RSA","key_size":3072,"attributes":{"enabled":false}})");
}

TEST(KeyCommandsTest, OperationBodiesFollowTheWireShape) {
  KeyOperationArgs sign;
  sign.operation = "sign";
  sign.algorithm = "ES256";
  sign.value = "AAEC";
  EXPECT_EQ(boost::json::serialize(*KeyOperationBody(sign)), R"({"alg":"ES256","value":"AAEC"})");

  KeyOperationArgs verify = sign;
  verify.operation = "verify";
  EXPECT_FALSE(KeyOperationBody(verify).ok()) << "verify needs a signature";
  verify.signature = "c2ln";
  EXPECT_EQ(boost::json::serialize(*KeyOperationBody(verify)),
            R"({"alg":"ES256","digest":"AAEC","value":"c2ln"})");

  KeyOperationArgs decrypt;
  decrypt.operation = "decrypt";
  decrypt.algorithm = "A256GCM";
  decrypt.value = "Y3Q";
  decrypt.iv = "aXY";
  decrypt.tag = "dGFn";
  EXPECT_EQ(boost::json::serialize(*KeyOperationBody(decrypt)),
            R"({"alg":"A256GCM","value":"Y3Q","iv":"aXY","tag":"dGFn"})");
}

TEST(KeyCommandsTest, RefusesInputThatIsNotBase64Url) {
  KeyOperationArgs args;
  args.operation = "encrypt";
  args.algorithm = "RSA-OAEP";
  args.value = "not base64!";
  EXPECT_EQ(KeyOperationBody(args).status().code(), StatusCode::kInvalidArgument);
  args.value = "AAAA";
  args.iv = "not an iv!";
  EXPECT_EQ(KeyOperationBody(args).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace kh::cli
