// libFuzzer target: the type-directed msgpack decoder. Properties: no crash, no leak, no hang on
// any input; whatever decodes re-encodes, and the encoding is a fixed point.

#include <cppvider/cty/msgpack.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace msgpack = cppvider::cty::msgpack;
  auto in = cty_fuzz::split(data, size);
  if (!in) return 0;
  auto v = msgpack::decode(in->payload, in->type);
  if (!v) return 0;
  auto bytes = msgpack::encode(*v, in->type);
  if (!bytes) cty_fuzz::fail("a decoded value does not encode");
  auto again = msgpack::decode(*bytes, in->type);
  if (!again) cty_fuzz::fail("an encoding does not decode");
  auto bytes2 = msgpack::encode(*again, in->type);
  if (!bytes2 || *bytes2 != *bytes) cty_fuzz::fail("the encoding is not a fixed point");
  return 0;
}
