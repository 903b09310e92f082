// awsscale_probe: start a provider as go-plugin does, time its handshake, then call
// GetProviderSchema over the connection it announced and report times, sizes and memory.
//
//   awsscale_probe [options] -- BINARY [ARGS...]
//     --plain            no PLUGIN_CLIENT_CERT (plaintext gRPC); default is AutoMTLS as
//                        Terraform does it: a P-521 client certificate, O=HashiCorp
//     --calls N          GetProviderSchema calls after connecting (default 2; 0: none)
//     --idle-ms N        wait N ms after the handshake before the first memory snapshot, and
//                        again after the calls before the last (default 0)
//     --smaps FILE       copy /proc/<pid>/smaps to FILE after the calls
//     --perf-out FILE    record the first call with `perf record -g -p <pid>` into FILE
//     --wrap "CMD ARGS"  run the provider under CMD (e.g. "valgrind --tool=callgrind")
//     --after-cmd CMD    after the calls, run `sh -c CMD` with PID set to the provider's pid
//                        (e.g. gdb calling malloc_trim), then take one more memory snapshot
//     --stderr FILE      the provider's stderr (default /dev/null)
//
// Prints one JSON object on stdout. Times are wall-clock milliseconds on a steady clock:
// handshake_ms from just before posix_spawn until the handshake line has been read from the
// pipe; connect_ms the TLS (or plain) connection; schema_ms[i] each call, sent to the last
// response byte received (the response is not parsed inside the timing: a generic stub hands
// over the raw bytes); schema_cpu_ms[i] the provider's CPU time (all threads) over the same
// interval, which machine load does not inflate. The response is then parsed once to count what it
// holds and to compute a digest of the schemas that does not depend on attribute order, so two
// implementations of the same spec can be shown to serve the same schemas.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cppvider/plugin/tls.hpp"
#include "tfplugin6.pb.h"

extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;
constexpr const char* kCookie = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

struct options {
  bool tls = true;
  int calls = 2;
  int idle_ms = 0;
  int timeout_ms = 120000;  // generous: valgrind runs through here too
  std::string smaps, perf_out, wrap, after_cmd, stderr_path = "/dev/null";
  std::vector<std::string> argv;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "awsscale_probe: %s\nusage: awsscale_probe [options] -- BINARY [ARGS...]\n",
               why.c_str());
  std::exit(2);
}

options parse_args(int argc, char** argv) {
  options o;
  int i = 1;
  const auto value = [&](const char* flag) -> std::string {
    if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
    return argv[++i];
  };
  for (; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a == "--plain") {
      o.tls = false;
    } else if (a == "--calls") {
      o.calls = std::stoi(value("--calls"));
    } else if (a == "--idle-ms") {
      o.idle_ms = std::stoi(value("--idle-ms"));
    } else if (a == "--smaps") {
      o.smaps = value("--smaps");
    } else if (a == "--perf-out") {
      o.perf_out = value("--perf-out");
    } else if (a == "--wrap") {
      o.wrap = value("--wrap");
    } else if (a == "--after-cmd") {
      o.after_cmd = value("--after-cmd");
    } else if (a == "--stderr") {
      o.stderr_path = value("--stderr");
    } else {
      break;  // the binary, without "--"
    }
  }
  for (; i < argc; ++i) o.argv.emplace_back(argv[i]);
  if (o.argv.empty()) usage("no provider binary given");
  return o;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (true) {
    const auto p = s.find(sep);
    out.emplace_back(s.substr(0, p));
    if (p == std::string_view::npos) return out;
    s.remove_prefix(p + 1);
  }
}

// go-plugin writes the server certificate as base64.RawStdEncoding of its DER bytes.
std::string decode_base64(std::string_view in) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else if (c == '=') {
      break;
    } else {
      throw std::runtime_error("bad base64 in the handshake certificate");
    }
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string der_to_pem(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509, decltype(&X509_free)> x(
      d2i_X509(nullptr, &p, static_cast<long>(der.size())), &X509_free);
  if (!x) throw std::runtime_error("the handshake certificate is not DER");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), x.get());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(n)};
}

// ---- The provider process -----------------------------------------------------------------

