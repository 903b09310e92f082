// Resources of the framework benchmarks (issue 5), shared by bench/framework/framework_bench.cpp
// (in-process RPC latency) and bench/cli/framework_provider.cpp (whole-CLI runs):
//
//   bench_item      the small resource: name (required), description and size (optional), id
//                   (computed, kept across updates). No backing store: the id is a hash of the
//                   name, and read/update/destroy have nothing remote to do.
//   bench_instance  a ~45-attribute resource with nested blocks, the schema of the cty
//                   benchmark's "resource" object (bench/cty/cty_bench.cpp) as a provider would
//                   declare it: required, optional, computed and defaulted attributes, list and
//                   set blocks, a single block. Create and update fill every unknown value.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cppvider/framework/provider.hpp"
#include "hash_id.hpp"

namespace bench_resources {

namespace fw = cppvider::framework;

struct item {
  struct state {
    fw::attr<std::string> id;
    fw::attr<std::string> name;
    fw::attr<std::string> description;
    fw::attr<double> size;
  };
  static constexpr std::string_view type_name = "item";

  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("id", &state::id,
                   {.computed = true, .plan_modifiers = {fw::use_state_for_unknown()}})
        .attribute("name", &state::name, {.required = true})
        .attribute("description", &state::description, {.optional = true})
        .attribute("size", &state::size, {.optional = true});
  }
  void create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
    resp.state.id = hash_id("item-", *req.plan.name);
  }
  void read(const fw::read_request<state>&, fw::read_response<state>&) {}
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

struct instance {
  struct block_device {
    fw::attr<bool> delete_on_termination;
    fw::attr<std::string> device_name;
    fw::attr<bool> encrypted;
    fw::attr<std::int64_t> iops;
    fw::attr<std::string> kms_key_id;
    fw::attr<std::map<std::string, std::string>> tags;
    fw::attr<std::int64_t> throughput;
    fw::attr<std::string> volume_id;
    fw::attr<std::int64_t> volume_size;
    fw::attr<std::string> volume_type;
  };
  struct metadata {
    fw::attr<std::string> http_endpoint;
    fw::attr<std::int64_t> http_put_response_hop_limit;
    fw::attr<std::string> http_tokens;
    fw::attr<std::string> instance_metadata_tags;
  };
  struct nic {
    fw::attr<bool> delete_on_termination;
    fw::attr<std::int64_t> device_index;
    fw::attr<std::int64_t> network_card_index;
    fw::attr<std::string> network_interface_id;
  };
  struct timeouts {
    fw::attr<std::string> create;
    fw::attr<std::string> del;
    fw::attr<std::string> update;
  };
  using strings = std::vector<std::string>;
  using string_set = std::set<std::string>;
  using tag_map = std::map<std::string, std::string>;
  struct state {
    fw::attr<std::string> ami;
    fw::attr<std::string> arn;
    fw::attr<bool> associate_public_ip_address;
    fw::attr<std::string> availability_zone;
    fw::attr<std::int64_t> cpu_core_count;
    fw::attr<std::int64_t> cpu_threads_per_core;
    fw::attr<bool> disable_api_stop;
    fw::attr<bool> disable_api_termination;
    fw::attr<bool> ebs_optimized;
    fw::attr<bool> get_password_data;
    fw::attr<bool> hibernation;
    fw::attr<std::string> host_id;
    fw::attr<std::string> iam_instance_profile;
    fw::attr<std::string> id;
    fw::attr<std::string> instance_initiated_shutdown_behavior;
    fw::attr<std::string> instance_state;
    fw::attr<std::string> instance_type;
    fw::attr<std::int64_t> ipv6_address_count;
    fw::attr<strings> ipv6_addresses;
    fw::attr<std::string> key_name;
    fw::attr<bool> monitoring;
    fw::attr<std::string> outpost_arn;
    fw::attr<std::string> password_data;
    fw::attr<std::string> placement_group;
    fw::attr<std::int64_t> placement_partition_number;
    fw::attr<std::string> primary_network_interface_id;
    fw::attr<std::string> private_dns;
    fw::attr<std::string> private_ip;
    fw::attr<std::string> public_dns;
    fw::attr<std::string> public_ip;
    fw::attr<string_set> secondary_private_ips;
    fw::attr<string_set> security_groups;
    fw::attr<bool> source_dest_check;
    fw::attr<std::string> subnet_id;
    fw::attr<tag_map> tags;
    fw::attr<tag_map> tags_all;
    fw::attr<std::string> tenancy;
    fw::attr<std::string> user_data;
    fw::attr<bool> user_data_replace_on_change;
    fw::attr<string_set> vpc_security_group_ids;
    fw::attr<std::vector<block_device>> root_block_device;
    fw::attr<std::vector<block_device>> ebs_block_device;
    fw::attr<std::vector<metadata>> metadata_options;
    fw::attr<std::vector<nic>> network_interface;
    fw::attr<timeouts> timeout_block;
  };
  static constexpr std::string_view type_name = "instance";

