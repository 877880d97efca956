#include "cli/output.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace kh::cli {
namespace {

boost::json::value J(std::string_view text) { return boost::json::parse(text); }

TEST(OutputTest, PrettyJsonIndentsNestedValues) {
  EXPECT_EQ(PrettyJson(J(R"({"a":1,"b":[true,null,"x\"y"],"c":{},"d":[]})")),
            "{\n"
            "  \"a\": 1,\n"
            "  \"b\": [\n"
            "    true,\n"
            "    null,\n"
            "    \"x\\\"y\"\n"
            "  ],\n"
            "  \"c\": {},\n"
            "  \"d\": []\n"
            "}");
  EXPECT_EQ(PrettyJson(J("[]")), "[]");
}

TEST(OutputTest, TableAlignsColumns) {
  EXPECT_EQ(RenderTable({"NAME", "ENABLED"}, {{"a", "true"}, {"longer-name", "false"}}),
            "NAME         ENABLED\n"
            "-----------  -------\n"
            "a            true\n"
            "longer-name  false\n");
}

TEST(OutputTest, TableCountsCodePointsAndPadsShortRows) {
  EXPECT_EQ(RenderTable({"A", "B"}, {{"\xC3\xA9t\xC3\xA9", "x"}, {"z"}}),
            "A    B\n"
            "---  -\n"
            "\xC3\xA9t\xC3\xA9  x\n"
            "z\n");
}

TEST(OutputTest, TableCellsCannotCarryControlCharacters) {
  std::string table = RenderTable({"V"}, {{"a\nb\x1b[31mc\t"}});
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_NE(table.find("a?b?[31mc?"), std::string::npos);
}

TEST(OutputTest, FormatsUnixTime) {
  EXPECT_EQ(FormatUnixTime(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUnixTime(1700000000), "2023-11-14T22:13:20Z");
}

TEST(OutputTest, PathSegments) {
  using V = std::vector<std::string>;
  EXPECT_EQ(PathSegments("https://v.localhost:8443/secrets/s1/abc"), (V{"secrets", "s1", "abc"}));
  EXPECT_EQ(PathSegments("https://v.localhost:8443/secrets/s1"), (V{"secrets", "s1"}));
  EXPECT_EQ(PathSegments("https://h/deletedsecrets/s1?x=/y"), (V{"deletedsecrets", "s1"}));
  EXPECT_EQ(PathSegments("/subscriptions/s/resourceGroups/rg"),
            (V{"subscriptions", "s", "resourceGroups", "rg"}));
  EXPECT_EQ(PathSegments("https://h"), V{});
}

TEST(OutputTest, SecretTableShowsMainFieldsAndValueOnlyWhenPresent) {
  boost::json::value bundle = J(R"({"value":"hunter2","id":"https://v.localhost:8443/secrets/db/v1",
      "contentType":"text/plain","tags":{"env":"prod","team":"a"},
      "attributes":{"enabled":true,"created":0,"updated":1700000000,"exp":1700000000}})");
  EXPECT_EQ(Render(bundle, ResourceKind::kSecret, OutputFormat::kTable),
            "NAME  VERSION  ENABLED  CONTENT-TYPE  CREATED               UPDATED               "
            "EXPIRES               TAGS             VALUE\n"
            "----  -------  -------  ------------  --------------------  --------------------  "
            "--------------------  ---------------  -------\n"
            "db    v1       true     text/plain    1970-01-01T00:00:00Z  2023-11-14T22:13:20Z  "
            "2023-11-14T22:13:20Z  env=prod,team=a  hunter2\n");
  bundle.as_object().erase("value");
  EXPECT_EQ(Render(bundle, ResourceKind::kSecret, OutputFormat::kTable).find("VALUE"),
            std::string::npos);
}

TEST(OutputTest, SecretListTable) {
  boost::json::value items = J(R"([{"id":"https://v.localhost/secrets/a","attributes":
      {"enabled":false,"updated":0}},{"id":"https://v.localhost/secrets/bb","attributes":{}}])");
  EXPECT_EQ(Render(items, ResourceKind::kSecretItem, OutputFormat::kTable),
            "NAME  ENABLED  CONTENT-TYPE  UPDATED               EXPIRES  TAGS\n"
            "----  -------  ------------  --------------------  -------  ----\n"
            "a     false                  1970-01-01T00:00:00Z\n"
            "bb\n");
}

TEST(OutputTest, VaultAndDeletedSecretTables) {
  boost::json::value vault = J(
      R"({"id":"/subscriptions/s/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/app",
          "name":"app","location":"local","properties":{"vaultUri":"https://app.localhost:8443/",
          "softDeleteRetentionInDays":90,"enablePurgeProtection":true}})");
  EXPECT_EQ(Render(boost::json::array{vault}, ResourceKind::kVault, OutputFormat::kTable),
            "NAME  RESOURCE-GROUP  LOCATION  VAULT-URI                    RETENTION-DAYS  "
            "PURGE-PROTECTION\n"
            "----  --------------  --------  ---------------------------  --------------  "
            "----------------\n"
            "app   rg1             local     https://app.localhost:8443/  90              true\n");
  boost::json::value deleted = J(R"({"recoveryId":"https://v.localhost/deletedsecrets/s1",
      "deletedDate":0,"scheduledPurgeDate":86400,"id":"https://v.localhost/secrets/s1/v"})");
  EXPECT_EQ(
      Render(deleted, ResourceKind::kDeletedSecret, OutputFormat::kTable),
      "NAME  DELETED               SCHEDULED-PURGE       RECOVERY-ID\n"
      "----  --------------------  --------------------  -------------------------------------\n"
      "s1    1970-01-01T00:00:00Z  1970-01-02T00:00:00Z  https://v.localhost/deletedsecrets/s1\n");
}

TEST(OutputTest, JsonFormatPrintsTheServerJson) {
  EXPECT_EQ(Render(J(R"({"a":"b"})"), ResourceKind::kSecret, OutputFormat::kJson),
            "{\n  \"a\": \"b\"\n}\n");
}

TEST(OutputTest, ParsesFormatNames) {
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_FALSE(ParseOutputFormat("yaml").ok());
}

}  // namespace
}  // namespace kh::cli