class child {
 public:
  child(const std::vector<std::string>& argv_s, const std::vector<std::string>& env_s,
        const std::string& stderr_path) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category());
    std::vector<char*> argv, envp;
    for (const auto& s : argv_s) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    for (const auto& s : env_s) envp.push_back(const_cast<char*>(s.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    // Its own process group, so that stopping it also stops what a wrapper script started.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    const int rc = ::posix_spawnp(&pid_, argv[0], &fa, &attr, argv.data(), envp.data());
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    out_ = fds[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv_s[0]);
    }
  }
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  ~child() {
    if (pid_ > 0) {
      // SIGTERM first, so a wrapper such as valgrind writes its profile; SIGKILL if it lingers.
      ::kill(-pid_, SIGTERM);
      const auto deadline = clock_type::now() + term_grace;
      int st = 0;
      while (::waitpid(pid_, &st, WNOHANG) == 0 && clock_type::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      if (::waitpid(pid_, &st, WNOHANG) == 0) {
        ::kill(-pid_, SIGKILL);
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
      }
    }
    if (out_ >= 0) ::close(out_);
    if (!socket_.empty()) ::unlink(socket_.c_str());  // killed: nobody else removes it
  }

  pid_t pid() const noexcept { return pid_; }
  std::chrono::milliseconds term_grace{2000};
  void remember_socket(std::string path) { socket_ = std::move(path); }

  // The first line on stdout, without '\n'; throws on EOF or timeout.
  std::string read_line(int timeout_ms) {
    std::string& buf = buf_;
    const auto deadline = clock_type::now() + std::chrono::milliseconds(timeout_ms);
    char c[512];
    while (true) {
      if (const auto nl = buf.find('\n'); nl != std::string::npos) {
        std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        return line;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now())
              .count();
      if (left <= 0) throw std::runtime_error("no handshake line before the timeout");
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) < 0 && errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "poll");
      const ssize_t n = ::read(out_, c, sizeof c);
      if (n == 0) throw std::runtime_error("the provider closed stdout: " + buf);
      if (n > 0) buf.append(c, static_cast<std::size_t>(n));
    }
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buf_;  // read from stdout, not yet returned as a line
  std::string socket_;
};

struct memory {
  long rss_kib = 0, hwm_kib = 0, anon_kib = 0, file_kib = 0, threads = 0;
};

memory read_status(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  memory m;
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(0, colon);
    const long v = std::strtol(line.c_str() + colon + 1, nullptr, 10);
    if (key == "VmRSS") m.rss_kib = v;
    if (key == "VmHWM") m.hwm_kib = v;
    if (key == "RssAnon") m.anon_kib = v;
    if (key == "RssFile") m.file_kib = v;
    if (key == "Threads") m.threads = v;
  }
  return m;
}

// CPU time of the whole process (every thread, live or ended) in ms, from /proc/<pid>/stat;
// the kernel counts in clock ticks (10 ms), which is fine for calls of hundreds of ms.
double cpu_ms(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i)
    if (i == 14 || i == 15) ticks += std::stod(f);  // utime, stime
  return ticks * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string json(const memory& m) {
  std::ostringstream o;
  o << "{\"rss_kib\":" << m.rss_kib << ",\"hwm_kib\":" << m.hwm_kib
    << ",\"anon_kib\":" << m.anon_kib << ",\"file_kib\":" << m.file_kib
    << ",\"threads\":" << m.threads << "}";
  return o.str();
}

// ---- What the response holds --------------------------------------------------------------

// FNV-1a, 64 bits: a digest to compare two providers' schemas, not a security measure.
struct fnv {
  std::uint64_t h = 1469598103934665603ull;
  void add(std::string_view s) {
    for (const unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // separator, so ("ab","c") and ("a","bc") differ
    h *= 1099511628211ull;
  }
};

std::string strip_spaces(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }),
          s.end());
  return s;
}

struct census {
  long attributes = 0, blocks = 0;
};

