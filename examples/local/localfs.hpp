// The localfs example provider: files on the local disk as resources and data sources.
//
//   provider "localfs" { root = "/tmp/demo" }            # optional base for relative paths
//   resource "localfs_file" "hello" {
//     path        = "hello.txt"                           # a new path replaces the file
//     content     = "Hello, world!\n"
//     permissions = "0600"                                # default "0644"
//   }                                                     # sha256: computed, known at plan
//   data "localfs_file" "motd" { path = "/etc/motd" }     # content, sha256, size
//   ephemeral "localfs_lock" "deploy" { path = "deploy.lock" }   # held during one run
//   provider::localfs::sha256("text"), join_path("a", "b"), parse_permissions("0640")
//
// A file's content may instead be write-only (Terraform 1.11+): `content_wo` is written but
// never stored in plan or state, and written again when `content_wo_version` changes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "cppvider/framework/provider.hpp"

namespace localfs {

namespace fw = cppvider::framework;

struct config {
  fw::attr<std::string> root;
};

// The client every resource receives: where relative paths start.
struct filesystem {
  std::filesystem::path root;
  [[nodiscard]] std::filesystem::path resolve(std::string_view p) const;
};

// Hex SHA-256 of `data` (OpenSSL, kept out of this header).
[[nodiscard]] std::string sha256_hex(std::string_view data);

struct file {
  struct state {
    fw::attr<std::string> id;  // the resolved path
    fw::attr<std::string> path;
    fw::attr<std::string> content;
    fw::attr<std::string> content_wo;  // write-only: in the configuration only
    fw::attr<std::int64_t> content_wo_version;
    fw::attr<std::string> permissions;
    fw::attr<std::string> sha256;  // null for write-only content: a checksum would leak it
  };
  static constexpr std::string_view type_name = "file";
  filesystem& fs;

  static fw::schema_for<state> schema();
  // The resolved path names the file for good (Terraform 1.12+ stores it, imports by it).
  static fw::identity_schema identity() { return {.required = {"id"}}; }
  void create(const fw::create_request<state>& req, fw::create_response<state>& resp);
  void read(const fw::read_request<state>& req, fw::read_response<state>& resp);
  void update(const fw::update_request<state>& req, fw::update_response<state>& resp);
  void destroy(const fw::destroy_request<state>& req, fw::destroy_response& resp);
  void import_state(const fw::import_request& req, fw::import_response<state>& resp);
  void modify_plan(const fw::modify_plan_request<state>& req,
                   fw::modify_plan_response<state>& resp);
};

struct file_data {
  struct state {
    fw::attr<std::string> path;
    fw::attr<std::string> content;
    fw::attr<std::string> sha256;
    fw::attr<std::int64_t> size;
  };
  static constexpr std::string_view type_name = "file";
  filesystem& fs;

  static fw::schema_for<state> schema();
  void read(const fw::data_source_read_request<state>& req,
            fw::data_source_read_response<state>& resp);
};

// Registers everything on `p`; main() and the tests share it.
void define(fw::provider<config, filesystem>& p);

// An exclusive lock file held while Terraform needs it: created when Terraform opens the
// ephemeral resource, removed when it closes it. The token proves ownership at close.
struct lock {
  struct state {
    fw::attr<std::string> path;
    fw::attr<std::string> id;     // the resolved path
    fw::attr<std::string> token;  // random, sensitive: what the lock file holds
  };
  static constexpr std::string_view type_name = "lock";
  filesystem& fs;

  static fw::schema_for<state> schema();
  void open(const fw::open_request<state>& req, fw::open_response<state>& resp);
  void close(const fw::close_request& req, fw::close_response& resp);
};

}  // namespace localfs
