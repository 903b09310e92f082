// Cost of the AutoMTLS server identity (key pair + self-signed certificate) per curve: it is on
// every provider start-up path, so the default curve is chosen from these numbers.
//   build/release/bench/plugin/plugin_bench --benchmark_filter=Identity
#include <benchmark/benchmark.h>

#include "cppvider/plugin/handshake.hpp"
#include "cppvider/plugin/tls.hpp"

namespace plugin = cppvider::plugin;

static void BM_Identity(benchmark::State& state) {
  const auto curve = static_cast<plugin::key_curve>(state.range(0));
  for (auto _ : state) {
    auto id = plugin::generate_server_identity({.curve = curve});
    benchmark::DoNotOptimize(id.certificate_der.data());
  }
  state.SetLabel(curve == plugin::key_curve::p256   ? "P-256"
                 : curve == plugin::key_curve::p384 ? "P-384"
                                                    : "P-521");
}
BENCHMARK(BM_Identity)
    ->Arg(static_cast<int>(plugin::key_curve::p256))
    ->Arg(static_cast<int>(plugin::key_curve::p384))
    ->Arg(static_cast<int>(plugin::key_curve::p521))
    ->Unit(benchmark::kMicrosecond);

static void BM_HandshakeLine(benchmark::State& state) {
  const auto id = plugin::generate_server_identity();
  const plugin::listen_address addr{plugin::network::unix_socket, "/tmp/plugin0123456789"};
  for (auto _ : state) {
    auto line = plugin::format_handshake_line(6, addr, id.certificate_der);
    benchmark::DoNotOptimize(line.data());
  }
}
BENCHMARK(BM_HandshakeLine);

BENCHMARK_MAIN();
