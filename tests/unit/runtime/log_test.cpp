#include "cppvider/runtime/log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

namespace lg = cppvider::log;

namespace {
std::vector<std::string>& captured() {
  static std::vector<std::string> lines;
  return lines;
}
void capture(std::string_view line) { captured().emplace_back(line); }

class Log : public ::testing::Test {
 protected:
  void SetUp() override {
    captured().clear();
    lg::set_sink(&capture);
    saved_ = lg::current_level();
  }
  void TearDown() override {
    lg::set_sink(nullptr);
    lg::set_level(saved_);
  }
  lg::level saved_{};
};
}  // namespace

TEST_F(Log, WritesHclogJsonLines) {
  lg::set_level(lg::level::debug);
  lg::info("created \"bucket\"\n", {{"name", "b1"}, {"size_gb", 40}, {"ok", true}, {"ratio", 0.5}});
  ASSERT_EQ(captured().size(), 1u);
  const auto& line = captured()[0];
  ASSERT_EQ(line.back(), '\n');
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["@level"], "info");
  EXPECT_EQ(j["@message"], "created \"bucket\"\n");
  EXPECT_EQ(j["@module"], "provider");
  EXPECT_EQ(j["name"], "b1");
  EXPECT_EQ(j["size_gb"], 40);
  EXPECT_EQ(j["ok"], true);
  EXPECT_DOUBLE_EQ(j["ratio"].get<double>(), 0.5);
  // hclog's timestamp layout: six fractional digits, UTC as Z.
  EXPECT_TRUE(std::regex_match(j["@timestamp"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
}

TEST_F(Log, SkipsLinesBelowTheLevel) {
  lg::set_level(lg::level::warn);
  lg::debug("hidden");
  lg::info("hidden");
  lg::warn("shown");
  lg::error("shown");
  EXPECT_EQ(captured().size(), 2u);
  lg::set_level(lg::level::off);
  lg::error("hidden");
  EXPECT_EQ(captured().size(), 2u);
}

TEST_F(Log, ScopesAddFieldsUntilTheyEnd) {
  lg::set_level(lg::level::trace);
  {
    lg::scope rpc{"tf_rpc", "PlanResourceChange", "tf_req_id", "abc-1"};
    lg::trace("inside");
    {
      lg::scope inner{"tf_resource_type", "local_file", "dangling key"};
      lg::trace("nested");
    }
  }
  lg::trace("outside");
  ASSERT_EQ(captured().size(), 3u);
  const auto a = nlohmann::json::parse(captured()[0]);
  const auto b = nlohmann::json::parse(captured()[1]);
  const auto c = nlohmann::json::parse(captured()[2]);
  EXPECT_EQ(a["tf_rpc"], "PlanResourceChange");
  EXPECT_EQ(a["tf_req_id"], "abc-1");
  EXPECT_FALSE(a.contains("tf_resource_type"));
  EXPECT_EQ(b["tf_resource_type"], "local_file");
  EXPECT_EQ(b["tf_rpc"], "PlanResourceChange");
  EXPECT_FALSE(c.contains("tf_rpc"));
}

TEST(LogLevel, ParsesTerraformNames) {
  EXPECT_EQ(lg::parse_level("TRACE"), lg::level::trace);
  EXPECT_EQ(lg::parse_level("json"), lg::level::trace);
  EXPECT_EQ(lg::parse_level("Debug"), lg::level::debug);
  EXPECT_EQ(lg::parse_level("info"), lg::level::info);
  EXPECT_EQ(lg::parse_level("WARN"), lg::level::warn);
  EXPECT_EQ(lg::parse_level("error"), lg::level::error);
  EXPECT_EQ(lg::parse_level("off"), lg::level::off);
  EXPECT_EQ(lg::parse_level("bogus", lg::level::info), lg::level::info);
}

TEST(LogFormat, EscapesControlCharacters) {
  const auto line = lg::format_line(lg::level::error,
                                    std::string("a\x01"
                                                "b"),
                                    {}, "m");
  EXPECT_NE(line.find("\\u0001"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(line)["@message"], std::string("a\x01"
                                                                 "b"));
}
