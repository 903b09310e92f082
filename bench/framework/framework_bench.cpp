// Server-side latency of PlanResourceChange and ApplyResourceChange in a framework provider
// (issue 5; target: <= 20 us p50 for the small resource).
//
// The provider's plugin::provider_service virtuals are called in process exactly as the gRPC
// layer calls them (src/plugin/provider_grpc.cpp): a request struct whose values are msgpack
// bytes, a call_context, and a responder whose completion captures the answer. What is timed is
// that call, from entry until the answer is in hand: msgpack decode of prior state, proposed new
// state and configuration, planning (defaults, unknown marking, plan modifiers, consistency
// checks) or the typed hook with its conversions, and the msgpack encode of the answer. Building
// the request copy and freeing the answer are outside the timed region; gRPC and protobuf are
// not involved.
//
// Two resources (bench/framework/bench_resources.hpp): bench_item (two strings, a number, a
// computed id) and bench_instance (45 attributes and nested blocks, the cty benchmark's shape).
// "small_floor" runs the small cases against bench_raw::raw_bench (bench/cli/raw_provider.hpp),
// the same resource written straight on the plugin layer: the cost of the work without the
// framework, for the ratio issue 5 sets (framework within 1.25x of the floor).
//
// Every call's wall time (steady clock; it is what Google Benchmark reports, as manual time) and
// its thread CPU time (CLOCK_THREAD_CPUTIME_ID, read just outside the wall-clock window) are
// recorded; p50 and p99 of both are printed per case after the run. On a loaded machine the wall
// p99 includes time the thread was preempted; the CPU figures do not.
//
//   cmake --build build/h-bench --target framework_bench
//   build/h-bench/bench/framework/framework_bench [--benchmark_min_time=1]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench_resources.hpp"
#include "cppvider/cty/msgpack.hpp"
#include "cppvider/framework/values.hpp"
#include "raw_provider.hpp"

