// cppvider/plugin/serve.hpp: run a provider process the way Terraform and OpenTofu expect.
//
//   int main(int argc, char** argv) {
//     my_service svc;                                   // a plugin::provider_service
//     return cppvider::plugin::serve(svc, {.provider_address = "example.com/acme/foo"}, argc,
//     argv);
//   }
//
// serve() checks the magic cookie, negotiates protocol 6 or 5, listens on a fresh unix socket
// (TCP loopback as the fallback), turns on mutual TLS when the host asks for it, prints the
// handshake line and serves until GRPCController.Shutdown. `--debug` serves without the cookie and
// without TLS and prints TF_REATTACH_PROVIDERS for a debugger session. See docs/plugin.md.
#pragma once

#include <chrono>
#include <string>

#include "cppvider/plugin/protocol.hpp"
#include "cppvider/plugin/tls.hpp"

namespace cppvider::plugin {

struct serve_options {
  // Fully qualified source address ("registry.terraform.io/acme/foo"), used in --debug output
  // and logs. Required for --debug; the short name after the last '/' names the log module.
  std::string provider_address;
  // Protocol majors served; the host's best common choice wins.
  bool protocol_6 = true;
  bool protocol_5 = true;
  // Server key curve for AutoMTLS. Overridable at run time with CPPVIDER_TLS_CURVE=P-384 etc.
  key_curve curve = key_curve::p256;
  // gRPC message limits, send and receive (terraform-plugin-go uses 256 MiB).
  int max_message_bytes = 256 << 20;
  // How long Shutdown waits for calls in flight before cancelling them (host kills us at 2 s).
  std::chrono::milliseconds shutdown_grace{500};
};

// Serves until Shutdown (or, in --debug mode, until SIGTERM/SIGINT). Returns the process exit code.
int serve(provider_service& service, const serve_options& options, int argc, char** argv);
// The same, with arguments in framework::serve's order.
inline int serve(provider_service& service, int argc, char** argv,
                 const serve_options& options = {}) {
  return serve(service, options, argc, argv);
}

}  // namespace cppvider::plugin
