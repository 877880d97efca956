#include "core/fields.h"

#include <gtest/gtest.h>

namespace kh {
namespace {

TEST(FieldsTest, RoundTrip) {
  Fields f;
  f.Set("value", std::string("a\0b", 3));
  f.SetInt("created", 1700000000);
  f.SetBool("enabled", true);
  f.SetMap("tags", {{"env", "prod"}, {"x", ""}});
  auto g = Fields::Decode(f.Encode());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g->Get("value"), std::string("a\0b", 3));
  EXPECT_EQ(*g->GetInt("created"), 1700000000);
  EXPECT_TRUE(g->GetBool("enabled", false));
  EXPECT_EQ(g->GetMap("tags").at("env"), "prod");
  EXPECT_FALSE(g->Has("missing"));
}

TEST(FieldsTest, RejectsTruncatedInput) {
  Fields f;
  f.Set("k", "v");
  std::string bytes = f.Encode();
  EXPECT_FALSE(Fields::Decode(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(Fields::Decode("").ok());
}

TEST(FieldsTest, ListsKeepTheirOrderPastTenEntries) {
  std::vector<std::string> list;
  for (int i = 12; i > 0; --i) list.push_back("item-" + std::to_string(i));
  Fields f;
  f.SetList("l", list);
  auto decoded = Fields::Decode(f.Encode());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->GetList("l"), list);
  EXPECT_TRUE(decoded->GetList("absent").empty());
}

}  // namespace
}  // namespace kh
