// Codec throughput on the two shapes issue 4 names: (a) one realistic resource of ~40 attributes
// with nested blocks, (b) a list of 10 000 small objects; plus raw-state JSON decoding and a plain
// msgpack-cxx unpack of the same bytes as the floor. "bytes_per_second" is wire bytes; "values"
// is seconds per cty value (every node of the tree counts, the root included).
//
//   cmake --preset release && cmake --build build/release --target cty_bench -j2
//   build/release/bench/cty/cty_bench --benchmark_repetitions=5
//   --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>
#include <msgpack.hpp>

#include <cppvider/cty/cty.hpp>

namespace {

namespace cty = cppvider::cty;
using cty::type;
using cty::value;

type resource_type() {
  const auto s = type::string();
  const auto n = type::number();
  const auto b = type::boolean();
  const auto block_device = type::object({{"delete_on_termination", b},
                                          {"device_name", s},
                                          {"encrypted", b},
                                          {"iops", n},
                                          {"kms_key_id", s},
                                          {"tags", type::map(s)},
                                          {"throughput", n},
                                          {"volume_id", s},
                                          {"volume_size", n},
                                          {"volume_type", s}});
  const auto metadata = type::object({{"http_endpoint", s},
                                      {"http_put_response_hop_limit", n},
                                      {"http_tokens", s},
                                      {"instance_metadata_tags", s}});
  const auto nic = type::object({{"delete_on_termination", b},
                                 {"device_index", n},
                                 {"network_card_index", n},
                                 {"network_interface_id", s}});
  return type::object({
      {"ami", s},
      {"arn", s},
      {"associate_public_ip_address", b},
      {"availability_zone", s},
      {"cpu_core_count", n},
      {"cpu_threads_per_core", n},
      {"disable_api_stop", b},
      {"disable_api_termination", b},
      {"ebs_optimized", b},
      {"get_password_data", b},
      {"hibernation", b},
      {"host_id", s},
      {"iam_instance_profile", s},
      {"id", s},
      {"instance_initiated_shutdown_behavior", s},
      {"instance_state", s},
      {"instance_type", s},
      {"ipv6_address_count", n},
      {"ipv6_addresses", type::list(s)},
      {"key_name", s},
      {"monitoring", b},
      {"outpost_arn", s},
      {"password_data", s},
      {"placement_group", s},
      {"placement_partition_number", n},
      {"primary_network_interface_id", s},
      {"private_dns", s},
      {"private_ip", s},
      {"public_dns", s},
      {"public_ip", s},
      {"secondary_private_ips", type::set(s)},
      {"security_groups", type::set(s)},
      {"source_dest_check", b},
      {"subnet_id", s},
      {"tags", type::map(s)},
      {"tags_all", type::map(s)},
      {"tenancy", s},
      {"user_data", s},
      {"user_data_replace_on_change", b},
      {"vpc_security_group_ids", type::set(s)},
      {"root_block_device", type::list(block_device)},
      {"ebs_block_device", type::set(block_device)},
      {"metadata_options", type::list(metadata)},
      {"network_interface", type::set(nic)},
      {"timeouts", type::object({{"create", s}, {"delete", s}, {"update", s}})},
  });
}

value str(std::string_view s) { return value::string(s); }

value resource_value(const type& t) {
  const auto s = type::string();
  const auto& bd_t = t.attributes()[*t.attribute_index("root_block_device")].ty.element_type();
  const auto& md_t = t.attributes()[*t.attribute_index("metadata_options")].ty.element_type();
  const auto& nic_t = t.attributes()[*t.attribute_index("network_interface")].ty.element_type();
  const auto& to_t = t.attributes()[*t.attribute_index("timeouts")].ty;
  const auto tags = value::map(s, {{"Name", str("web-server-01")},
                                   {"Environment", str("production")},
                                   {"Team", str("platform")},
                                   {"CostCenter", str("cc-1234")}});
  const auto device = [&](std::string_view name, std::int64_t size, std::string_view vol) {
    return value::object(
        bd_t, {{"delete_on_termination", value::boolean(true)},
               {"device_name", str(name)},
               {"encrypted", value::boolean(true)},
               {"iops", value::number(3000)},
               {"kms_key_id",
                str("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")},
               {"tags", value::map(s, {{"Backup", str("daily")}})},
               {"throughput", value::number(125)},
               {"volume_id", str(vol)},
               {"volume_size", value::number(size)},
               {"volume_type", str("gp3")}});
  };
  return value::object(
      t, {
             {"ami", str("ami-0c55b159cbfafe1f0")},
             {"arn", str("arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0")},
             {"associate_public_ip_address", value::boolean(true)},
             {"availability_zone", str("eu-west-1a")},
             {"cpu_core_count", value::number(2)},
             {"cpu_threads_per_core", value::number(2)},
             {"disable_api_stop", value::boolean(false)},
             {"disable_api_termination", value::boolean(false)},
             {"ebs_optimized", value::boolean(true)},
             {"get_password_data", value::boolean(false)},
             {"hibernation", value::boolean(false)},
             {"iam_instance_profile", str("web-server-profile")},
             {"id", str("i-0123456789abcdef0")},
             {"instance_initiated_shutdown_behavior", str("stop")},
             {"instance_state", str("running")},
             {"instance_type", str("m5.xlarge")},
             {"ipv6_address_count", value::number(0)},
             {"ipv6_addresses", value::list(s, {})},
             {"key_name", str("deploy-key")},
             {"monitoring", value::boolean(true)},
             {"password_data", str("")},
             {"placement_partition_number", value::number(0)},
             {"primary_network_interface_id", str("eni-0a1b2c3d4e5f67890")},
             {"private_dns", str("ip-10-0-1-23.eu-west-1.compute.internal")},
             {"private_ip", str("10.0.1.23")},
             {"public_dns", str("ec2-54-123-45-67.eu-west-1.compute.amazonaws.com")},
             {"public_ip", str("54.123.45.67")},
             {"secondary_private_ips", value::set(s, {})},
             {"security_groups", value::set(s, {})},
             {"source_dest_check", value::boolean(true)},
             {"subnet_id", str("subnet-0a1b2c3d4e5f67890")},
             {"tags", tags},
             {"tags_all", tags},
             {"tenancy", str("default")},
             {"user_data", str("9a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b")},
             {"user_data_replace_on_change", value::boolean(false)},
             {"vpc_security_group_ids",
              value::set(s, {str("sg-0a1b2c3d4e5f67890"), str("sg-1a2b3c4d5e6f78901")})},
             {"root_block_device",
              value::list(bd_t, {device("/dev/xvda", 50, "vol-0a1b2c3d4e5f67890")})},
             {"ebs_block_device",
              value::set(bd_t, {device("/dev/sdf", 200, "vol-1a2b3c4d5e6f78901"),
                                device("/dev/sdg", 500, "vol-2a3b4c5d6e7f89012")})},
             {"metadata_options",
              value::list(md_t,
                          {value::object(md_t, {{"http_endpoint", str("enabled")},
                                                {"http_put_response_hop_limit", value::number(1)},
                                                {"http_tokens", str("required")},
                                                {"instance_metadata_tags", str("disabled")}})})},
             {"network_interface", value::set(nic_t, {})},
             {"timeouts", value::null(to_t)},
         });
}

type small_type() {
  return type::object({{"enabled", type::boolean()},
                       {"id", type::string()},
                       {"name", type::string()},
                       {"port", type::number()},
                       {"weight", type::number()}});
}

value small_list(std::size_t n) {
  const auto t = small_type();
  std::vector<value> items;
  items.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    items.push_back(
        value::object(t, {{"enabled", value::boolean(i % 3 != 0)},
                          {"id", value::string("item-" + std::to_string(100000 + i))},
                          {"name", value::string("backend-server-" + std::to_string(i % 97))},
                          {"port", value::number(static_cast<std::int64_t>(8000 + i % 1000))},
                          {"weight", value::number(0.5 + static_cast<double>(i % 10))}}));
  }
  return value::list(t, std::move(items));
}

