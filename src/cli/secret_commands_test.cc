#include "cli/secret_commands.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <sstream>

namespace kh::cli {
namespace {

TEST(SecretBodyTest, MinimalSetBody) {
  SecretSetArgs args;
  args.value = SecretBytes(std::string_view("v1"));
  EXPECT_EQ(SecretSetBody(args).Reveal(), R"({"value":"v1","attributes":{}})");
}

TEST(SecretBodyTest, FullSetBodyIsValidJson) {
  SecretSetArgs args;
  args.value = SecretBytes(std::string_view("a\"b\\c\n\x01\xC3\xA9"));
  args.content_type = "text/plain";
  args.tags = std::map<std::string, std::string>{{"env", "test"}};
  args.disabled = true;
  args.expires = 1893456000;
  args.not_before = 1704067200;
  SecretBytes body = SecretSetBody(args);
  boost::json::value parsed = boost::json::parse(body.Reveal());
  EXPECT_EQ(parsed.at("value").as_string(), "a\"b\\c\n\x01\xC3\xA9");
  EXPECT_EQ(parsed.at("contentType").as_string(), "text/plain");
  EXPECT_EQ(parsed.at("tags").at("env").as_string(), "test");
  EXPECT_EQ(parsed.at("attributes").at("enabled").as_bool(), false);
  EXPECT_EQ(parsed.at("attributes").at("nbf").as_int64(), 1704067200);
  EXPECT_EQ(parsed.at("attributes").at("exp").as_int64(), 1893456000);
}

TEST(SecretBodyTest, UpdateBodyHasOnlyGivenFields) {
  SecretUpdateArgs args;
  EXPECT_EQ(boost::json::serialize(SecretUpdateBody(args)), "{}");
  args.enabled = false;
  args.content_type = "x";
  args.tags = std::map<std::string, std::string>{};
  EXPECT_EQ(boost::json::serialize(SecretUpdateBody(args)),
            R"({"contentType":"x","attributes":{"enabled":false},"tags":{}})");
}

TEST(SecretArgsTest, ParseTags) {
  auto tags = ParseTags({"a=1", "b=", "c=x=y"});
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::map<std::string, std::string>{{"a", "1"}, {"b", ""}, {"c", "x=y"}}));
  EXPECT_FALSE(ParseTags({"novalue"}).ok());
  EXPECT_FALSE(ParseTags({"=v"}).ok());
}

TEST(SecretArgsTest, ReadSecretValueSources) {
  std::istringstream in("from stdin\n");
  StatusOr<SecretBytes> v = ReadSecretValue(std::string("-"), std::nullopt, in);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Reveal(), "from stdin");

  std::istringstream crlf("two\nlines\r\n");
  EXPECT_EQ(ReadSecretValue(std::string("-"), std::nullopt, crlf)->Reveal(), "two\nlines");

  std::istringstream unused;
  EXPECT_EQ(ReadSecretValue(std::string("inline"), std::nullopt, unused)->Reveal(), "inline");
  EXPECT_FALSE(ReadSecretValue(std::nullopt, std::nullopt, unused).ok());
  EXPECT_FALSE(ReadSecretValue(std::string("a"), std::string("/etc/hostname"), unused).ok());
  EXPECT_FALSE(ReadSecretValue(std::nullopt, std::string("/nonexistent/file"), unused).ok());
}

TEST(SecretArgsTest, ReadSecretValueChecksSizeAndEncoding) {
  std::istringstream big(std::string(kMaxSecretValueBytes + 1, 'x'));
  EXPECT_FALSE(ReadSecretValue(std::string("-"), std::nullopt, big).ok());
  std::istringstream just_fits(std::string(kMaxSecretValueBytes, 'x'));
  EXPECT_TRUE(ReadSecretValue(std::string("-"), std::nullopt, just_fits).ok());

  std::istringstream unused;
  for (const char* bad : {"\xff", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    EXPECT_FALSE(ReadSecretValue(std::string(bad), std::nullopt, unused).ok()) << bad;
  }
  EXPECT_TRUE(
      ReadSecretValue(std::string("\xF0\x9F\x94\x91 k\xC3\xA9y"), std::nullopt, unused).ok());
}

}  // namespace
}  // namespace kh::cli
