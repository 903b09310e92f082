// A protobuf message's encoding with map entries in key order: equal messages give equal bytes,
// so tests compare whole messages without reflection (the generated code is protobuf-lite).
#pragma once

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <string>

namespace cppvider::test_support {

template <class Message>
std::string deterministic_bytes(const Message& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!m.SerializeToCodedStream(&coded)) out = "<serialisation failed>";
  }
  return out;
}

}  // namespace cppvider::test_support
