// terraform-provider-bench-fw: the small resource of the whole-CLI benchmark (issue 5) on the
// cppvider framework: bench_item from bench/framework/bench_resources.hpp and nothing else, so
// that its schema and answers are those of the framework-less floor (raw_provider.cpp).
#include "bench_resources.hpp"
#include "cppvider/framework/serve.hpp"

int main(int argc, char** argv) {
  cppvider::framework::provider<> p{"bench"};
  p.add_resource<bench_resources::item>();
  return cppvider::framework::serve(p, argc, argv,
                                    {.provider_address = "example.com/cppvider/bench"});
}
