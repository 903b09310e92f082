// terraform-provider-awsscale (schemas from the compiled-in table) and, built with
// AWSSCALE_FROM_CODE, terraform-provider-awsscale-code (schemas from generated functions).
#include "awsscale_provider.hpp"
#include "cppvider/framework/serve.hpp"

int main(int argc, char** argv) {
  awsscale::provider p{"awsscale"};
  awsscale::define_provider(p);
#ifdef AWSSCALE_FROM_CODE
  awsscale::add_code_resources(p);
#else
  awsscale::add_table_resources(p);
#endif
  return cppvider::framework::serve(p, argc, argv,
                                    {.provider_address = "example.com/cppvider/awsscale"});
}
