// Coroutine hooks, cancellation, private state through plan/apply/read, partial creates.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "cppvider/cty/msgpack.hpp"
#include "cppvider/framework/provider.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/time.hpp"
#include "cppvider/testing/harness.hpp"
#include "cppvider/testing/throughput.hpp"
#include "scoped_env.hpp"

// A named namespace: types used in coroutine frames of header templates must have linkage
// (GCC warns with -Wsubobject-linkage otherwise).
namespace async_test {

namespace fw = cppvider::framework;
namespace rt = cppvider::runtime;
using namespace std::chrono_literals;

struct api {
  std::atomic<int> in_flight{0};
  std::atomic<int> peak{0};
  std::atomic<int> next{1};
  std::chrono::milliseconds latency{5ms};
  std::string fail_create;  // "partial", "throw"

  rt::task<std::string> make(std::string kind) {
    const int now = ++in_flight;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    const auto wait = latency;
    co_await rt::sleep_for(wait);
    --in_flight;
    co_return kind + "-" + std::to_string(next++);
  }
};

struct no_config {};

struct server {
  struct state {
    fw::attr<std::string> name;
    fw::attr<std::string> id;
    fw::attr<std::string> disk;
    fw::attr<std::string> seen_secret;
  };
  static constexpr std::string_view type_name = "server";
  static fw::schema_for<state> schema() {
    return fw::schema_for<state>()
        .attribute("name", &state::name, {.required = true})
        .attribute("id", &state::id, {.computed = true})
        .attribute("disk", &state::disk, {.computed = true})
        .attribute("seen_secret", &state::seen_secret, {.computed = true});
  }
  api& a;

