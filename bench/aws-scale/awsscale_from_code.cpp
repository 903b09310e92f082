// Schemas built by the generated schema_builder functions (awsscale_code_*.cpp).
#include <memory>

#include "awsscale_code.hpp"
#include "awsscale_provider.hpp"

namespace awsscale {

void add_code_resources(provider& p) {
  for (std::uint32_t i = 0; i < code::k_entry_count; ++i) {
    p.add_resource(std::make_shared<generated_resource>(
        code::k_entries[i].name, [](std::uint32_t n) { return code::k_entries[n].schema(); }, i));
  }
}

}  // namespace awsscale
