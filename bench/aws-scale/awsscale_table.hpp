// The compiled-in schema table of the AWS-scale provider (written by generate.py).
//
// Every name and description lives once in one NUL-separated string blob; rows refer to it by
// byte offset. Offsets rather than pointers keep the table free of relocations: in a PIE
// binary each pointer would be a dynamic relocation the loader patches at every start, and the
// pages would become private (anonymous) memory. As it is, the table is read-only file-backed
// data that the kernel pages in only when a schema is first built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "awsscale_types.hpp"

namespace awsscale {

enum class attr_type : std::uint8_t {
  string,
  number,
  boolean,
  list_string,
  set_string,
  map_string
};

struct attr_row {
  std::uint32_t name;
  std::uint32_t description;  // 0: none
  std::uint8_t type;          // attr_type
  std::uint8_t flags;         // flag_* of awsscale_types.hpp
};

// A resource's root block or a nested block. Its attributes are rows [first_attr, +attr_count)
// and its nested blocks rows [first_block, +block_count) of the block table.
struct block_row {
  std::uint32_t name;
  std::uint32_t description;
  std::uint32_t first_attr;
  std::uint32_t first_block;
  std::uint16_t attr_count;
  std::uint8_t block_count;
  std::uint8_t nesting;  // 0 list, 1 set
};

struct resource_row {
  std::uint32_t name;   // without the provider prefix
  std::uint32_t block;  // root block
};

struct table {
  const char* strings;
  std::size_t strings_size;
  const attr_row* attrs;
  std::size_t attr_count;
  const block_row* blocks;
  std::size_t block_count;
  const resource_row* resources;
  std::size_t resource_count;

  [[nodiscard]] std::string_view str(std::uint32_t offset) const noexcept {
    return {strings + offset};
  }
};

extern const table k_table;

}  // namespace awsscale
