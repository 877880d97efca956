#include "server/config.h"

#include <gtest/gtest.h>

namespace kh::server {
namespace {

TEST(ParseListenTest, Ipv4Ipv6AndAllInterfaces) {
  std::string address;
  int port = -1;
  ASSERT_TRUE(ParseListen("127.0.0.1:8443", address, port));
  EXPECT_EQ(address, "127.0.0.1");
  EXPECT_EQ(port, 8443);
  ASSERT_TRUE(ParseListen("[::1]:0", address, port));
  EXPECT_EQ(address, "::1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListen(":9000", address, port));
  EXPECT_EQ(address, "0.0.0.0");
  EXPECT_FALSE(ParseListen("127.0.0.1", address, port));
  EXPECT_FALSE(ParseListen("127.0.0.1:65536", address, port));
  EXPECT_FALSE(ParseListen("127.0.0.1:x", address, port));
}

TEST(ApplyListenTest, DefaultIsLoopback8443) {
  ServerConfig config;
  EXPECT_EQ(ApplyListen({}, config), "");
  EXPECT_EQ(config.listen_address, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 8443);
  EXPECT_TRUE(config.extra_listen_addresses.empty());
}

TEST(ApplyListenTest, SeveralAddressesShareTheFirstPort) {
  ServerConfig config;
  EXPECT_EQ(ApplyListen({"127.0.0.1:0", "[::1]:0", "127.0.0.2:0"}, config), "");
  EXPECT_EQ(config.listen_address, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 0);
  EXPECT_EQ(config.extra_listen_addresses, (std::vector<std::string>{"::1", "127.0.0.2"}));

  EXPECT_EQ(ApplyListen({"0.0.0.0:8443", "[::]:8443"}, config), "");
  EXPECT_EQ(config.listen_port, 8443);
  EXPECT_EQ(config.extra_listen_addresses, (std::vector<std::string>{"::"}));

  EXPECT_EQ(ApplyListen({"10.0.0.1:8443", "[::1]:0"}, config), "") << "0: the first one's port";
  EXPECT_EQ(config.listen_port, 8443);
}

TEST(ApplyListenTest, RejectsOtherPortsDuplicatesAndGarbage) {
  ServerConfig config;
  EXPECT_NE(ApplyListen({"127.0.0.1:8443", "[::1]:9000"}, config), "");
  EXPECT_NE(ApplyListen({"127.0.0.1:0", "[::1]:8443"}, config), "") << "the first port is unknown";
  EXPECT_NE(ApplyListen({"127.0.0.1:0", "127.0.0.1:0"}, config), "");
  EXPECT_NE(ApplyListen({"127.0.0.1:0", "[::1]:0", "[::1]:0"}, config), "");
  std::string error = ApplyListen({"127.0.0.1:0", "localhost"}, config);
  EXPECT_NE(error.find("HOST:PORT"), std::string::npos) << error;
}

}  // namespace
}  // namespace kh::server
