// provider_schema_encoder: GetProviderSchema in wire form, one schema at a time.
//
// Protobuf's wire format merges concatenated messages: map entries and repeated fields append,
// singular fields merge. So each schema is encoded as a response that holds only that map entry,
// and the pieces, concatenated, are the one response a client parses. Protobuf encodes every
// piece; nothing here writes tags or lengths by hand.
#include <algorithm>
#include <stdexcept>

#include "cppvider/plugin/protocol.hpp"
#include "messages.hpp"
#include "tfplugin5.pb.h"
#include "tfplugin6.pb.h"

namespace cppvider::plugin {

std::size_t encoded_response::size() const noexcept {
  std::size_t n = 0;
  for (const auto& p : pieces) n += p.size();
  return n;
}

namespace {
// Pieces of about this size: few enough slices for gRPC, little slack at each piece's end.
constexpr std::size_t piece_size = 256 * 1024;

enum class map_kind : std::uint8_t { resource, data_source, ephemeral_resource };

struct encoder_base {
  virtual ~encoder_base() = default;
  virtual void add(map_kind k, const std::string& name, const schema& s) = 0;
  virtual void add_rest(const get_provider_schema_response& rest) = 0;

  std::shared_ptr<encoded_response> out = std::make_shared<encoded_response>();
  std::string scratch;

  // Appends one encoded message to the current piece, starting a new piece when it is full.
  void append(const std::string& bytes) {
    auto& pieces = out->pieces;
    if (pieces.empty() || pieces.back().size() + bytes.size() > pieces.back().capacity()) {
      if (!pieces.empty()) pieces.back().shrink_to_fit();
      pieces.emplace_back().reserve(std::max(piece_size, bytes.size()));
    }
    pieces.back() += bytes;
  }
};

template <class Response>
struct encoder_for final : encoder_base {
  Response message;

  void add(map_kind k, const std::string& name, const schema& s) override {
    auto* map = k == map_kind::resource      ? message.mutable_resource_schemas()
                : k == map_kind::data_source ? message.mutable_data_source_schemas()
                                             : message.mutable_ephemeral_resource_schemas();
    convert::to_proto(s, &(*map)[name]);
    flush();
  }
  void add_rest(const get_provider_schema_response& rest) override {
    messages::fill(rest, &message);
    flush();
  }
  void flush() {
    scratch.clear();
    if (!message.SerializeToString(&scratch)) {
      throw std::runtime_error("GetProviderSchema: a schema could not be encoded");
    }
    message.Clear();
    append(scratch);
  }
};

}  // namespace

struct provider_schema_encoder::impl {
  std::unique_ptr<encoder_base> e;
};

provider_schema_encoder::provider_schema_encoder(int protocol_version)
    : impl_(std::make_unique<impl>()) {
  if (protocol_version == 6) {
    impl_->e = std::make_unique<encoder_for<tfplugin6::GetProviderSchema::Response>>();
  } else if (protocol_version == 5) {
    impl_->e = std::make_unique<encoder_for<tfplugin5::GetProviderSchema::Response>>();
  } else {
    throw std::invalid_argument("provider_schema_encoder: protocol version must be 5 or 6");
  }
  impl_->e->out->protocol_version = protocol_version;
}
provider_schema_encoder::provider_schema_encoder(provider_schema_encoder&&) noexcept = default;
provider_schema_encoder& provider_schema_encoder::operator=(provider_schema_encoder&&) noexcept =
    default;
provider_schema_encoder::~provider_schema_encoder() = default;

void provider_schema_encoder::add_resource(const std::string& type_name, const schema& s) {
  impl_->e->add(map_kind::resource, type_name, s);
}
void provider_schema_encoder::add_data_source(const std::string& type_name, const schema& s) {
  impl_->e->add(map_kind::data_source, type_name, s);
}
void provider_schema_encoder::add_ephemeral_resource(const std::string& type_name,
                                                     const schema& s) {
  impl_->e->add(map_kind::ephemeral_resource, type_name, s);
}

std::shared_ptr<const encoded_response> provider_schema_encoder::finish(
    const get_provider_schema_response& rest) && {
  auto& e = *impl_->e;
  e.add_rest(rest);
  if (!e.out->pieces.empty()) e.out->pieces.back().shrink_to_fit();
  auto out = std::move(e.out);
  impl_.reset();
  return out;
}

}  // namespace cppvider::plugin
