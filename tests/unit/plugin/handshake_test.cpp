#include "cppvider/plugin/handshake.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <filesystem>

#include "scoped_env.hpp"

namespace plugin = cppvider::plugin;

TEST(ChooseProtocolVersion, PicksTheHighestCommonVersion) {
  constexpr std::array both{6, 5};
  EXPECT_EQ(plugin::choose_protocol_version("6,5", both), 6);
  EXPECT_EQ(plugin::choose_protocol_version("5,6", both), 6);  // order carries no meaning
  EXPECT_EQ(plugin::choose_protocol_version("5", both), 5);
  EXPECT_EQ(plugin::choose_protocol_version(" 4 , 5 ", both), 5);
  EXPECT_EQ(plugin::choose_protocol_version("4", both), std::nullopt);
  EXPECT_EQ(plugin::choose_protocol_version("x,y", both), 6);  // nothing parseable: our first
  EXPECT_EQ(plugin::choose_protocol_version("", both), 6);
  constexpr std::array five_only{5};
  EXPECT_EQ(plugin::choose_protocol_version("6,5", five_only), 5);
  EXPECT_EQ(plugin::choose_protocol_version("6", five_only), std::nullopt);
}

TEST(Base64RawStd, MatchesGoRawStdEncoding) {
  // RFC 4648 test vectors with the padding removed, as Go's base64.RawStdEncoding writes them.
  EXPECT_EQ(plugin::base64_raw_std(""), "");
  EXPECT_EQ(plugin::base64_raw_std("f"), "Zg");
  EXPECT_EQ(plugin::base64_raw_std("fo"), "Zm8");
  EXPECT_EQ(plugin::base64_raw_std("foo"), "Zm9v");
  EXPECT_EQ(plugin::base64_raw_std("foob"), "Zm9vYg");
  EXPECT_EQ(plugin::base64_raw_std("fooba"), "Zm9vYmE");
  EXPECT_EQ(plugin::base64_raw_std("foobar"), "Zm9vYmFy");
  EXPECT_EQ(plugin::base64_raw_std(std::string("\xff\xfe\x00", 3)), "//4A");  // standard alphabet
}

TEST(HandshakeLine, HasSixFieldsAndANewline) {
  EXPECT_EQ(plugin::format_handshake_line(6, {plugin::network::unix_socket, "/tmp/plugin1"}, ""),
            "1|6|unix|/tmp/plugin1|grpc|\n");
  EXPECT_EQ(plugin::format_handshake_line(5, {plugin::network::tcp, "127.0.0.1:10000"}, "foo"),
            "1|5|tcp|127.0.0.1:10000|grpc|Zm9v\n");
}

TEST(SocketPath, ReservesAFreshNameInTheDirectory) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto a = plugin::reserve_socket_path_in(dir.string());
  const auto b = plugin::reserve_socket_path_in(dir.string());
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(a->rfind(dir.string(), 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(*a));  // reserved, then removed for bind()
  EXPECT_LE(a->size(), plugin::max_socket_path_length());
}

TEST(SocketPath, RefusesDirectoriesBeyondSunPath) {
  EXPECT_EQ(plugin::max_socket_path_length(), 107u);
  const std::string long_dir = "/tmp/" + std::string(110, 'd');
  EXPECT_EQ(plugin::reserve_socket_path_in(long_dir), std::nullopt);
  EXPECT_EQ(plugin::reserve_socket_path_in(""), std::nullopt);
}

TEST(SocketPath, FallsBackWhenTmpdirIsTooLong) {
  std::optional<std::string> p;
  {
    const cppvider::test_support::scoped_env tmpdir("TMPDIR", "/tmp/" + std::string(120, 'x'));
    const cppvider::test_support::scoped_env dir("PLUGIN_UNIX_SOCKET_DIR", std::nullopt);
    p = plugin::reserve_socket_path();
  }
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rfind("/tmp/plugin", 0), 0u);
}

TEST(SocketPath, HonoursPluginUnixSocketDir) {
  const auto dir = std::filesystem::temp_directory_path() / "cppvider-sockdir-test";
  std::filesystem::create_directories(dir);
  std::optional<std::string> p;
  {
    const cppvider::test_support::scoped_env env("PLUGIN_UNIX_SOCKET_DIR", dir.string());
    p = plugin::reserve_socket_path();
  }
  ASSERT_TRUE(p);
  EXPECT_EQ(p->rfind(dir.string() + "/plugin", 0), 0u);
  std::filesystem::remove_all(dir);
}

TEST(Reattach, AlwaysSaysTestTrue) {
  EXPECT_EQ(plugin::reattach_json("example.com/acme/foo", 6, 42,
                                  {plugin::network::unix_socket, "/tmp/plugin9"}),
            R"({"example.com/acme/foo":{"Protocol":"grpc","ProtocolVersion":6,"Pid":42,)"
            R"("Test":true,"Addr":{"Network":"unix","String":"/tmp/plugin9"}}})");
}

TEST(NotAPlugin, ExplainsWhatToDo) {
  const auto m = plugin::not_a_plugin_message("terraform-provider-x");
  EXPECT_NE(m.find("This binary is a plugin"), std::string::npos);
  EXPECT_NE(m.find("--debug"), std::string::npos);
}