std::size_t count_values(const value& v) {
  std::size_t n = 1;
  if (!v.is_known() || v.is_null()) return n;
  switch (v.type().kind()) {
    case cty::type_kind::map:
      for (const auto& e : v.entries()) n += count_values(e.value);
      break;
    case cty::type_kind::list:
    case cty::type_kind::set:
    case cty::type_kind::tuple:
    case cty::type_kind::object:
      for (const auto& e : v.elements()) n += count_values(e);
      break;
    default:
      break;
  }
  return n;
}

struct fixture {
  type t;
  value v;
  std::string msgpack;
  std::string json;
  std::size_t values;
};

const fixture& resource() {
  static const fixture f = [] {
    fixture x{resource_type(), {}, {}, {}, 0};
    x.v = resource_value(x.t);
    x.msgpack = cty::msgpack::encode(x.v, x.t).value();
    x.json = cty::json::encode(x.v, x.t).value();
    x.values = count_values(x.v);
    return x;
  }();
  return f;
}

const fixture& list10k() {
  static const fixture f = [] {
    fixture x{type::list(small_type()), small_list(10000), {}, {}, 0};
    x.msgpack = cty::msgpack::encode(x.v, x.t).value();
    x.json = cty::json::encode(x.v, x.t).value();
    x.values = count_values(x.v);
    return x;
  }();
  return f;
}

