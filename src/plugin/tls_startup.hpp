// OpenSSL set-up on the start-up path of plugin::serve (AutoMTLS). Private to src/plugin.
//
// Everything here exists to shorten exec -> handshake line (docs/benchmarks.md): OpenSSL 3.0's
// configuration file and its OSSL_DECODER chains (PEM private key, each certificate's public key)
// were most of the instructions before the line.
#pragma once

#include <string>

#include "cppvider/plugin/tls.hpp"

namespace cppvider::plugin::detail {

// Call before any other OpenSSL use in the process: OpenSSL then never reads the system
// openssl.cnf (~1.8 M instructions). The only TLS peer is the host that started us, and nothing in
// that file concerns it. A no-op if OpenSSL was already initialised (a framework provider's
// constructor does it, see docs/benchmarks.md).
void skip_openssl_config();

// A private-key string gRPC accepts in place of PEM ("engine:<engine>:<key id>", see
// ssl_transport_security.cc): the key is handed to gRPC as the EVP_PKEY already in memory, so
// gRPC does not decode PEM through OSSL_DECODER. Empty if the ENGINE cannot be registered; the
// caller then passes the PEM.
std::string engine_key_reference(const server_identity& identity);

// Between these two calls (around gRPC's server set-up), certificates' EC public keys are
// decoded by OpenSSL's built-in EC method instead of an OSSL_DECODER chain (~1.4 M instructions
// per certificate in OpenSSL 3.0). Keys decoded so are ordinary legacy EVP_PKEYs, as the server's
// own key is; after end_certificate_parsing() every operation on them takes OpenSSL's usual path.
void begin_certificate_parsing();
void end_certificate_parsing();

}  // namespace cppvider::plugin::detail
