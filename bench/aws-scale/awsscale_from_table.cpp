// Schemas built from the compiled-in table (awsscale_table.hpp), one resource at a time, when
// the framework first asks for it.
#include <memory>
#include <string>

#include "awsscale_provider.hpp"
#include "awsscale_table.hpp"
#include "awsscale_types.hpp"

namespace awsscale {

namespace {

const cty::type& type_of(std::uint8_t code) {
  switch (static_cast<attr_type>(code)) {
    case attr_type::string:
      return t_string();
    case attr_type::number:
      return t_number();
    case attr_type::boolean:
      return t_bool();
    case attr_type::list_string:
      return t_list();
    case attr_type::set_string:
      return t_set();
    case attr_type::map_string:
      return t_map();
  }
  return t_string();
}

fw::schema_builder build_block(const table& t, const block_row& b) {
  fw::schema_builder sb;
  if (b.description != 0) sb.description(std::string(t.str(b.description)));
  for (std::uint32_t i = b.first_attr; i < b.first_attr + b.attr_count; ++i) {
    const attr_row& a = t.attrs[i];
    add_attribute(sb, t.str(a.name), type_of(a.type), a.flags, t.str(a.description));
  }
  for (std::uint32_t i = b.first_block; i < b.first_block + b.block_count; ++i) {
    const block_row& c = t.blocks[i];
    add_block(sb, t.str(c.name), c.nesting == 0 ? fw::nesting::list : fw::nesting::set,
              build_block(t, c), t.str(c.description));
  }
  return sb;
}

fw::schema_builder table_schema(std::uint32_t index) {
  const auto& r = k_table.resources[index];
  return build_block(k_table, k_table.blocks[r.block]);
}

}  // namespace

void add_table_resources(provider& p) {
  for (std::uint32_t i = 0; i < k_table.resource_count; ++i) {
    p.add_resource(std::make_shared<generated_resource>(k_table.str(k_table.resources[i].name),
                                                        &table_schema, i));
  }
}

}  // namespace awsscale
