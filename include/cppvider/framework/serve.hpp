// cppvider/framework/serve.hpp: run a framework provider as a plugin process.
//
//   int main(int argc, char** argv) {
//     fw::provider<config, client> p{"localfs"};
//     ...
//     return fw::serve(p, argc, argv, {.provider_address = "example.com/cppvider/localfs"});
//   }
//
// The handshake, mutual TLS, protocol 5 and 6 and --debug reattach are the plugin layer's
// (plugin/serve.hpp). Without a provider_address, "registry.terraform.io/cppvider/<type name>"
// is used in logs and --debug output.
#pragma once

#include "cppvider/framework/provider.hpp"
#include "cppvider/plugin/serve.hpp"

namespace cppvider::framework {

int serve(provider_base& p, int argc, char** argv, plugin::serve_options options = {});

}  // namespace cppvider::framework