  static fw::schema_for<block_device> block_device_schema() {
    using b = block_device;
    return fw::schema_for<b>()
        .attribute("delete_on_termination", &b::delete_on_termination, {.optional = true})
        .attribute("device_name", &b::device_name, {.optional = true})
        .attribute("encrypted", &b::encrypted, {.optional = true})
        .attribute("iops", &b::iops, {.optional = true})
        .attribute("kms_key_id", &b::kms_key_id, {.optional = true})
        .attribute("tags", &b::tags, {.optional = true})
        .attribute("throughput", &b::throughput, {.optional = true})
        .attribute("volume_id", &b::volume_id, {.computed = true})
        .attribute("volume_size", &b::volume_size, {.optional = true})
        .attribute("volume_type", &b::volume_type,
                   {.optional = true, .validators = {fw::one_of({"gp2", "gp3", "io1", "io2"})}});
  }
  static fw::schema_for<metadata> metadata_schema() {
    using m = metadata;
    return fw::schema_for<m>()
        .attribute("http_endpoint", &m::http_endpoint, {.optional = true})
        .attribute("http_put_response_hop_limit", &m::http_put_response_hop_limit,
                   {.optional = true})
        .attribute("http_tokens", &m::http_tokens, {.optional = true})
        .attribute("instance_metadata_tags", &m::instance_metadata_tags, {.optional = true});
  }
  static fw::schema_for<nic> nic_schema() {
    return fw::schema_for<nic>()
        .attribute("delete_on_termination", &nic::delete_on_termination, {.optional = true})
        .attribute("device_index", &nic::device_index, {.required = true})
        .attribute("network_card_index", &nic::network_card_index, {.optional = true})
        .attribute("network_interface_id", &nic::network_interface_id, {.required = true});
  }
  static fw::schema_for<timeouts> timeouts_schema() {
    return fw::schema_for<timeouts>()
        .attribute("create", &timeouts::create, {.optional = true})
        .attribute("delete", &timeouts::del, {.optional = true})
        .attribute("update", &timeouts::update, {.optional = true});
  }

  static fw::schema_for<state> schema() {
    using s = state;
    // Computed-only ids keep their value across updates, as real providers declare them.
    const fw::attribute_options<std::string> remote_id{
        .computed = true, .plan_modifiers = {fw::use_state_for_unknown()}};
    const fw::attribute_options<std::string> remote{.computed = true};
    const fw::attribute_options<std::string> opt_computed{.optional = true, .computed = true};
    const fw::attribute_options<std::string> opt{.optional = true};
    const fw::attribute_options<bool> flag{.optional = true};
    const fw::attribute_options<bool> flag_false{
        .optional = true, .computed = true, .default_value = false};
    const fw::attribute_options<std::int64_t> count{.optional = true, .computed = true};
    const fw::attribute_options<string_set> ids{.optional = true, .computed = true};
    return fw::schema_for<s>()
        .attribute("ami", &s::ami, {.required = true})
        .attribute("arn", &s::arn, remote_id)
        .attribute("associate_public_ip_address", &s::associate_public_ip_address,
                   {.optional = true, .computed = true})
        .attribute("availability_zone", &s::availability_zone, opt_computed)
        .attribute("cpu_core_count", &s::cpu_core_count, count)
        .attribute("cpu_threads_per_core", &s::cpu_threads_per_core, count)
        .attribute("disable_api_stop", &s::disable_api_stop, flag_false)
        .attribute("disable_api_termination", &s::disable_api_termination, flag_false)
        .attribute("ebs_optimized", &s::ebs_optimized, flag_false)
        .attribute("get_password_data", &s::get_password_data, flag_false)
        .attribute("hibernation", &s::hibernation, flag)
        .attribute("host_id", &s::host_id, opt_computed)
        .attribute("iam_instance_profile", &s::iam_instance_profile, opt)
        .attribute("id", &s::id, remote_id)
        .attribute("instance_initiated_shutdown_behavior", &s::instance_initiated_shutdown_behavior,
                   {.optional = true,
                    .computed = true,
                    .default_value = "stop",
                    .validators = {fw::one_of({"stop", "terminate"})}})
        .attribute("instance_state", &s::instance_state, remote)
        .attribute("instance_type", &s::instance_type,
                   {.required = true, .validators = {fw::length_at_least(2)}})
        .attribute("ipv6_address_count", &s::ipv6_address_count, count)
        .attribute("ipv6_addresses", &s::ipv6_addresses, {.optional = true, .computed = true})
        .attribute("key_name", &s::key_name, opt)
        .attribute("monitoring", &s::monitoring, flag)
        .attribute("outpost_arn", &s::outpost_arn, remote_id)
        .attribute("password_data", &s::password_data, remote_id)
        .attribute("placement_group", &s::placement_group, opt)
        .attribute("placement_partition_number", &s::placement_partition_number, count)
        .attribute("primary_network_interface_id", &s::primary_network_interface_id, remote_id)
        .attribute("private_dns", &s::private_dns, remote_id)
        .attribute("private_ip", &s::private_ip, opt_computed)
        .attribute("public_dns", &s::public_dns, remote)
        .attribute("public_ip", &s::public_ip, remote)
        .attribute("secondary_private_ips", &s::secondary_private_ips, ids)
        .attribute("security_groups", &s::security_groups, ids)
        .attribute("source_dest_check", &s::source_dest_check,
                   {.optional = true, .computed = true, .default_value = true})
        .attribute("subnet_id", &s::subnet_id, opt_computed)
        .attribute("tags", &s::tags, {.optional = true})
        .attribute("tags_all", &s::tags_all, {.computed = true})
        .attribute("tenancy", &s::tenancy, opt_computed)
        .attribute("user_data", &s::user_data, opt)
        .attribute("user_data_replace_on_change", &s::user_data_replace_on_change, flag_false)
        .attribute("vpc_security_group_ids", &s::vpc_security_group_ids, ids)
        .block("root_block_device", &s::root_block_device, fw::as_list, block_device_schema(),
               {.max_items = 1})
        .block("ebs_block_device", &s::ebs_block_device, fw::as_set, block_device_schema())
        .block("metadata_options", &s::metadata_options, fw::as_list, metadata_schema(),
               {.max_items = 1})
        .block("network_interface", &s::network_interface, fw::as_set, nic_schema())
        .block("timeouts", &s::timeout_block, fw::as_single, timeouts_schema());
  }

