// cppvider/plugin/tls.hpp: the server identity for go-plugin's AutoMTLS.
//
// When the host sets PLUGIN_CLIENT_CERT, the provider makes a key pair and a self-signed
// certificate for "localhost" at start-up, advertises the certificate in the handshake line and
// accepts only clients that present exactly the host's certificate. Nothing is written to disk.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace cppvider::plugin {

// P-256 is the default: it is the fastest to generate and sign with (docs/benchmarks.md), and
// Terraform and OpenTofu accept every NIST curve.
enum class key_curve { p256, p384, p521 };

struct server_identity {
  std::string private_key_pem;
  std::string certificate_pem;
  std::string certificate_der;
  // The key as OpenSSL holds it (an EVP_PKEY), so serve() can hand it to gRPC without a PEM
  // round trip; opaque here to keep OpenSSL's headers out of this one.
  std::shared_ptr<void> native_key;
};

struct identity_options {
  key_curve curve = key_curve::p256;
  std::string common_name = "localhost";
  // Extra subject organisation, as go-plugin writes "HashiCorp"; purely informational.
  std::string organization = "cppvider";
};

// Throws std::runtime_error only if OpenSSL itself fails (out of memory, broken install).
server_identity generate_server_identity(const identity_options& options = {});

key_curve parse_curve(std::string_view name, key_curve fallback = key_curve::p256);

}  // namespace cppvider::plugin
