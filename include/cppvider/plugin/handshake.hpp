// cppvider/plugin/handshake.hpp: the go-plugin handshake, as pure functions.
//
// Terraform and OpenTofu start a provider with a magic cookie and the protocol versions they
// speak in the environment, then read exactly one line from its stdout:
//
//   1|6|unix|/tmp/plugin123456|grpc|MIIB...   (core version | protocol | network | address |
//                                               "grpc" | server certificate, raw base64 DER)
//
// The server (serve.hpp) uses these pieces; they are public so that tests and tools can check
// each rule alone.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cppvider::plugin {

inline constexpr std::string_view magic_cookie_key = "TF_PLUGIN_MAGIC_COOKIE";
inline constexpr std::string_view magic_cookie_value =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

// What a person sees who runs the binary by hand (printed on stderr, then exit 1).
std::string not_a_plugin_message(std::string_view program);

// The highest protocol major in both `offered` (PLUGIN_PROTOCOL_VERSIONS, "6,5") and
// `supported`. An empty `offered` means the host predates the variable: the first supported.
std::optional<int> choose_protocol_version(std::string_view offered,
                                           std::span<const int> supported);

enum class network { unix_socket, tcp };

struct listen_address {
  network net = network::unix_socket;
  std::string address;  // socket path, or 127.0.0.1:PORT
};

// The one line written on stdout, with its trailing newline. `certificate_der` empty = plaintext.
std::string format_handshake_line(int protocol_version, const listen_address& addr,
                                  std::string_view certificate_der);

// Standard base64 without `=` padding (Go's RawStdEncoding), as go-plugin decodes the certificate.
std::string base64_raw_std(std::string_view bytes);

// A fresh unix socket path, reserved the way go-plugin does (create a unique file, remove it,
// bind there later): in `PLUGIN_UNIX_SOCKET_DIR`, else `TMPDIR`, else /tmp. A directory whose
// paths would exceed sun_path's 107 bytes is skipped for the next. nullopt if none works.
std::optional<std::string> reserve_socket_path();
std::optional<std::string> reserve_socket_path_in(std::string_view dir);

// The longest path a unix socket can bind (sizeof(sockaddr_un::sun_path) - 1).
std::size_t max_socket_path_length() noexcept;

// TF_REATTACH_PROVIDERS value for --debug mode (always "Test":true; see docs/plugin.md).
std::string reattach_json(std::string_view provider_address, int protocol_version, long pid,
                          const listen_address& addr);

}  // namespace cppvider::plugin