  // What the remote API would decide: every value the plan left unknown.
  static void fill_unknown(const state& config, state& s) {
    const std::string id =
        hash_id("i-", config.ami.value_or("") + config.instance_type.value_or(""));
    const auto fill = [](auto& field, auto value) {
      if (field.is_unknown()) field = std::move(value);
    };
    fill(s.id, id);
    fill(s.arn, "arn:aws:ec2:eu-west-1:123456789012:instance/" + id);
    fill(s.associate_public_ip_address, true);
    fill(s.availability_zone, std::string("eu-west-1a"));
    fill(s.cpu_core_count, std::int64_t{2});
    fill(s.cpu_threads_per_core, std::int64_t{2});
    fill(s.host_id, std::string());
    fill(s.instance_state, std::string("running"));
    fill(s.ipv6_address_count, std::int64_t{0});
    fill(s.ipv6_addresses, strings{});
    fill(s.outpost_arn, std::string());
    fill(s.password_data, std::string());
    fill(s.placement_partition_number, std::int64_t{0});
    fill(s.primary_network_interface_id, hash_id("eni-", id));
    fill(s.private_dns, std::string("ip-10-0-1-23.eu-west-1.compute.internal"));
    fill(s.private_ip, std::string("10.0.1.23"));
    fill(s.public_dns, std::string("ec2-54-123-45-67.eu-west-1.compute.amazonaws.com"));
    fill(s.public_ip, std::string("54.123.45.67"));
    fill(s.secondary_private_ips, string_set{});
    fill(s.security_groups, string_set{});
    fill(s.subnet_id, std::string("subnet-0a1b2c3d4e5f67890"));
    fill(s.tags_all, s.tags.value_or(tag_map{}));
    fill(s.tenancy, std::string("default"));
    fill(s.vpc_security_group_ids, string_set{"sg-0a1b2c3d4e5f67890"});
    for (auto* blocks : {&s.root_block_device, &s.ebs_block_device}) {
      if (!blocks->has_value()) continue;
      for (auto& d : **blocks) fill(d.volume_id, hash_id("vol-", id + d.device_name.value_or("")));
    }
  }

  void create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
    fill_unknown(req.config, resp.state);
  }
  void read(const fw::read_request<state>&, fw::read_response<state>&) {}
  void update(const fw::update_request<state>& req, fw::update_response<state>& resp) {
    fill_unknown(req.config, resp.state);
  }
  void destroy(const fw::destroy_request<state>&, fw::destroy_response&) {}
};

// The provider "bench" with both resources (bench_item, bench_instance), no configuration.
inline void define(fw::provider<>& p) {
  p.add_resource<item>();
  p.add_resource<instance>();
}

}  // namespace bench_resources
