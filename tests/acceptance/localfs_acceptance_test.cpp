// The acceptance harness (cppvider/testing/acceptance.hpp) on the localfs example provider, with
// the real Terraform and the real OpenTofu: what a provider author's own acceptance tests look
// like, and a test that the harness itself catches what it promises to catch.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cppvider/testing/acceptance.hpp"

namespace {

namespace at = cppvider::testing::acceptance;
namespace fs = std::filesystem;

// The provider binary (ctest sets LOCALFS_PROVIDER) and a files root for it.
class localfs_acceptance : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("LOCALFS_PROVIDER");
    ASSERT_NE(bin, nullptr) << "LOCALFS_PROVIDER is not set";
    provider_ = {.binary = bin, .source = "example.com/cppvider/localfs"};
    std::string templ = (fs::temp_directory_path() / "cppvider-localfs-acc-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    root_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string provider_block() const {
    return "provider \"localfs\" {\n  root = \"" + root_.string() + "\"\n}\n";
  }
  std::string file_config(const std::string& path, const std::string& content) const {
    return provider_block() + "resource \"localfs_file\" \"f\" {\n  path = \"" + path +
           "\"\n  content = \"" + content + "\"\n}\n" +
           "data \"localfs_file\" \"back\" {\n  path = localfs_file.f.path\n}\n"
           "output \"sha\" {\n  value = localfs_file.f.sha256\n}\n";
  }
  std::string read(const std::string& name) const {
    std::ifstream in(root_ / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  at::provider_under_test provider_;
  fs::path root_;
};

TEST_F(localfs_acceptance, file_life_cycle_with_both_clients) {
  const auto clients = at::clients();  // throws (fails the test) when either CLI is missing
  ASSERT_EQ(clients.size(), 2U);
  for (const auto& cli : clients) {
    const auto
        r = at::run(cli,
                    {.provider = provider_,
                     .steps =
                         {
                             {.config = file_config("a.txt", "one"),
                              .check = at::all({at::attr("localfs_file.f", "content", "one"),
                                                at::attr("localfs_file.f", "permissions", "0644"),
                                                // sha256("one"), known at plan time and kept by
                                                // apply
                                                at::attr("localfs_file.f", "sha256",
                                                         "7692c3ad3540bb803c020b3aee66cd8887123234e"
                                                         "a0c6e7143c0add73ff431ed"),
                                                at::attr(
                                                    "data.localfs_file.back", "content", "one"),
                                                at::no_attr("localfs_file.f", "content_wo"),
                                                at::sensitive("localfs_file.f", "content_wo"),  // null, marked all the same
                                                [this](const at::
                                                           state& s) -> std::optional<std::string> {
                                                  if (read("a.txt") != "one")
                                                    return "a.txt does not hold \"one\"";
                                                  if (!s.outputs.contains("sha"))
                                                    return "output sha is missing";
                                                  return std::nullopt;
                                                }})},
                             // Importing the file by the path the configuration names gives the
                             // same state (ImportStateVerify). (By its id, the absolute path,
                             // `path` would differ.)
                             {.config = file_config("a.txt", "one"),
                              .check = at::attr("localfs_file.f", "content", "one"),
                              .import_address = "localfs_file.f",
                              .import_id = "a.txt",
                              .import_verify = true},
                             // In place: same path, new content.
                             {.config = file_config("a.txt", "two"),
                              .check = at::attr("localfs_file.f", "content", "two")},
                             // A new path replaces the file.
                             {.config = file_config("b.txt", "two"),
                              .check = [this](const at::state&) -> std::optional<std::string> {
                                if (fs::exists(root_ / "a.txt"))
                                  return "a.txt survived the replacement";
                                if (read("b.txt") != "two") return "b.txt does not hold \"two\"";
                                return std::nullopt;
                              }},
                             // Planning a change shows it and changes nothing.
                             {.config = file_config("b.txt", "three"),
                              .plan_only = true,
                              .expect_non_empty_plan = true},
                             // A configuration the provider rejects fails the apply with its
                             // diagnostic.
                             {.config =
                                  provider_block() +
                                  "resource \"localfs_file\" \"f\" {\n  path = \"b.txt\"\n"
                                  "  content = \"x\"\n  permissions = \"777\"\n}\n",
                              .expect_error = "must be four octal digits"},
                         },
                     .check_destroy = [this](const at::state& s) -> std::optional<std::string> {
                       if (fs::exists(root_ / "b.txt"))
                         return "b.txt is still on disk after destroy";
                       if (!s.resources.empty()) return "the state is not empty";
                       return std::nullopt;
                     }});
    EXPECT_TRUE(r.ok()) << r.failure;
    EXPECT_EQ(r.steps_run, 6U) << cli.name;
    EXPECT_FALSE(fs::exists(root_ / "b.txt")) << cli.name;
  }
}

// The harness must fail what is wrong: a check that does not hold, an error that was expected
// but did not come, and it still destroys what the failed test made.
TEST_F(localfs_acceptance, failures_are_reported_and_objects_destroyed) {
  const auto cli = at::clients().front();
  const auto wrong =
      at::run(cli, {.provider = provider_,
                    .steps = {{.config = file_config("c.txt", "three"),
                               .check = at::attr("localfs_file.f", "content", "not three")}}});
  EXPECT_FALSE(wrong.ok());
  EXPECT_NE(wrong.failure.find("step 1: check failed after apply: localfs_file.f.content is "
                               "\"three\", expected \"not three\""),
            std::string::npos)
      << wrong.failure;
  EXPECT_FALSE(fs::exists(root_ / "c.txt")) << "the failed test's file was not destroyed";

  const auto no_error = at::run(
      cli, {.provider = provider_,
            .steps = {{.config = file_config("d.txt", "four"), .expect_error = "anything"}}});
  EXPECT_FALSE(no_error.ok());
  EXPECT_NE(no_error.failure.find("the apply was expected to fail"), std::string::npos)
      << no_error.failure;
  EXPECT_FALSE(fs::exists(root_ / "d.txt")) << "an unexpected success was not destroyed";

  // An import whose result differs from the state is reported with the attribute: the file is
  // changed behind Terraform's back between the apply and the import.
  const auto drifted =
      at::run(cli, {.provider = provider_,
                    .steps = {{.config = file_config("f.txt", "six"),
                               .check = [this](const at::state&) -> std::optional<std::string> {
                                 std::ofstream(root_ / "f.txt") << "changed";
                                 return std::nullopt;
                               },
                               .expect_non_empty_plan = true},  // the drift shows in the re-plan
                              {.config = file_config("f.txt", "six"),
                               .import_address = "localfs_file.f",
                               .import_id = "f.txt",
                               .import_verify = true}}});
  EXPECT_NE(drifted.failure.find("content: state \"six\", imported \"changed\""), std::string::npos)
      << drifted.failure;

  const auto not_sensitive =
      at::run(cli, {.provider = provider_,
                    .steps = {{.config = file_config("g.txt", "seven"),
                               .check = at::sensitive("localfs_file.f", "content")}}});
  EXPECT_NE(not_sensitive.failure.find("localfs_file.f.content is not marked sensitive"),
            std::string::npos)
      << not_sensitive.failure;

  const auto missing = at::run(cli, {.provider = provider_,
                                     .steps = {{.config = file_config("e.txt", "five"),
                                                .check = at::exists("localfs_file.other")}}});
  EXPECT_NE(missing.failure.find("localfs_file.other is not in the state"), std::string::npos)
      << missing.failure;
}

}  // namespace
