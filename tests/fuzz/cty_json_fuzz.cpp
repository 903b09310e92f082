// libFuzzer target: the JSON value decoders (typed, raw state, untyped). Properties: no crash,
// no leak, no hang; a decoded value without unknowns re-encodes and its encoding is a fixed point.

#include <cppvider/cty/json.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace json = cppvider::cty::json;
  (void)json::decode_untyped(std::string_view(reinterpret_cast<const char*>(data), size));
  auto in = cty_fuzz::split(data, size);
  if (!in) return 0;
  (void)json::decode_raw_state(in->payload, in->type);
  auto v = json::decode(in->payload, in->type);
  if (!v) return 0;
  auto text = json::encode(*v, in->type);
  if (!text) {
    // Only infinity ("+Inf" read from a string) has no JSON form.
    return 0;
  }
  auto again = json::decode(*text, in->type);
  if (!again) cty_fuzz::fail("an encoding does not decode");
  auto text2 = json::encode(*again, in->type);
  if (!text2 || *text2 != *text) cty_fuzz::fail("the encoding is not a fixed point");
  return 0;
}
