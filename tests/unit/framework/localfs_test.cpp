// The localfs example provider through the in-process harness, on a temporary directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cppvider/testing/harness.hpp"
#include "localfs.hpp"

namespace {

namespace fw = cppvider::framework;
namespace stdfs = std::filesystem;
using localfs::file;
using localfs::file_data;

class localfs_test : public ::testing::Test {
 protected:
  localfs_test() : h{p} {
    dir = stdfs::temp_directory_path() /
          ("cppvider-localfs-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir);
    stdfs::create_directories(dir);
    localfs::define(p);
    EXPECT_FALSE(h.configure({.root = dir.string()}).has_error());
  }
  ~localfs_test() override { stdfs::remove_all(dir); }

  static file::state cfg(std::string path, std::string content) {
    file::state s;
    s.path = std::move(path);
    s.content = std::move(content);
    return s;
  }
  std::string slurp(const std::string& name) {
    std::ifstream in(dir / name);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  stdfs::path dir;
  fw::provider<localfs::config, localfs::filesystem> p{"localfs"};
  cppvider::testing::harness<localfs::config, localfs::filesystem> h;
};

constexpr const char* hello_sha =
    "185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969";

TEST_F(localfs_test, create_writes_the_file_with_checksum_known_at_plan) {
  auto plan = h.plan<file>(cfg("a.txt", "Hello"));
  ASSERT_FALSE(plan.diagnostics().has_error()) << plan.diagnostics().to_string();
  EXPECT_EQ(plan.planned.sha256, hello_sha);
  EXPECT_EQ(plan.planned.permissions, "0644");
  EXPECT_TRUE(plan.planned.id.is_unknown());
  auto r = h.apply<file>(plan);
  ASSERT_FALSE(r.diagnostics().has_error()) << r.diagnostics().to_string();
  EXPECT_EQ(slurp("a.txt"), "Hello");
  EXPECT_EQ(r.state.id, (dir / "a.txt").string());
  EXPECT_EQ(stdfs::status(dir / "a.txt").permissions() & stdfs::perms::all,
            stdfs::perms::owner_read | stdfs::perms::owner_write | stdfs::perms::group_read |
                stdfs::perms::others_read);
  // Read back: nothing drifted, and the next plan is empty.
  auto read = h.read<file>(r.state);
  ASSERT_FALSE(read.diagnostics().has_error()) << read.diagnostics().to_string();
  EXPECT_TRUE(h.plan<file>(cfg("a.txt", "Hello"), read.state).no_changes());
}

TEST_F(localfs_test, content_change_updates_in_place_and_path_change_replaces) {
  auto created = h.create<file>(cfg("a.txt", "one"));
  auto upd = h.plan<file>(cfg("a.txt", "two"), created.state);
  EXPECT_FALSE(upd.replaces());
  auto updated = h.apply<file>(upd);
  ASSERT_FALSE(updated.diagnostics().has_error()) << updated.diagnostics().to_string();
  EXPECT_EQ(slurp("a.txt"), "two");
  auto moved = h.plan<file>(cfg("b.txt", "two"), updated.state);
  EXPECT_TRUE(moved.replaces(fw::path::root("path")));
  auto replaced = h.apply<file>(moved);
  ASSERT_FALSE(replaced.diagnostics().has_error()) << replaced.diagnostics().to_string();
  EXPECT_FALSE(stdfs::exists(dir / "a.txt"));
  EXPECT_EQ(slurp("b.txt"), "two");
  auto gone = h.destroy<file>(replaced.state);
  EXPECT_FALSE(gone.exists);
  EXPECT_FALSE(stdfs::exists(dir / "b.txt"));
}

TEST_F(localfs_test, drift_and_deletion_are_detected_by_read) {
  auto created = h.create<file>(cfg("a.txt", "one"));
  std::ofstream(dir / "a.txt") << "changed";
  auto read = h.read<file>(created.state);
  EXPECT_EQ(read.state.content, "changed");
  EXPECT_FALSE(h.plan<file>(cfg("a.txt", "one"), read.state).no_changes());
  stdfs::remove(dir / "a.txt");
  EXPECT_FALSE(h.read<file>(created.state).exists);
}

TEST_F(localfs_test, invalid_permissions_are_rejected) {
  auto c = cfg("a.txt", "x");
  c.permissions = "644";
  auto d = h.validate<file>(c);
  ASSERT_TRUE(d.has_error());
  EXPECT_EQ(d[0].attribute, fw::path::root("permissions"));
}

TEST_F(localfs_test, import_then_read_and_the_data_source) {
  std::ofstream(dir / "existing.txt") << "Hello";
  auto imported = h.import_state<file>((dir / "existing.txt").string());
  ASSERT_FALSE(imported.diagnostics().has_error()) << imported.diagnostics().to_string();
  auto read = h.read<file>(imported.state);
  EXPECT_EQ(read.state.content, "Hello");
  EXPECT_EQ(read.state.sha256, hello_sha);
  auto data = h.read_data<file_data>({.path = "existing.txt"});
  ASSERT_FALSE(data.diagnostics().has_error()) << data.diagnostics().to_string();
  EXPECT_EQ(data.state.size, 5);
  EXPECT_EQ(data.state.sha256, hello_sha);
  EXPECT_EQ(h.read_data<file_data>({.path = "missing"}).diagnostics()[0].summary, "File not found");
}

}  // namespace