// A canonical rendering of a block: attributes and nested blocks sorted by name, each with what
// Terraform uses (type, modes, sensitivity, description, nesting).
std::string canonical(const tfplugin6::Schema::Block& b, census& c) {
  std::vector<std::string> parts;
  for (const auto& a : b.attributes()) {
    ++c.attributes;
    std::ostringstream o;
    o << "a:" << a.name() << "|" << strip_spaces(a.type()) << "|" << a.required() << a.optional()
      << a.computed() << a.sensitive() << "|" << a.description();
    parts.push_back(o.str());
  }
  for (const auto& nb : b.block_types()) {
    ++c.blocks;
    std::ostringstream o;
    o << "b:" << nb.type_name() << "|" << nb.nesting() << "|" << nb.block().description() << "{"
      << canonical(nb.block(), c) << "}";
    parts.push_back(o.str());
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += p + ";";
  return out;
}

struct response_summary {
  long resources = 0, data_sources = 0, diagnostics = 0;
  census counts;
  std::string digest, first_diagnostic;
};

response_summary summarise(const std::string& bytes) {
  tfplugin6::GetProviderSchema::Response r;
  if (!r.ParseFromString(bytes)) throw std::runtime_error("unparseable GetProviderSchema response");
  response_summary s;
  s.resources = r.resource_schemas_size();
  s.data_sources = r.data_source_schemas_size();
  s.diagnostics = r.diagnostics_size();
  if (s.diagnostics > 0)
    s.first_diagnostic = r.diagnostics(0).summary() + ": " + r.diagnostics(0).detail();
  std::map<std::string, const tfplugin6::Schema*> sorted;
  for (const auto& [name, schema] : r.resource_schemas()) sorted.emplace(name, &schema);
  fnv h;
  census ignored;
  h.add("provider:" + canonical(r.provider().block(), ignored));
  for (const auto& [name, schema] : sorted) {
    h.add(name);
    h.add(schema->block().description());
    h.add(canonical(schema->block(), s.counts));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h.h));
  s.digest = hex;
  return s;
}

std::string escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out.push_back(c);
  }
  return out;
}

