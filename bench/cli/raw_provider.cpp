// terraform-provider-bench-raw: the framework-less floor of the whole-CLI benchmark (issue 5):
// bench_raw::raw_bench (raw_provider.hpp) served by the plugin layer.
#include "raw_provider.hpp"
#include "cppvider/plugin/serve.hpp"

int main(int argc, char** argv) {
  bench_raw::raw_bench provider;
  return cppvider::plugin::serve(provider, {.provider_address = "example.com/cppvider/bench"}, argc,
                                 argv);
}