void report(benchmark::State& state, std::size_t bytes, std::size_t values) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["values"] = benchmark::Counter(
      static_cast<double>(values),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["wire_bytes"] = static_cast<double>(bytes);
}

template <const fixture& (*F)()>
void msgpack_decode(benchmark::State& state) {
  const auto& f = F();
  for (auto _ : state) {
    auto v = cty::msgpack::decode(f.msgpack, f.t);
    benchmark::DoNotOptimize(v);
  }
  report(state, f.msgpack.size(), f.values);
}

template <const fixture& (*F)()>
void msgpack_encode(benchmark::State& state) {
  const auto& f = F();
  std::string out;
  out.reserve(f.msgpack.size());
  for (auto _ : state) {
    out.clear();
    auto err = cty::msgpack::encode_into(out, f.v, f.t);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, f.msgpack.size(), f.values);
}

template <const fixture& (*F)()>
void msgpack_cxx_unpack_floor(benchmark::State& state) {
  const auto& f = F();
  for (auto _ : state) {
    msgpack::object_handle oh = msgpack::unpack(f.msgpack.data(), f.msgpack.size());
    benchmark::DoNotOptimize(oh.get());
  }
  report(state, f.msgpack.size(), f.values);
}

template <const fixture& (*F)()>
void json_raw_state_decode(benchmark::State& state) {
  const auto& f = F();
  for (auto _ : state) {
    auto v = cty::json::decode_raw_state(f.json, f.t);
    benchmark::DoNotOptimize(v);
  }
  report(state, f.json.size(), f.values);
}

template <const fixture& (*F)()>
void json_encode(benchmark::State& state) {
  const auto& f = F();
  std::string out;
  for (auto _ : state) {
    out.clear();
    auto err = cty::json::encode_into(out, f.v, f.t);
    benchmark::DoNotOptimize(err);
  }
  report(state, f.json.size(), f.values);
}

BENCHMARK(msgpack_decode<resource>)->Name("resource/msgpack_decode");
BENCHMARK(msgpack_encode<resource>)->Name("resource/msgpack_encode");
BENCHMARK(msgpack_cxx_unpack_floor<resource>)->Name("resource/msgpack_cxx_unpack_floor");
BENCHMARK(json_raw_state_decode<resource>)->Name("resource/json_raw_state_decode");
BENCHMARK(json_encode<resource>)->Name("resource/json_encode");
BENCHMARK(msgpack_decode<list10k>)->Name("list10k/msgpack_decode");
BENCHMARK(msgpack_encode<list10k>)->Name("list10k/msgpack_encode");
BENCHMARK(msgpack_cxx_unpack_floor<list10k>)->Name("list10k/msgpack_cxx_unpack_floor");
BENCHMARK(json_raw_state_decode<list10k>)->Name("list10k/json_raw_state_decode");
BENCHMARK(json_encode<list10k>)->Name("list10k/json_encode");

}  // namespace

BENCHMARK_MAIN();