namespace {

namespace fw = cppvider::framework;
namespace plugin = cppvider::plugin;
namespace cty = cppvider::cty;
using clock_type = std::chrono::steady_clock;

// The answer slot of one call, as the gRPC layer keeps it. Hooks here never wait, so the
// answer arrives on the calling thread before the call returns.
template <class Response>
struct capture final : plugin::detail::completion<Response> {
  std::optional<Response> got;
  void complete(Response&& r) noexcept override {
    if (!got) got.emplace(std::move(r));
  }
};

template <class Response, class Request, class Call>
Response call_once(Request req, const char* rpc, Call call) {
  auto cap = std::make_shared<capture<Response>>();
  call(plugin::call_context{.rpc = rpc, .request_id = "1"}, std::move(req),
       plugin::responder<Response>(cap));
  if (!cap->got) throw std::logic_error(std::string(rpc) + " did not answer synchronously");
  return std::move(*cap->got);
}

std::string first_error(const plugin::diagnostics& d) {
  for (const auto& x : d)
    if (x.sev == plugin::severity::error) return x.summary + ": " + x.detail;
  return {};
}

plugin::dynamic_value encode(const cty::value& v, const cty::type& t) {
  return {cty::msgpack::encode(v, t).value(), {}};
}

// The five requests of one resource, built the way Terraform builds them: proposed new states
// from configuration and prior state, planned and prior states from the provider's own answers.
struct scenario {
  plugin::plan_resource_change_request plan_create, plan_noop, plan_change;
  plugin::apply_resource_change_request apply_create, apply_update;
};

fw::provider<>& bench_provider() {
  static fw::provider<> p{"bench"};
  static std::once_flag once;
  std::call_once(once, [] { bench_resources::define(p); });
  return p;
}

plugin::plan_resource_change_response plan(const plugin::plan_resource_change_request& req) {
  auto r = call_once<plugin::plan_resource_change_response>(
      req, "PlanResourceChange", [](auto ctx, auto q, auto done) {
        bench_provider().plan_resource_change(std::move(ctx), std::move(q), std::move(done));
      });
  if (auto e = first_error(r.diags); !e.empty()) throw std::runtime_error("plan: " + e);
  return r;
}

plugin::apply_resource_change_response apply(const plugin::apply_resource_change_request& req) {
  auto r = call_once<plugin::apply_resource_change_response>(
      req, "ApplyResourceChange", [](auto ctx, auto q, auto done) {
        bench_provider().apply_resource_change(std::move(ctx), std::move(q), std::move(done));
      });
  if (auto e = first_error(r.diags); !e.empty()) throw std::runtime_error("apply: " + e);
  return r;
}

scenario make_scenario(const std::string& type, const cty::value& config,
                       const cty::value& changed) {
  const auto schema = bench_provider().resource_schema(type);
  if (!schema) throw std::logic_error("no resource " + type);
  const auto& t = schema->type();
  const auto& b = *schema->block;
  const auto null = cty::value::null(t);
  scenario s;

  const auto plan_request = [&](const cty::value& prior, const cty::value& cfg) {
    plugin::plan_resource_change_request q;
    q.type_name = type;
    q.prior_state = encode(prior, t);
    q.proposed_new_state = encode(fw::proposed_new_state(b, prior, cfg), t);
    q.config = encode(cfg, t);
    return q;
  };
  const auto apply_request = [&](const cty::value& prior, const plugin::dynamic_value& planned,
                                 const cty::value& cfg) {
    plugin::apply_resource_change_request q;
    q.type_name = type;
    q.prior_state = encode(prior, t);
    q.planned_state = planned;
    q.config = encode(cfg, t);
    return q;
  };

  s.plan_create = plan_request(null, config);
  s.apply_create = apply_request(null, plan(s.plan_create).planned_state, config);
  const auto created = apply(s.apply_create);
  const cty::value state = cty::msgpack::decode(created.new_state.msgpack, t).value();

  s.plan_noop = plan_request(state, config);
  if (plan(s.plan_noop).planned_state.msgpack != created.new_state.msgpack)
    throw std::logic_error(type + ": the no-op plan is not the prior state");
  s.plan_change = plan_request(state, changed);
  s.apply_update = apply_request(state, plan(s.plan_change).planned_state, changed);
  const auto updated = apply(s.apply_update);
  if (updated.new_state.msgpack == created.new_state.msgpack)
    throw std::logic_error(type + ": the update changed nothing");
  return s;
}

const scenario& small_scenario() {
  static const scenario s = [] {
    using st = bench_resources::item::state;
    const auto codec = bench_resources::item::schema().make_codec();
    const st config{.name = "item-42", .description = "a small resource", .size = 42.0};
    st changed = config;
    changed.description = "a small resource, changed";
    return make_scenario("bench_item", codec->encode(config), codec->encode(changed));
  }();
  return s;
}

const scenario& large_scenario() {
  static const scenario s = [] {
    using in = bench_resources::instance;
    const auto codec = in::schema().make_codec();
    const in::tag_map tags{{"Name", "web-server-01"},
                           {"Environment", "production"},
                           {"Team", "platform"},
                           {"CostCenter", "cc-1234"}};
    const auto device = [](std::string name, std::int64_t size) {
      return in::block_device{
          .delete_on_termination = true,
          .device_name = std::move(name),
          .encrypted = true,
          .iops = std::int64_t{3000},
          .kms_key_id =
              "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          .tags = in::tag_map{{"Backup", "daily"}},
          .throughput = std::int64_t{125},
          .volume_id = {},
          .volume_size = size,
          .volume_type = "gp3"};
    };
    in::state config;
    config.ami = "ami-0c55b159cbfafe1f0";
    config.associate_public_ip_address = true;
    config.availability_zone = "eu-west-1a";
    config.ebs_optimized = true;
    config.iam_instance_profile = "web-server-profile";
    config.instance_type = "m5.xlarge";
    config.key_name = "deploy-key";
    config.monitoring = true;
    config.private_ip = "10.0.1.23";
    config.subnet_id = "subnet-0a1b2c3d4e5f67890";
    config.tags = tags;
    config.user_data = "9a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b";
    config.vpc_security_group_ids = in::string_set{"sg-0a1b2c3d4e5f67890", "sg-1a2b3c4d5e6f78901"};
    config.root_block_device = std::vector{device("/dev/xvda", 50)};
    config.ebs_block_device = std::vector{device("/dev/sdf", 200), device("/dev/sdg", 500)};
    config.metadata_options =
        std::vector{in::metadata{.http_endpoint = "enabled",
                                 .http_put_response_hop_limit = std::int64_t{1},
                                 .http_tokens = "required",
                                 .instance_metadata_tags = "disabled"}};
    config.network_interface = std::vector<in::nic>{};
    in::state changed = config;
    changed.tags->at("Team") = "web";  // tags_all becomes unknown, ids are kept
    changed.instance_type = "m5.2xlarge";
    return make_scenario("bench_instance", codec->encode(config), codec->encode(changed));
  }();
  return s;
}

// Per-call microseconds of one run of a case.
struct timings {
  std::vector<double> wall, cpu;
};

// Samples of the longest run of each case (Google Benchmark runs a case several times while it
// picks the iteration count; the last and longest run is the one reported).
std::map<std::string, timings>& samples() {
  static std::map<std::string, timings> m;
  return m;
}

void keep_samples(const std::string& name, timings t) {
  auto& slot = samples()[name];
  if (t.wall.size() >= slot.wall.size()) slot = std::move(t);
}

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

std::vector<double> sorted_copy(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v;
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size()));
  return sorted[std::min(sorted.size() - 1, i)];
}

