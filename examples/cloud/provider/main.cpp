// terraform-provider-cloud: the cloud example provider as a plugin binary.
#include "cloud.hpp"
#include "cppvider/framework/serve.hpp"

int main(int argc, char** argv) {
  cppvider::framework::provider<cloud::config, cloud::api> p{"cloud"};
  cloud::define(p);
  return cppvider::framework::serve(p, argc, argv,
                                    {.provider_address = "example.com/cppvider/cloud"});
}
