#include "cppvider/plugin/handshake.hpp"

#include <stdlib.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <vector>

namespace cppvider::plugin {

std::string not_a_plugin_message(std::string_view program) {
  std::string m;
  m += "This binary is a plugin. These are not meant to be executed directly.\n";
  m += "Please execute the program that consumes these plugins, which will\n";
  m += "load any plugins automatically.\n";
  m += "(";
  m += program;
  m += " is a Terraform/OpenTofu provider built with cppvider; run it with --debug to serve it\n";
  m += "for a debugger and attach Terraform through TF_REATTACH_PROVIDERS.)\n";
  return m;
}

std::optional<int> choose_protocol_version(std::string_view offered,
                                           std::span<const int> supported) {
  if (supported.empty()) return std::nullopt;
  std::vector<int> host;
  while (!offered.empty()) {
    const auto comma = offered.find(',');
    auto item = offered.substr(0, comma);
    offered = comma == std::string_view::npos ? std::string_view{} : offered.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    int v = 0;
    const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec == std::errc{} && p == item.data() + item.size()) host.push_back(v);
  }
  if (host.empty()) return supported.front();
  std::optional<int> best;
  for (int v : supported) {
    if (std::find(host.begin(), host.end(), v) != host.end() && (!best || v > *best)) best = v;
  }
  return best;
}

std::string base64_raw_std(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned v = byte(i) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

std::string format_handshake_line(int protocol_version, const listen_address& addr,
                                  std::string_view certificate_der) {
  std::string line = "1|";
  line += std::to_string(protocol_version);
  line += addr.net == network::unix_socket ? "|unix|" : "|tcp|";
  line += addr.address;
  line += "|grpc|";
  line += base64_raw_std(certificate_der);
  line += '\n';
  return line;
}

std::size_t max_socket_path_length() noexcept { return sizeof(sockaddr_un{}.sun_path) - 1; }

std::optional<std::string> reserve_socket_path_in(std::string_view dir) {
  if (dir.empty()) return std::nullopt;
  std::string templ(dir);
  while (templ.size() > 1 && templ.back() == '/') templ.pop_back();
  templ += "/plugin";
  templ += "XXXXXX";
  if (templ.size() > max_socket_path_length()) return std::nullopt;
  const int fd = ::mkstemp(templ.data());
  if (fd < 0) return std::nullopt;
  ::close(fd);
  ::unlink(templ.c_str());
  return templ;
}

std::optional<std::string> reserve_socket_path() {
  for (const char* var : {"PLUGIN_UNIX_SOCKET_DIR", "TMPDIR"}) {
    if (const char* d = std::getenv(var); d != nullptr && *d != '\0') {
      if (auto p = reserve_socket_path_in(d)) return p;
    }
  }
  return reserve_socket_path_in("/tmp");
}

std::string reattach_json(std::string_view provider_address, int protocol_version, long pid,
                          const listen_address& addr) {
  std::string j = "{\"";
  j += provider_address;
  j += "\":{\"Protocol\":\"grpc\",\"ProtocolVersion\":";
  j += std::to_string(protocol_version);
  j += ",\"Pid\":";
  j += std::to_string(pid);
  j += ",\"Test\":true,\"Addr\":{\"Network\":\"";
  j += addr.net == network::unix_socket ? "unix" : "tcp";
  j += "\",\"String\":\"";
  j += addr.address;
  j += "\"}}}";
  return j;
}

}  // namespace cppvider::plugin