template <class Response, class Request, class Call>
void run_case(benchmark::State& st, const std::string& name, const Request& req, const char* rpc,
              Call call) {
  timings t;
  t.wall.reserve(1 << 16);
  t.cpu.reserve(1 << 16);
  for (auto _ : st) {
    Request q = req;  // the gRPC layer hands over a fresh request per call
    auto cap = std::make_shared<capture<Response>>();
    plugin::responder<Response> done(cap);
    plugin::call_context ctx{.rpc = rpc, .request_id = "1"};
    const double c0 = thread_cpu_us();
    const auto t0 = clock_type::now();
    call(std::move(ctx), std::move(q), std::move(done));
    const auto t1 = clock_type::now();
    const double c1 = thread_cpu_us();
    const std::chrono::duration<double> took = t1 - t0;
    st.SetIterationTime(took.count());
    t.wall.push_back(took.count() * 1e6);
    t.cpu.push_back(c1 - c0);
    if (!cap->got) {
      st.SkipWithError("no synchronous answer");
      break;
    }
    if (const auto e = first_error(cap->got->diags); !e.empty()) {
      st.SkipWithError(e.c_str());
      break;
    }
    benchmark::DoNotOptimize(cap->got);
  }
  const auto wall = sorted_copy(t.wall);
  const auto cpu = sorted_copy(t.cpu);
  st.counters["p50_us"] = percentile(wall, 0.50);
  st.counters["p99_us"] = percentile(wall, 0.99);
  st.counters["cpu_p50_us"] = percentile(cpu, 0.50);
  keep_samples(name, std::move(t));
}

