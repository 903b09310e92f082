// terraform-provider-localfs: the localfs example provider as a plugin binary.
#include "cppvider/framework/serve.hpp"
#include "localfs.hpp"

int main(int argc, char** argv) {
  cppvider::framework::provider<localfs::config, localfs::filesystem> p{"localfs"};
  localfs::define(p);
  return cppvider::framework::serve(p, argc, argv,
                                    {.provider_address = "example.com/cppvider/localfs"});
}