// perf record attached to the provider for the duration of one call.
class perf_session {
 public:
  perf_session(pid_t target, const std::string& out) {
    const std::string pid = std::to_string(target);
    std::vector<std::string> a{"perf", "record", "-g", "-F", "2000", "-p", pid, "-o", out};
    std::vector<char*> argv;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (::posix_spawnp(&pid_, "perf", &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let it attach
  }
  ~perf_session() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGINT);
    int st = 0;
    while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
  perf_session(const perf_session&) = delete;
  perf_session& operator=(const perf_session&) = delete;

 private:
  pid_t pid_ = -1;
};

int run(const options& o) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view v = *e;
    if (v.starts_with("TF_") || v.starts_with("PLUGIN_")) continue;
    env.emplace_back(v);
  }
  env.push_back(std::string("TF_PLUGIN_MAGIC_COOKIE=") + kCookie);
  env.emplace_back("PLUGIN_PROTOCOL_VERSIONS=6,5");
  env.emplace_back("PLUGIN_MIN_PORT=10000");
  env.emplace_back("PLUGIN_MAX_PORT=25000");
  std::optional<cppvider::plugin::server_identity> host;
  if (o.tls) {
    // What Terraform's go-plugin client sends: a fresh P-521 certificate, O=HashiCorp.
    host = cppvider::plugin::generate_server_identity(
        {.curve = cppvider::plugin::key_curve::p521, .organization = "HashiCorp"});
    env.push_back("PLUGIN_CLIENT_CERT=" + host->certificate_pem);
  }
  std::vector<std::string> argv;
  if (!o.wrap.empty())
    for (auto& w : split(o.wrap, ' '))
      if (!w.empty()) argv.push_back(std::move(w));
  argv.insert(argv.end(), o.argv.begin(), o.argv.end());

  const auto t0 = clock_type::now();
  child proc(argv, env, o.stderr_path);
  if (!o.wrap.empty()) proc.term_grace = std::chrono::milliseconds(o.timeout_ms);
  std::string line = proc.read_line(o.timeout_ms);
  // A wrapper (heaptrack, valgrind) may print its own lines first.
  while (!o.wrap.empty() && !line.starts_with("1|")) line = proc.read_line(o.timeout_ms);
  const double handshake_ms = ms_since(t0);

  const auto f = split(line, '|');
  if (f.size() < 5 || f[0] != "1") throw std::runtime_error("unexpected handshake: " + line);
  if (f[2] == "unix") proc.remember_socket(f[3]);
  const bool tls = f.size() >= 6 && !f[5].empty();
  if (tls != o.tls) throw std::runtime_error("TLS in the handshake does not match: " + line);

  if (o.idle_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.idle_ms));
  const memory idle = read_status(proc.pid());

  const double start_cpu = cpu_ms(proc.pid());
  std::ostringstream out;
  out << "{\"binary\":\"" << escape(o.argv[0]) << "\",\"tls\":" << (o.tls ? "true" : "false")
      << ",\"protocol\":" << f[1] << ",\"handshake_ms\":" << handshake_ms
      << ",\"cpu_ms_until_idle\":" << start_cpu << ",\"idle\":" << json(idle);

  if (o.calls > 0) {
    grpc::ChannelArguments args;
    // The response is several MB, past gRPC's 4 MiB default; hosts raise their limit too.
    args.SetMaxReceiveMessageSize(-1);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::ChannelCredentials> creds;
    if (o.tls) {
      grpc::SslCredentialsOptions so;
      so.pem_root_certs = der_to_pem(decode_base64(f[5]));
      so.pem_private_key = host->private_key_pem;
      so.pem_cert_chain = host->certificate_pem;
      creds = grpc::SslCredentials(so);
      args.SetSslTargetNameOverride("localhost");
    } else {
      creds = grpc::InsecureChannelCredentials();
    }
    const std::string target = f[2] == "unix" ? "unix:" + f[3] : "ipv4:" + f[3];
    auto channel = grpc::CreateCustomChannel(target, creds, args);
    const auto t1 = clock_type::now();
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::milliseconds(o.timeout_ms)))
      throw std::runtime_error("could not connect to " + target);
    const double connect_ms = ms_since(t1);

    grpc::GenericStub stub(channel);
    std::vector<double> times, cpu;
    memory after_first;
    std::string first_bytes;
    std::size_t size = 0;
    for (int i = 0; i < o.calls; ++i) {
      std::optional<perf_session> perf;
      if (i == 0 && !o.perf_out.empty()) perf.emplace(proc.pid(), o.perf_out);
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(o.timeout_ms));
      grpc::Slice empty;
      const grpc::ByteBuffer request(&empty, 1);
      grpc::ByteBuffer response;
      std::promise<grpc::Status> done;
      auto status_future = done.get_future();
      const double cpu0 = cpu_ms(proc.pid());
      const auto t2 = clock_type::now();
      stub.UnaryCall(&ctx, "/tfplugin6.Provider/GetProviderSchema", grpc::StubOptions(), &request,
                     &response, [&done](grpc::Status s) { done.set_value(std::move(s)); });
      const grpc::Status st = status_future.get();
      times.push_back(ms_since(t2));
      // Work the call left behind (freeing the response) may still run; it is counted in
      // the next call's figure, or nowhere for the last one.
      cpu.push_back(cpu_ms(proc.pid()) - cpu0);
      if (!st.ok()) throw std::runtime_error("GetProviderSchema failed: " + st.error_message());
      size = response.Length();
      if (i == 0) {
        after_first = read_status(proc.pid());
        std::vector<grpc::Slice> slices;
        (void)response.Dump(&slices);
        for (const auto& s : slices)
          first_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
    const memory after = read_status(proc.pid());
    memory after_idle = after;
    if (o.idle_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(o.idle_ms));
      after_idle = read_status(proc.pid());
    }
    std::optional<memory> after_cmd;
    if (!o.after_cmd.empty()) {
      const std::string cmd = "PID=" + std::to_string(proc.pid()) + "; " + o.after_cmd;
      const char* argv_sh[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
      pid_t sh = -1;
      if (::posix_spawn(&sh, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv_sh), environ) ==
          0) {
        int st = 0;
        while (::waitpid(sh, &st, 0) < 0 && errno == EINTR) {
        }
      }
      after_cmd = read_status(proc.pid());
    }
    if (!o.smaps.empty()) {
      std::ifstream in("/proc/" + std::to_string(proc.pid()) + "/smaps");
      std::ofstream copy(o.smaps);
      copy << in.rdbuf();
    }
    const auto s = summarise(first_bytes);
    out << ",\"connect_ms\":" << connect_ms << ",\"schema_ms\":[";
    for (std::size_t i = 0; i < times.size(); ++i) out << (i ? "," : "") << times[i];
    out << "],\"schema_cpu_ms\":[";
    for (std::size_t i = 0; i < cpu.size(); ++i) out << (i ? "," : "") << cpu[i];
    out << "],\"schema_bytes\":" << size << ",\"after_first\":" << json(after_first)
        << ",\"after\":" << json(after) << ",\"after_idle\":" << json(after_idle);
    if (after_cmd) out << ",\"after_cmd\":" << json(*after_cmd);
    out << ",\"resources\":" << s.resources << ",\"data_sources\":" << s.data_sources
        << ",\"attributes\":" << s.counts.attributes << ",\"blocks\":" << s.counts.blocks
        << ",\"diagnostics\":" << s.diagnostics << ",\"first_diagnostic\":\""
        << escape(s.first_diagnostic) << "\",\"digest\":\"" << s.digest << "\"";
  }
  out << "}";
  std::printf("%s\n", out.str().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const options o = parse_args(argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "awsscale_probe: %s\n", e.what());
    return 1;
  }
}