  rt::task<void> create(const fw::create_request<state>& req, fw::create_response<state>& resp) {
    // Two API calls at once: the RPC holds no thread while both wait.
    auto made = co_await rt::gather(a.make("srv"), a.make("disk"));
    resp.state.id = std::get<0>(made);
    resp.state.disk = std::get<1>(made);
    resp.state.seen_secret = "";
    resp.private_state.set("admin_password", "pw-for-" + *req.plan.name);
    if (a.fail_create == "throw") throw std::runtime_error("api exploded after create");
    if (a.fail_create == "partial") {
      resp.diagnostics.add_error("Server boot failed", "the server exists but did not boot");
      resp.keep_partial_state();
    }
  }
  rt::task<void> read(const fw::read_request<state>& req, fw::read_response<state>& resp) {
    co_await rt::sleep_for(1ms);
    resp.state.seen_secret = req.private_state.get("admin_password").value_or("<none>");
  }
  void update(const fw::update_request<state>&, fw::update_response<state>&) {}
  rt::task<void> destroy(const fw::destroy_request<state>&, fw::destroy_response&) {
    co_await rt::sleep_for(30s);  // only finishes when stopped
  }
};

struct coroutine_hooks : ::testing::Test {
  api backend;
  fw::provider<no_config, api*> p{"async"};
  cppvider::testing::harness<no_config, api*> h{p};
  void SetUp() override {
    p.configure([this](const no_config&) { return &backend; });
    p.add_resource<server_ref>();
    ASSERT_FALSE(h.configure({}).has_error());
  }
  // The resource is built from the client (api*), so adapt.
  struct server_ref : server {
    explicit server_ref(api* a) : server{*a} {}
  };
};

TEST_F(coroutine_hooks, CoroutineHooksCreateAndRead) {
  auto created = h.create<server_ref>({.name = "web"});
  ASSERT_FALSE(created.diagnostics().has_error()) << created.diagnostics().to_string();
  EXPECT_EQ(created.state.id.value_or("").rfind("srv-", 0), 0U);
  EXPECT_EQ(created.state.disk.value_or("").rfind("disk-", 0), 0U);
  EXPECT_EQ(backend.peak.load(), 2);  // the two calls overlapped
  // The secret went to private state, not state.
  EXPECT_EQ(created.state.seen_secret, "");
  ASSERT_FALSE(created.raw.private_state.empty());
  auto read = h.read<server_ref>(created.state, created.raw.private_state);
  ASSERT_FALSE(read.diagnostics().has_error()) << read.diagnostics().to_string();
  EXPECT_EQ(read.state.seen_secret, "pw-for-web");
  // Unchanged private state comes back byte for byte (no re-seal, no churn in the state file).
  EXPECT_EQ(read.raw.private_state, created.raw.private_state);
}

TEST_F(coroutine_hooks, ManyRpcsWaitAtOnceWithoutHoldingThreads) {
  backend.latency = 100ms;
  auto plan = h.plan<server_ref>({.name = "x"});
  ASSERT_FALSE(plan.diagnostics().has_error());
  const auto& s = *p.resource_schema("async_server");
  constexpr int n = 50;
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0, ok = 0;
  struct done_sink final
      : cppvider::plugin::detail::completion<cppvider::plugin::apply_resource_change_response> {
    std::function<void(cppvider::plugin::apply_resource_change_response&&)> f;
    void complete(cppvider::plugin::apply_resource_change_response&& r) noexcept override {
      f(std::move(r));
    }
  };
  for (int i = 0; i < n; ++i) {
    cppvider::plugin::apply_resource_change_request req;
    req.type_name = "async_server";
    req.prior_state = {*cppvider::cty::msgpack::encode(plan.raw.prior, s.type()), {}};
    req.planned_state = {*cppvider::cty::msgpack::encode(plan.raw.planned, s.type()), {}};
    req.config = {*cppvider::cty::msgpack::encode(plan.raw.config, s.type()), {}};
    auto sink = std::make_shared<done_sink>();
    sink->f = [&](cppvider::plugin::apply_resource_change_response&& r) {
      std::lock_guard lock(mu);
      ++answered;
      if (r.diags.empty()) ++ok;
      cv.notify_all();
    };
    // This thread only starts each call; the waiting happens on the executor.
    p.apply_resource_change(
        {.rpc = "ApplyResourceChange"}, std::move(req),
        cppvider::plugin::responder<cppvider::plugin::apply_resource_change_response>(sink));
  }
  std::unique_lock lock(mu);
  cv.wait_for(lock, 60s, [&] { return answered == n; });
  EXPECT_EQ(answered, n);
  EXPECT_EQ(ok, n);
  // Every create's two API calls were waiting at the same moment.
  EXPECT_EQ(backend.peak.load(), 2 * n);
}

TEST_F(coroutine_hooks, StopReachesAWaitingHookAndBecomesADiagnostic) {
  auto created = h.create<server_ref>({.name = "doomed"});
  ASSERT_TRUE(created.exists);
  std::stop_source stop;
  h.set_stop_token(stop.get_token());
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  auto gone = h.destroy<server_ref>(created.state);
  stopper.join();
  ASSERT_TRUE(gone.diagnostics().has_error());
  EXPECT_NE(gone.diagnostics().to_string().find("Operation cancelled"), std::string::npos)
      << gone.diagnostics().to_string();
  EXPECT_TRUE(gone.exists);  // the failed destroy keeps the prior state
  EXPECT_EQ(gone.state.id, created.state.id);
}

TEST_F(coroutine_hooks, ExceptionAfterCreateIsAnErrorAndNothingIsTracked) {
  backend.fail_create = "throw";
  auto r = h.create<server_ref>({.name = "x"});
  ASSERT_TRUE(r.diagnostics().has_error());
  EXPECT_NE(r.diagnostics().to_string().find("api exploded after create"), std::string::npos);
  EXPECT_NE(r.diagnostics().to_string().find("async_server"), std::string::npos);
}

TEST_F(coroutine_hooks, PartialCreateKeepsWhatExists) {
  backend.fail_create = "partial";
  auto r = h.create<server_ref>({.name = "half"});
  ASSERT_TRUE(r.diagnostics().has_error());
  EXPECT_NE(r.diagnostics().to_string().find("did not boot"), std::string::npos);
  ASSERT_TRUE(r.exists);  // Terraform records it (tainted) instead of orphaning it
  EXPECT_EQ(r.state.id.value_or("").rfind("srv-", 0), 0U);
  EXPECT_FALSE(r.raw.private_state.empty());
}

TEST_F(coroutine_hooks, ThroughputHelperKeepsConcurrencyAndReports) {
  backend.latency = 20ms;
  const auto codec = server::schema().make_codec();
  auto r = cppvider::testing::measure_creates(
      h, "async_server",
      [&](std::size_t i) { return codec->encode({.name = "s" + std::to_string(i)}); },
      {.operations = 40, .concurrency = 8});
  EXPECT_EQ(r.operations, 40U);
  EXPECT_EQ(r.failed, 0U) << r.first_error;
  EXPECT_EQ(backend.peak.load(), 2 * 8);  // 8 creates in flight, two API calls each
  EXPECT_GE(r.p50, 20ms);                 // each waited for the API
  EXPECT_GT(r.ops_per_second, 0.0);
  EXPECT_NE(r.summary().find("40 ops, 8 at a time"), std::string::npos) << r.summary();

  // Reads of what exists, through ReadResource.
  auto created = h.create<server_ref>({.name = "r"});
  ASSERT_TRUE(created.exists);
  auto reads = cppvider::testing::measure_reads(h, "async_server", {created.raw},
                                                {.operations = 20, .concurrency = 5});
  EXPECT_EQ(reads.failed, 0U) << reads.first_error;
  EXPECT_EQ(reads.operations, 20U);
}

// ---- Private state encryption through the RPCs ---------------------------------------------

struct secret_env : cppvider::test_support::scoped_env {
  explicit secret_env(const char* v) : scoped_env("CPPVIDER_PRIVATE_STATE_SECRET", v) {}
};

// A provider with the server resource, configured; built after the environment is set.
struct served {
  api backend;
  fw::provider<no_config, api*> p{"async"};
  cppvider::testing::harness<no_config, api*> h{p};
  served() {
    p.configure([this](const no_config&) { return &backend; });
    p.add_resource<coroutine_hooks::server_ref>();
    if (h.configure({}).has_error()) throw std::runtime_error("configure failed");
  }
};

TEST(PrivateStateRpc, PlainWithoutSecretSealedWithSecretTamperDetected) {
  std::string plain_bytes;
  {
    served without_secret;
    auto& h = without_secret.h;
    auto c = h.create<coroutine_hooks::server_ref>({.name = "a"});
    ASSERT_FALSE(c.diagnostics().has_error()) << c.diagnostics().to_string();
    plain_bytes = c.raw.private_state;
    ASSERT_FALSE(plain_bytes.empty());
    EXPECT_EQ(plain_bytes[0], '\x01');  // no secret: plain format
    EXPECT_NE(plain_bytes.find("pw-for-a"), std::string::npos);
  }
  secret_env env("0123456789abcdef-test-secret");
  served with_secret;  // the codec is read from the environment on first use
  auto& h = with_secret.h;
  auto c = h.create<coroutine_hooks::server_ref>({.name = "b"});
  ASSERT_FALSE(c.diagnostics().has_error()) << c.diagnostics().to_string();
  const auto sealed = c.raw.private_state;
  ASSERT_FALSE(sealed.empty());
  EXPECT_EQ(sealed[0], '\x02');
  EXPECT_EQ(sealed.find("pw-for-b"), std::string::npos);  // not readable in the state file
  auto r = h.read<coroutine_hooks::server_ref>(c.state, sealed);
  ASSERT_FALSE(r.diagnostics().has_error()) << r.diagnostics().to_string();
  EXPECT_EQ(r.state.seen_secret, "pw-for-b");

  // Plain private state written before the secret was set still reads, and is sealed now.
  auto migrated = h.read<coroutine_hooks::server_ref>(c.state, plain_bytes);
  ASSERT_FALSE(migrated.diagnostics().has_error()) << migrated.diagnostics().to_string();
  EXPECT_EQ(migrated.state.seen_secret, "pw-for-a");
  EXPECT_EQ(migrated.raw.private_state[0], '\x02');

  auto tampered = sealed;
  tampered[tampered.size() / 2] ^= 0x20;
  auto bad = h.read<coroutine_hooks::server_ref>(c.state, tampered);
  ASSERT_TRUE(bad.diagnostics().has_error());
  EXPECT_NE(bad.diagnostics().to_string().find("authentication"), std::string::npos)
      << bad.diagnostics().to_string();
  EXPECT_TRUE(bad.exists);  // the failed read keeps the current state
}

}  // namespace async_test
