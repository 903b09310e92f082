// The localfs example provider: files on the local disk as resources and data sources.
//
//   provider "localfs" { root = "/tmp/demo" }            # optional base for relative paths
//   resource "localfs_file" "hello" {
//     path        = "hello.txt"                           # a new path replaces the file
//     content     = "Hello, world!\n"
//     permissions = "0600"                                # default "0644"
//   }                                                     # sha256: computed, known at plan
//   data "localfs_file" "motd" { path = "/etc/motd" }     # content, sha256, size
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
    fw::attr<std::string> permissions;
    fw::attr<std::string> sha256;
  };
  static constexpr std::string_view type_name = "file";
  filesystem& fs;

  static fw::schema_for<state> schema();
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

}  // namespace localfs