// Registers the five cases of `s`, served by `service`.
void register_cases(const std::string& resource, const scenario& s,
                    plugin::provider_service& service) {
  const auto plan_case = [&](const char* what, const plugin::plan_resource_change_request& req) {
    const std::string name = resource + "/" + what;
    const auto body = [name, &req, &service](benchmark::State& st) {
      run_case<plugin::plan_resource_change_response>(
          st, name, req, "PlanResourceChange", [&service](auto ctx, auto q, auto done) {
            service.plan_resource_change(std::move(ctx), std::move(q), std::move(done));
          });
    };
    benchmark::RegisterBenchmark(name.c_str(), body)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  };
  const auto apply_case = [&](const char* what, const plugin::apply_resource_change_request& req) {
    const std::string name = resource + "/" + what;
    const auto body = [name, &req, &service](benchmark::State& st) {
      run_case<plugin::apply_resource_change_response>(
          st, name, req, "ApplyResourceChange", [&service](auto ctx, auto q, auto done) {
            service.apply_resource_change(std::move(ctx), std::move(q), std::move(done));
          });
    };
    benchmark::RegisterBenchmark(name.c_str(), body)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  };
  plan_case("plan_create", s.plan_create);
  plan_case("plan_noop_update", s.plan_noop);
  plan_case("plan_in_place_change", s.plan_change);
  apply_case("apply_create", s.apply_create);
  apply_case("apply_update", s.apply_update);
}

// The framework-less floor answers the small scenario's requests with the same bytes as the
// framework (checked here once), so its cases time the same work minus the framework.
void check_floor(plugin::provider_service& floor, const scenario& s) {
  const auto same_plan = [&](const plugin::plan_resource_change_request& req) {
    auto want = plan(req);
    auto got = call_once<plugin::plan_resource_change_response>(
        req, "PlanResourceChange", [&floor](auto ctx, auto q, auto done) {
          floor.plan_resource_change(std::move(ctx), std::move(q), std::move(done));
        });
    if (got.planned_state.msgpack != want.planned_state.msgpack)
      throw std::logic_error("the floor plans differently from the framework");
  };
  const auto same_apply = [&](const plugin::apply_resource_change_request& req) {
    auto want = apply(req);
    auto got = call_once<plugin::apply_resource_change_response>(
        req, "ApplyResourceChange", [&floor](auto ctx, auto q, auto done) {
          floor.apply_resource_change(std::move(ctx), std::move(q), std::move(done));
        });
    if (got.new_state.msgpack != want.new_state.msgpack)
      throw std::logic_error("the floor applies differently from the framework");
  };
  same_plan(s.plan_create);
  same_plan(s.plan_noop);
  same_plan(s.plan_change);
  same_apply(s.apply_create);
  same_apply(s.apply_update);
}

void print_sizes(const char* resource, const scenario& s) {
  std::printf("%s: prior %zu B, proposed %zu B, config %zu B (msgpack, in-place change plan)\n",
              resource, s.plan_change.prior_state.msgpack.size(),
              s.plan_change.proposed_new_state.msgpack.size(), s.plan_change.config.msgpack.size());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Building the scenarios also checks that every case succeeds once (and warms the schemas).
  const scenario& small = small_scenario();
  const scenario& large = large_scenario();
  print_sizes("small (bench_item)", small);
  print_sizes("large (bench_instance)", large);
  bench_raw::raw_bench floor;
  check_floor(floor, small);
  register_cases("small", small, bench_provider());
  register_cases("small_floor", small, floor);
  register_cases("large", large, bench_provider());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  std::printf("\nPer-call latency, server side, microseconds (target: small p50 <= 20 us)\n");
  std::printf("%-34s %8s %10s %10s %10s %10s %10s\n", "case", "calls", "wall p50", "wall p99",
              "wall mean", "cpu p50", "cpu p99");
  for (const auto& [name, t] : samples()) {
    if (t.wall.empty()) continue;
    const auto wall = sorted_copy(t.wall);
    const auto cpu = sorted_copy(t.cpu);
    double sum = 0;
    for (double x : wall) sum += x;
    std::printf("%-34s %8zu %10.2f %10.2f %10.2f %10.2f %10.2f\n", name.c_str(), wall.size(),
                percentile(wall, 0.50), percentile(wall, 0.99),
                sum / static_cast<double>(wall.size()), percentile(cpu, 0.50),
                percentile(cpu, 0.99));
  }
  return 0;
}
