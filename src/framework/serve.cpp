#include "cppvider/framework/serve.hpp"

namespace cppvider::framework {

int serve(provider_base& p, int argc, char** argv, plugin::serve_options options) {
  if (options.provider_address.empty()) {
    options.provider_address = "registry.terraform.io/cppvider/" + p.type_name();
  }
  return plugin::serve(p, options, argc, argv);
}

}  // namespace cppvider::framework
