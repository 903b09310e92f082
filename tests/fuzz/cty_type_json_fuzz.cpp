// libFuzzer target: the type-JSON parser. Properties: no crash, no leak, no hang; a parsed type
// writes canonical JSON that parses back to an equal type.

#include <cppvider/cty/type_json.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace cty = cppvider::cty;
  auto t = cty::parse_type_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!t) return 0;
  const std::string text = cty::type_to_json(*t);
  auto again = cty::parse_type_json(text);
  if (!again || !(*again == *t) || again->hash() != t->hash())
    cty_fuzz::fail("type JSON does not round-trip");
  if (cty::type_to_json(*again) != text) cty_fuzz::fail("type JSON is not canonical");
  return 0;
}
