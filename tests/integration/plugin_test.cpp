// Integration tests of the plugin layer: terraform-provider-rawtest is launched exactly as
// go-plugin launches a provider (controlled environment, handshake line on stdout, AutoMTLS with a
// P-521 host certificate) and driven with a real gRPC client over its unix socket (or TCP).
//
// Every wait is bounded: gRPC deadlines, poll() timeouts on the child's stdout and waitpid()
// polling. A failing test kills its child (provider_process's destructor), never hangs.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "cppvider/plugin/tls.hpp"
#include "deterministic_proto.hpp"
#include "grpc_broker.grpc.pb.h"
#include "grpc_controller.grpc.pb.h"
#include "grpc_stdio.grpc.pb.h"
#include "health.grpc.pb.h"
#include "tfplugin5.grpc.pb.h"
#include "tfplugin6.grpc.pb.h"

#ifndef RAWTEST_PROVIDER
#error "RAWTEST_PROVIDER must name the terraform-provider-rawtest binary"
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using env_map = std::map<std::string, std::string>;
using cppvider::plugin::server_identity;

constexpr const char* kCookie = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
constexpr const char* kProviderAddress = "example.com/cppvider/rawtest";
constexpr auto kRpcDeadline = 5s;
constexpr auto kStartTimeout = 10s;
constexpr auto kExitBudget = 2s;  // go-plugin SIGKILLs a provider 2 s after Shutdown

// This process's gRPC client threads are never joined; OpenSSL's exit-time cleanup would delete
// its per-thread key while they still run, orphaning a thread's error state (904 bytes that
// LeakSanitizer reported once in a CI run). Without that cleanup each thread frees its own
// state when it ends. The first OpenSSL call of the process, before any gRPC thread exists.
[[maybe_unused]] const bool openssl_without_exit_cleanup =
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;

// ---- small utilities -------------------------------------------------------------------------

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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

std::vector<std::string> lines_of(std::string_view s) {
  std::vector<std::string> out;
  for (auto& l : split(s, '\n'))
    if (!l.empty()) out.push_back(std::move(l));
  return out;
}

bool exists_any(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_socket(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::vector<std::string> sockets_under(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_socket()) out.push_back(it->path().string());
  }
  return out;
}

// go-plugin's base64.RawStdEncoding: standard alphabet, no padding, canonical trailing bits.
std::optional<std::string> decode_raw_std_base64(std::string_view in) {
  const auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0) return std::nullopt;  // non-zero padding bits: not what Go's encoder writes
  return out;
}

struct x509_deleter {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;

// Parses DER and insists that the certificate uses every byte.
x509_ptr parse_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  x509_ptr x{d2i_X509(nullptr, &p, static_cast<long>(der.size()))};
  if (x && p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return nullptr;
  return x;
}

std::string to_pem(X509* x) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(bio.get(), x);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

bool has_dns_san(X509* x, std::string_view name) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return false;
  bool found = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type != GEN_DNS) continue;
    const std::string_view v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                             static_cast<std::size_t>(ASN1_STRING_length(g->d.dNSName)));
    if (v == name) found = true;
  }
  GENERAL_NAMES_free(names);
  return found;
}

// A go-plugin host's client identity: P-521, self-signed, O=HashiCorp, SAN localhost.
server_identity make_host_identity() {
  return cppvider::plugin::generate_server_identity(
      {.curve = cppvider::plugin::key_curve::p521, .organization = "HashiCorp"});
}

// cty msgpack string (fixstr, < 32 bytes).
std::string msgpack_str(std::string_view s) {
  std::string out(1, static_cast<char>(0xa0 | s.size()));
  out += s;
  return out;
}

std::string describe_status(int st) {
  if (WIFEXITED(st)) return "exit code " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return std::string("killed by signal ") + strsignal(WTERMSIG(st));
  return "status " + std::to_string(st);
}

void set_deadline(grpc::ClientContext& ctx, std::chrono::milliseconds d = kRpcDeadline) {
  ctx.set_deadline(std::chrono::system_clock::now() + d);
}

// ---- the provider as a child process ------------------------------------------------------

// The provider under test: the binary built next to this test, or RAWTEST_PROVIDER from the
// environment (scripts/test.sh runs this suite a second time on the static build that ships).
const char* provider_binary() {
  const char* e = std::getenv("RAWTEST_PROVIDER");
  return e != nullptr && *e != '\0' ? e : RAWTEST_PROVIDER;
}

class provider_process {
 public:
  provider_process(const env_map& env, const std::vector<std::string>& args,
                   std::string stderr_path)
      : stderr_path_(std::move(stderr_path)) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");

    std::vector<std::string> argv_s{provider_binary()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<std::string> envp_s;
    for (const auto& [k, v] : env) envp_s.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : envp_s) envp.push_back(s.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int rc = ::posix_spawn(&pid_, argv_s[0].c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    out_fd_ = fds[0];
    if (rc != 0) {
      pid_ = -1;
      throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv_s[0]);
    }
  }

  provider_process(const provider_process&) = delete;
  provider_process& operator=(const provider_process&) = delete;

  ~provider_process() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
      }
    }
    if (out_fd_ >= 0) ::close(out_fd_);
    // A killed child leaves its socket behind; the assertions that care ran before this.
    if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
  }

  pid_t pid() const noexcept { return pid_; }
  void remember_socket(std::string path) { socket_path_ = std::move(path); }
  std::string stderr_text() const { return read_whole_file(stderr_path_); }

  // One line from stdout, '\n' included; nullopt on timeout or EOF before a full line.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (true) {
      if (const auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl + 1);
        buf_.erase(0, nl + 1);
        return line;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      if (left <= 0ms || fill(static_cast<int>(left.count())) <= 0) return std::nullopt;
    }
  }

  // Whatever is on stdout right now (buffered or readable without waiting).
  std::string stdout_pending() {
    while (fill(0) > 0) {
    }
    return std::exchange(buf_, {});
  }

  // Everything until EOF (the child and all holders of the pipe gone), bounded by `timeout`.
  std::string stdout_until_eof(std::chrono::milliseconds timeout, bool* saw_eof = nullptr) {
    const auto deadline = steady::now() + timeout;
    bool eof = false;
    while (!eof) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      if (left <= 0ms) break;
      eof = fill(static_cast<int>(left.count())) == 0;
    }
    if (saw_eof) *saw_eof = eof;
    return std::exchange(buf_, {});
  }

  // The raw wait status once the child has exited, polling up to `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (!status_) {
      int st = 0;
      const pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        status_ = st;
        break;
      }
      if (r < 0 && errno != EINTR) break;
      if (steady::now() >= deadline) break;
      std::this_thread::sleep_for(1ms);
    }
    return status_;
  }

  bool alive() { return !wait_exit(0ms); }

  // Waits until stderr holds `count` lines containing every one of `needles` (the provider's own
  // TF_LOG=debug lines tell when a request has reached its handler).
  bool wait_for_stderr_lines(const std::vector<std::string>& needles, std::size_t count,
                             std::chrono::milliseconds timeout) const {
    const auto deadline = steady::now() + timeout;
    while (true) {
      std::size_t n = 0;
      for (const auto& l : split(stderr_text(), '\n')) {
        if (std::all_of(needles.begin(), needles.end(),
                        [&](const auto& k) { return l.find(k) != std::string::npos; }))
          ++n;
      }
      if (n >= count) return true;
      if (steady::now() >= deadline) return false;
      std::this_thread::sleep_for(2ms);
    }
  }
  void send_signal(int sig) const { ::kill(pid_, sig); }

 private:
  // Reads once after waiting up to `timeout_ms`: >0 bytes read, 0 EOF, -1 nothing yet.
  int fill(int timeout_ms) {
    pollfd p{out_fd_, POLLIN, 0};
    int r;
    do {
      r = ::poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    char b[4096];
    ssize_t n;
    do {
      n = ::read(out_fd_, b, sizeof b);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    buf_.append(b, static_cast<std::size_t>(n));
    return static_cast<int>(n);
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string stderr_path_;
  std::string buf_;
  std::string socket_path_;
  std::optional<int> status_;
};

struct handshake {
  std::string line;  // without the '\n'
  std::vector<std::string> fields;
  std::string network, address, cert_der, cert_pem;
  int app = 0;
  bool tls() const { return !cert_der.empty(); }
  std::string target() const { return network == "unix" ? "unix:" + address : "ipv4:" + address; }
};

struct provider {
  std::unique_ptr<provider_process> proc;
  handshake hs;
};

// ---- gRPC clients ---------------------------------------------------------------------------

// `max_message` 0 keeps gRPC's defaults (4 MiB receive), as a host's limits are not under test.
grpc::ChannelArguments channel_args(int max_message = 0) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL,
              1);  // no connection shared between tests' clients
  if (max_message > 0) {
    args.SetMaxReceiveMessageSize(max_message);
    args.SetMaxSendMessageSize(max_message);
  }
  return args;
}

std::shared_ptr<grpc::Channel> plain_channel(const std::string& target) {
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), channel_args());
}

// TLS as go-plugin's client does it: trust exactly the handshake's certificate, check the name
// "localhost", present `client` (or no certificate at all).
std::shared_ptr<grpc::Channel> tls_channel(const std::string& target, const std::string& server_pem,
                                           const server_identity* client, int max_message = 0) {
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = server_pem;
  if (client) {
    o.pem_private_key = client->private_key_pem;
    o.pem_cert_chain = client->certificate_pem;
  }
  auto args = channel_args(max_message);
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(o), args);
}

grpc::Status get_schema(const std::shared_ptr<grpc::Channel>& ch,
                        tfplugin6::GetProviderSchema::Response* out = nullptr) {
  auto stub = tfplugin6::Provider::NewStub(ch);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  tfplugin6::GetProviderSchema::Response resp;
  auto st = stub->GetProviderSchema(&ctx, {}, &resp);
  if (out) *out = std::move(resp);
  return st;
}

grpc::Status call_function(const std::shared_ptr<grpc::Channel>& ch, const std::string& name,
                           const std::string& msgpack_arg, tfplugin6::CallFunction::Response* out,
                           std::chrono::milliseconds deadline = kRpcDeadline) {
  auto stub = tfplugin6::Provider::NewStub(ch);
  grpc::ClientContext ctx;
  set_deadline(ctx, deadline);
  tfplugin6::CallFunction::Request req;
  req.set_name(name);
  req.add_arguments()->set_msgpack(msgpack_arg);
  return stub->CallFunction(&ctx, req, out);
}

grpc::Status shutdown_rpc(const std::shared_ptr<grpc::Channel>& ch) {
  auto stub = ::plugin::GRPCController::NewStub(ch);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  ::plugin::Empty resp;
  return stub->Shutdown(&ctx, {}, &resp);
}

grpc::Status stop_provider(const std::shared_ptr<grpc::Channel>& ch,
                           tfplugin6::StopProvider::Response* out) {
  auto stub = tfplugin6::Provider::NewStub(ch);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  return stub->StopProvider(&ctx, {}, out);
}

using apply_result = std::pair<grpc::Status, tfplugin6::ApplyResourceChange::Response>;

std::future<apply_result> apply_async(std::shared_ptr<grpc::Channel> ch) {
  return std::async(std::launch::async, [ch = std::move(ch)] {
    auto stub = tfplugin6::Provider::NewStub(ch);
    grpc::ClientContext ctx;
    set_deadline(ctx, 5s);  // bounds this test's worst case; the handler alone waits 30 s
    tfplugin6::ApplyResourceChange::Request req;
    req.set_type_name("rawtest_slow");
    tfplugin6::ApplyResourceChange::Response resp;
    auto st = stub->ApplyResourceChange(&ctx, req, &resp);
    return apply_result{st, resp};
  });
}

std::string summaries(const google::protobuf::RepeatedPtrField<tfplugin6::Diagnostic>& diags) {
  std::string s;
  for (const auto& d : diags) s += "[" + d.summary() + "] ";
  return s;
}

// ---- raw socket abuse -----------------------------------------------------------------------

int raw_connect(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Writes what the socket takes without blocking (the server may never read a byte of it).
void send_some(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// ---- the fixture ------------------------------------------------------------------------------

class PluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/cppvider-it-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr) << std::strerror(errno);
    dir_ = templ;
    host_ = make_host_identity();
  }

  void TearDown() override {
    procs_.clear();  // kills whatever still runs
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // The environment go-plugin gives a managed provider (Terraform 1.11: cookie, versions "6,5",
  // port range, client certificate), plus TMPDIR so the socket lands in this test's directory.
  env_map go_plugin_env(bool mtls = true) const {
    env_map e{{"TF_PLUGIN_MAGIC_COOKIE", kCookie},
              {"PLUGIN_PROTOCOL_VERSIONS", "6,5"},
              {"PLUGIN_MIN_PORT", "10000"},
              {"PLUGIN_MAX_PORT", "25000"},
              {"TMPDIR", dir_}};
    if (mtls) e["PLUGIN_CLIENT_CERT"] = host_.certificate_pem;
    return e;
  }

  provider_process& launch(const env_map& env, const std::vector<std::string>& args = {}) {
    auto p = std::make_unique<provider>();
    p->proc = std::make_unique<provider_process>(
        env, args, dir_ + "/stderr-" + std::to_string(procs_.size()) + ".log");
    procs_.push_back(std::move(p));
    return *procs_.back()->proc;
  }

  // Launches and reads a well-formed handshake line; nullptr (with a failure recorded) otherwise.
  provider* start(const env_map& env) {
    auto& proc = launch(env);
    auto& p = *procs_.back();
    const auto line = proc.read_line(kStartTimeout);
    if (!line) {
      ADD_FAILURE() << "no handshake line within " << kStartTimeout.count()
                    << " s; stdout so far: '" << proc.stdout_pending()
                    << "'; stderr: " << proc.stderr_text();
      return nullptr;
    }
    p.hs.line = line->substr(0, line->size() - 1);
    p.hs.fields = split(p.hs.line, '|');
    if (p.hs.fields.size() != 6) {
      ADD_FAILURE() << "handshake line has " << p.hs.fields.size() << " fields: " << p.hs.line;
      return nullptr;
    }
    p.hs.app = std::atoi(p.hs.fields[1].c_str());
    p.hs.network = p.hs.fields[2];
    p.hs.address = p.hs.fields[3];
    if (p.hs.network == "unix") proc.remember_socket(p.hs.address);
    if (!p.hs.fields[5].empty()) {
      const auto der = decode_raw_std_base64(p.hs.fields[5]);
      if (!der) {
        ADD_FAILURE() << "certificate field is not raw standard base64: " << p.hs.fields[5];
        return nullptr;
      }
      const auto x = parse_der(*der);
      if (!x) {
        ADD_FAILURE() << "certificate field does not decode to one DER X.509 certificate";
        return nullptr;
      }
      p.hs.cert_der = *der;
      p.hs.cert_pem = to_pem(x.get());
    }
    return &p;
  }

  // A client as the host makes it: mTLS with the host identity when the provider serves TLS.
  std::shared_ptr<grpc::Channel> channel(const provider& p) const {
    return p.hs.tls() ? tls_channel(p.hs.target(), p.hs.cert_pem, &host_)
                      : plain_channel(p.hs.target());
  }

  // GRPCController.Shutdown as Terraform sends it; the provider must exit 0 within 2 s and leave
  // no socket. Returns the time from the reply to the exit.
  std::chrono::milliseconds shutdown_and_expect_exit(provider& p) {
    auto ch = channel(p);
    const auto st = shutdown_rpc(ch);
    const auto replied = steady::now();
    EXPECT_TRUE(st.ok()) << "Shutdown: " << st.error_code() << " " << st.error_message();
    const auto status = p.proc->wait_exit(5s);
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - replied);
    EXPECT_TRUE(status.has_value()) << "still running 5 s after Shutdown";
    EXPECT_LT(took, kExitBudget) << "exit took " << took.count() << " ms after Shutdown";
    if (status) {
      EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
          << describe_status(*status) << "; stderr: " << p.proc->stderr_text();
    }
    if (p.hs.network == "unix") {
      EXPECT_FALSE(exists_any(p.hs.address)) << "socket left behind: " << p.hs.address;
    }
    return took;
  }

  std::string dir_;
  server_identity host_;
  std::vector<std::unique_ptr<provider>> procs_;
};

// 1 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, HandshakeLineWithMutualTls) {
  auto& proc = launch(go_plugin_env());
  const auto line = proc.read_line(kStartTimeout);
  ASSERT_TRUE(line) << "no handshake line; stderr: " << proc.stderr_text();
  ASSERT_FALSE(line->empty());
  EXPECT_EQ(line->back(), '\n');
  EXPECT_EQ(line->find('\r'), std::string::npos);
  const auto fields = split(line->substr(0, line->size() - 1), '|');
  ASSERT_EQ(fields.size(), 6u) << *line;
  EXPECT_EQ(fields[0], "1");
  EXPECT_EQ(fields[1], "6");
  EXPECT_EQ(fields[2], "unix");
  EXPECT_EQ(fields[4], "grpc");
  const std::string& path = fields[3];
  proc.remember_socket(path);
  EXPECT_TRUE(path.starts_with(dir_ + "/")) << path << " is not under TMPDIR " << dir_;
  EXPECT_TRUE(is_socket(path)) << path;

  const std::string& cert = fields[5];
  EXPECT_GT(cert.size(), 50u) << "go-plugin only decodes a certificate longer than 50 characters";
  EXPECT_EQ(cert.find('='), std::string::npos) << "padding breaks go-plugin's RawStdEncoding";
  const auto der = decode_raw_std_base64(cert);
  ASSERT_TRUE(der) << "not raw standard base64: " << cert;
  const auto x = parse_der(*der);
  ASSERT_TRUE(x) << "does not parse as one DER X.509 certificate";
  EXPECT_TRUE(has_dns_san(x.get(), "localhost"));

  // Talk to it as the host does, then check stdout stayed silent.
  provider p{nullptr, {}};
  p.hs.network = "unix";
  p.hs.address = path;
  p.hs.cert_der = *der;
  p.hs.cert_pem = to_pem(x.get());
  auto ch = channel(p);
  EXPECT_TRUE(get_schema(ch).ok());
  tfplugin6::CallFunction::Response echo;
  EXPECT_TRUE(call_function(ch, "echo", msgpack_str("hello"), &echo).ok());
  EXPECT_EQ(echo.result().msgpack(), msgpack_str("hello"));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(proc.stdout_pending(), "") << "stdout must stay unused after the handshake line";

  const auto st = shutdown_rpc(ch);
  EXPECT_TRUE(st.ok()) << st.error_message();
  ASSERT_TRUE(proc.wait_exit(5s));
  bool eof = false;
  EXPECT_EQ(proc.stdout_until_eof(2s, &eof), "")
      << "stdout must stay unused after the handshake line";
  EXPECT_TRUE(eof);
}

// 2 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, PlaintextWithoutClientCertificate) {
  auto* p = start(go_plugin_env(/*mtls=*/false));
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->hs.line.ends_with("|grpc|")) << p->hs.line;
  EXPECT_EQ(p->hs.fields[5], "");
  EXPECT_EQ(p->hs.fields[0], "1");
  EXPECT_EQ(p->hs.fields[1], "6");
  EXPECT_EQ(p->hs.network, "unix");
  EXPECT_TRUE(is_socket(p->hs.address));

  tfplugin6::GetProviderSchema::Response schema;
  const auto st = get_schema(plain_channel(p->hs.target()), &schema);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_TRUE(schema.resource_schemas().contains("rawtest_slow"));
  shutdown_and_expect_exit(*p);
}

// 3 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, UnsupportedProtocolVersionExitsWithMessage) {
  auto env = go_plugin_env();
  env["PLUGIN_PROTOCOL_VERSIONS"] = "4";
  auto& proc = launch(env);
  const auto status = proc.wait_exit(5s);
  ASSERT_TRUE(status) << "still running";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << describe_status(*status);
  EXPECT_NE(proc.stderr_text().find("protocol versions 4"), std::string::npos)
      << proc.stderr_text();
  EXPECT_EQ(proc.stdout_until_eof(2s), "");
}

TEST_F(PluginTest, ProtocolVersionNegotiation) {
  for (const std::string offered : {"5", "6", "6,5", "5,6"}) {
    SCOPED_TRACE("PLUGIN_PROTOCOL_VERSIONS=" + offered);
    auto env = go_plugin_env();
    env["PLUGIN_PROTOCOL_VERSIONS"] = offered;
    auto* p = start(env);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->hs.fields[0], "1");
    auto ch = channel(*p);
    if (offered == "5") {
      EXPECT_EQ(p->hs.fields[1], "5");
      auto stub = tfplugin5::Provider::NewStub(ch);
      grpc::ClientContext ctx;
      set_deadline(ctx);
      tfplugin5::GetProviderSchema::Response resp;
      const auto st = stub->GetSchema(&ctx, {}, &resp);
      ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
      EXPECT_TRUE(resp.functions().contains("echo"));
      EXPECT_TRUE(resp.resource_schemas().contains("rawtest_slow"));
      // Only the negotiated protocol is served.
      EXPECT_EQ(get_schema(ch).error_code(), grpc::StatusCode::UNIMPLEMENTED);
    } else {
      EXPECT_EQ(p->hs.fields[1], "6");
      tfplugin6::GetProviderSchema::Response resp;
      const auto st = get_schema(ch, &resp);
      ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
      EXPECT_TRUE(resp.functions().contains("echo"));
    }
    shutdown_and_expect_exit(*p);
  }
}

// A schema the provider encoded once (provider_schema_encoder, sent as shared slices) and the
// same schema in plain form (converted per call) reach the client as the same message.
TEST_F(PluginTest, EncodedAndPlainSchemaResponsesAreTheSameMessage) {
  for (const std::string version : {"5", "6"}) {
    SCOPED_TRACE("protocol " + version);
    std::string bytes[2];
    for (int plain = 0; plain < 2; ++plain) {
      auto env = go_plugin_env();
      env["PLUGIN_PROTOCOL_VERSIONS"] = version;
      if (plain == 1) env["RAWTEST_PLAIN_SCHEMA"] = "1";
      auto* p = start(env);
      ASSERT_NE(p, nullptr);
      auto ch = channel(*p);
      for (int call = 0; call < 2; ++call) {  // the second call answers from the same bytes
        grpc::ClientContext ctx;
        set_deadline(ctx);
        grpc::Status st;
        std::string got;
        if (version == "5") {
          tfplugin5::GetProviderSchema::Response resp;
          st = tfplugin5::Provider::NewStub(ch)->GetSchema(&ctx, {}, &resp);
          EXPECT_TRUE(resp.resource_schemas().contains("rawtest_slow"));
          EXPECT_TRUE(resp.functions().contains("echo"));
          EXPECT_EQ(resp.provider().block().attributes(0).name(), "label");
          got = cppvider::test_support::deterministic_bytes(resp);
        } else {
          tfplugin6::GetProviderSchema::Response resp;
          st = get_schema(ch, &resp);
          EXPECT_TRUE(resp.resource_schemas().contains("rawtest_slow"));
          EXPECT_TRUE(resp.server_capabilities().get_provider_schema_optional());
          got = cppvider::test_support::deterministic_bytes(resp);
        }
        ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
        if (call == 0) bytes[plain] = got;
        EXPECT_EQ(got, bytes[plain]);
      }
      shutdown_and_expect_exit(*p);
    }
    EXPECT_FALSE(bytes[0].empty());
    EXPECT_EQ(bytes[0], bytes[1]);
  }
}

// 4 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, MutualTlsAcceptsOnlyTheHostCertificate) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(p->hs.tls());

  {
    tfplugin6::GetProviderSchema::Response schema;
    const auto st = get_schema(tls_channel(p->hs.target(), p->hs.cert_pem, &host_), &schema);
    ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    EXPECT_TRUE(schema.resource_schemas().contains("rawtest_slow"));
    EXPECT_TRUE(schema.functions().contains("echo"));
    EXPECT_TRUE(schema.functions().contains("boom"));
  }

  const auto refused = [](grpc::StatusCode c) {
    return c == grpc::StatusCode::UNAVAILABLE || c == grpc::StatusCode::UNAUTHENTICATED ||
           c == grpc::StatusCode::PERMISSION_DENIED;
  };
  {
    SCOPED_TRACE("no client certificate");
    const auto st = get_schema(tls_channel(p->hs.target(), p->hs.cert_pem, nullptr));
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(refused(st.error_code())) << st.error_code() << " " << st.error_message();
  }
  {
    SCOPED_TRACE("another P-521 certificate");
    const auto stranger = make_host_identity();
    const auto st = get_schema(tls_channel(p->hs.target(), p->hs.cert_pem, &stranger));
    EXPECT_FALSE(st.ok());
    EXPECT_TRUE(refused(st.error_code())) << st.error_code() << " " << st.error_message();
  }
  {
    SCOPED_TRACE("plaintext client against the TLS server");
    const auto st = get_schema(plain_channel(p->hs.target()));
    EXPECT_FALSE(st.ok());
  }

  // The refusals cost the server nothing.
  EXPECT_TRUE(p->proc->alive());
  EXPECT_TRUE(get_schema(channel(*p)).ok());
  shutdown_and_expect_exit(*p);
}

// 5 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, ShutdownExitsPromptlyAndRemovesSocket) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  auto ch = channel(*p);  // stays open across the exit, as a slow host's connection would
  ASSERT_TRUE(get_schema(ch).ok());
  const auto took = shutdown_and_expect_exit(*p);
  RecordProperty("shutdown_to_exit_ms", static_cast<int>(took.count()));
  EXPECT_EQ(sockets_under(dir_), std::vector<std::string>{});
}

const std::vector<std::string> kApplyReceived = {R"("@message":"Received request")",
                                                 R"("tf_rpc":"ApplyResourceChange")"};

TEST_F(PluginTest, ShutdownDuringApplyStillExitsPromptly) {
  auto env = go_plugin_env();
  env["TF_LOG"] = "debug";  // "Received request" tells when the apply has reached its handler
  auto* p = start(env);
  ASSERT_NE(p, nullptr);
  auto apply = apply_async(channel(*p));
  ASSERT_TRUE(p->proc->wait_for_stderr_lines(kApplyReceived, 1, 5s));
  std::this_thread::sleep_for(50ms);
  ASSERT_EQ(apply.wait_for(0s), std::future_status::timeout) << "ApplyResourceChange did not wait";
  shutdown_and_expect_exit(*p);
  ASSERT_EQ(apply.wait_for(2s), std::future_status::ready);
  const auto [st, resp] = apply.get();
  // Either the handler saw the stop and answered, or the server cancelled the call on exit.
  if (st.ok()) {
    ASSERT_EQ(resp.diagnostics_size(), 1);
    EXPECT_EQ(resp.diagnostics(0).summary(), "stopped");
  }
}

// 6 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, StopProviderReachesRunningHandler) {
  auto env = go_plugin_env();
  env["TF_LOG"] = "debug";  // "Received request" tells when the apply has reached its handler
  auto* p = start(env);
  ASSERT_NE(p, nullptr);
  auto ch = channel(*p);

  for (int round = 1; round <= 2; ++round) {  // round 2: a call started after a stop is not stopped
    SCOPED_TRACE("round " + std::to_string(round));
    auto apply = apply_async(ch);
    ASSERT_TRUE(p->proc->wait_for_stderr_lines(kApplyReceived, static_cast<std::size_t>(round), 5s))
        << "ApplyResourceChange never reached the provider";
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(apply.wait_for(0s), std::future_status::timeout)
        << "ApplyResourceChange returned before StopProvider: "
        << summaries(apply.get().second.diagnostics());

    tfplugin6::StopProvider::Response stop;
    const auto stop_st = stop_provider(ch, &stop);
    const auto stopped_at = steady::now();
    ASSERT_TRUE(stop_st.ok()) << stop_st.error_code() << " " << stop_st.error_message();
    EXPECT_EQ(stop.error(), "");

    ASSERT_EQ(apply.wait_for(2s), std::future_status::ready)
        << "apply still running 2 s after StopProvider";
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - stopped_at);
    const auto [st, resp] = apply.get();
    ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    ASSERT_EQ(resp.diagnostics_size(), 1) << summaries(resp.diagnostics());
    EXPECT_EQ(resp.diagnostics(0).summary(), "stopped");
    EXPECT_EQ(resp.diagnostics(0).severity(), tfplugin6::Diagnostic::ERROR);
    EXPECT_LT(took, 2s);
  }
  // StopProvider is not Shutdown: the provider keeps serving.
  EXPECT_TRUE(p->proc->alive());
  EXPECT_TRUE(get_schema(ch).ok());
  shutdown_and_expect_exit(*p);
}

// 7 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, WrongOrMissingCookieExitsWithMessage) {
  for (const bool missing : {false, true}) {
    SCOPED_TRACE(missing ? "missing cookie" : "wrong cookie");
    auto env = go_plugin_env();
    if (missing) {
      env.erase("TF_PLUGIN_MAGIC_COOKIE");
    } else {
      env["TF_PLUGIN_MAGIC_COOKIE"] =
          "0000000000000000000000000000000000000000000000000000000000000000";
    }
    auto& proc = launch(env);
    const auto status = proc.wait_exit(5s);
    ASSERT_TRUE(status) << "still running";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << describe_status(*status);
    EXPECT_NE(proc.stderr_text().find("This binary is a plugin"), std::string::npos)
        << proc.stderr_text();
    bool eof = false;
    EXPECT_EQ(proc.stdout_until_eof(2s, &eof), "");
    EXPECT_TRUE(eof);
    EXPECT_EQ(sockets_under(dir_), std::vector<std::string>{})
        << "a refused start must not create a socket";
  }
}

// 8 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, ConcurrentCallFunction) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  auto ch = channel(*p);
  ASSERT_TRUE(get_schema(ch).ok());  // connected before the burst

  constexpr int n = 64;
  std::vector<std::string> args(n), results(n);
  std::vector<grpc::Status> statuses(n);
  std::vector<std::string> errors(n);
  for (int i = 0; i < n; ++i) {
    std::string s =
        "call-" + std::to_string(i) + "-" + std::string(static_cast<std::size_t>(i % 20), 'x');
    args[static_cast<std::size_t>(i)] = msgpack_str(s);
  }
  std::latch go(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      const auto k = static_cast<std::size_t>(i);
      go.arrive_and_wait();
      tfplugin6::CallFunction::Response resp;
      statuses[k] = call_function(ch, "echo", args[k], &resp, 10s);
      results[k] = resp.result().msgpack();
      errors[k] = resp.has_error() ? resp.error().text() : "";
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < n; ++i) {
    SCOPED_TRACE("call " + std::to_string(i));
    EXPECT_TRUE(statuses[i].ok()) << statuses[i].error_code() << " " << statuses[i].error_message();
    EXPECT_EQ(errors[i], "");
    EXPECT_EQ(results[i], args[i]);
  }
  shutdown_and_expect_exit(*p);
}

// Above gRPC's 4 MiB default in both directions (protocol.md §8: providers allow 256 MiB).
TEST_F(PluginTest, MessagesAboveFourMebibytes) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  const std::size_t len = 6u << 20;
  std::string arg = "\xdb";  // msgpack str32
  for (int shift : {24, 16, 8, 0}) arg.push_back(static_cast<char>((len >> shift) & 0xff));
  arg.reserve(arg.size() + len);
  for (std::size_t i = 0; i < len; ++i) arg.push_back(static_cast<char>('a' + i % 26));
  auto ch = tls_channel(p->hs.target(), p->hs.cert_pem, &host_, 64 << 20);
  tfplugin6::CallFunction::Response resp;
  const auto st = call_function(ch, "echo", arg, &resp, 20s);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_FALSE(resp.has_error()) << resp.error().text();
  EXPECT_TRUE(resp.result().msgpack() == arg)
      << "echo returned " << resp.result().msgpack().size() << " bytes";
  shutdown_and_expect_exit(*p);
}

// 9 -------------------------------------------------------------------------------------------

TEST_F(PluginTest, GarbageOnSocketDoesNotKillServer) {
  for (const bool mtls : {true, false}) {
    SCOPED_TRACE(mtls ? "mTLS server" : "plaintext server");
    auto* p = start(go_plugin_env(mtls));
    ASSERT_NE(p, nullptr);
    const std::string path = p->hs.address;

    std::mt19937 rng(mtls ? 1u : 2u);
    const auto random_bytes = [&](std::size_t len) {
      std::string s(len, '\0');
      for (auto& c : s) c = static_cast<char>(rng() & 0xff);
      return s;
    };
    const std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    std::vector<std::string> payloads = {
        "",  // connect, close
        "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM",  // truncated preface
        preface + std::string("\x00\x00\x10\x07\xff\xff\xff\xff\xff", 9) + "junk",  // bogus frame
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) +
            random_bytes(40),  // cut ClientHello
    };
    std::vector<int> held;  // a few bad connections stay open during the final call
    for (int rep = 0; rep < 3; ++rep) {
      payloads.push_back(random_bytes(1024));
      payloads.push_back(random_bytes(64 * 1024));
      for (const auto& bytes : payloads) {
        const int fd = raw_connect(path);
        ASSERT_GE(fd, 0) << "connect " << path << ": " << std::strerror(errno);
        send_some(fd, bytes);
        if (rep == 2 && held.size() < 3) {
          held.push_back(fd);
        } else {
          ::close(fd);
        }
      }
    }
    std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(p->proc->alive()) << "stderr: " << p->proc->stderr_text();
    tfplugin6::CallFunction::Response resp;
    const auto st = call_function(channel(*p), "echo", msgpack_str("still here"), &resp);
    EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    EXPECT_EQ(resp.result().msgpack(), msgpack_str("still here"));
    EXPECT_EQ(p->proc->stdout_pending(), "");
    shutdown_and_expect_exit(*p);
    for (int fd : held) ::close(fd);
  }
}

// 10 ------------------------------------------------------------------------------------------

TEST_F(PluginTest, HandlerExceptionBecomesFunctionError) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  auto ch = channel(*p);
  tfplugin6::CallFunction::Response boom;
  const auto st = call_function(ch, "boom", msgpack_str("x"), &boom);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  ASSERT_TRUE(boom.has_error());
  EXPECT_NE(boom.error().text().find("boom was called"), std::string::npos) << boom.error().text();

  tfplugin6::CallFunction::Response echo;
  const auto st2 = call_function(ch, "echo", msgpack_str("after boom"), &echo);
  ASSERT_TRUE(st2.ok()) << st2.error_code() << " " << st2.error_message();
  EXPECT_FALSE(echo.has_error()) << echo.error().text();
  EXPECT_EQ(echo.result().msgpack(), msgpack_str("after boom"));
  EXPECT_TRUE(p->proc->alive());
  shutdown_and_expect_exit(*p);
}

// 11 ------------------------------------------------------------------------------------------

TEST_F(PluginTest, UnimplementedRpcsAnswerWithDiagnostics) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  auto stub = tfplugin6::Provider::NewStub(channel(*p));
  const auto names = [](const auto& diags, std::string_view rpc) {
    return std::any_of(diags.begin(), diags.end(), [&](const tfplugin6::Diagnostic& d) {
      return d.severity() == tfplugin6::Diagnostic::ERROR &&
             d.summary().find(rpc) != std::string::npos;
    });
  };
  {
    grpc::ClientContext ctx;
    set_deadline(ctx);
    tfplugin6::ReadResource::Request req;
    req.set_type_name("rawtest_slow");
    tfplugin6::ReadResource::Response resp;
    const auto st = stub->ReadResource(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    EXPECT_TRUE(names(resp.diagnostics(), "ReadResource")) << summaries(resp.diagnostics());
  }
  {
    grpc::ClientContext ctx;
    set_deadline(ctx);
    tfplugin6::ListResource::Request req;
    req.set_type_name("rawtest_slow");
    auto reader = stub->ListResource(&ctx, req);
    tfplugin6::ListResource::Event ev;
    int events = 0;
    bool named = false;
    while (reader->Read(&ev)) {
      ++events;
      named = named || names(ev.diagnostic(), "ListResource");
    }
    const auto st = reader->Finish();
    EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    EXPECT_GE(events, 1);
    EXPECT_TRUE(named) << summaries(ev.diagnostic());
  }
  {
    grpc::ClientContext ctx;
    set_deadline(ctx);
    tfplugin6::WriteStateBytes::Response resp;
    auto writer = stub->WriteStateBytes(&ctx, &resp);
    tfplugin6::WriteStateBytes::RequestChunk chunk;
    chunk.mutable_meta()->set_type_name("rawtest_store");
    chunk.mutable_meta()->set_state_id("default");
    chunk.set_bytes("{\"version\":4}");
    chunk.set_total_length(26);
    writer->Write(chunk);
    chunk.clear_meta();
    writer->Write(chunk);
    writer->WritesDone();
    const auto st = writer->Finish();
    ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    EXPECT_TRUE(names(resp.diagnostics(), "WriteStateBytes")) << summaries(resp.diagnostics());
  }
  shutdown_and_expect_exit(*p);
}

// 12 ------------------------------------------------------------------------------------------

TEST_F(PluginTest, SigintIgnoredSigtermExitsAndCleansUp) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  auto ch = channel(*p);
  ASSERT_TRUE(get_schema(ch).ok());

  p->proc->send_signal(SIGINT);
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(p->proc->alive()) << "SIGINT killed the provider: "
                                << describe_status(*p->proc->wait_exit(0ms));
  tfplugin6::CallFunction::Response resp;
  EXPECT_TRUE(call_function(ch, "echo", msgpack_str("after SIGINT"), &resp).ok());
  EXPECT_EQ(resp.result().msgpack(), msgpack_str("after SIGINT"));
  EXPECT_TRUE(is_socket(p->hs.address));

  p->proc->send_signal(SIGTERM);
  const auto status = p->proc->wait_exit(kExitBudget);
  ASSERT_TRUE(status) << "still running " << kExitBudget.count() << " s after SIGTERM";
  EXPECT_TRUE((WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM) ||
              (WIFEXITED(*status) && WEXITSTATUS(*status) == 0))
      << describe_status(*status);
  EXPECT_FALSE(exists_any(p->hs.address)) << "socket left behind after SIGTERM";
}

// 13 ------------------------------------------------------------------------------------------

TEST_F(PluginTest, HealthStdioAndBrokerEndAtShutdown) {
  auto* p = start(go_plugin_env());
  ASSERT_NE(p, nullptr);
  auto ch = channel(*p);
  auto health = grpc::health::v1::Health::NewStub(ch);
  {
    grpc::ClientContext ctx;
    set_deadline(ctx);
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("plugin");
    grpc::health::v1::HealthCheckResponse resp;
    const auto st = health->Check(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  {
    grpc::ClientContext ctx;  // "" is the whole server
    set_deadline(ctx);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, {}, &resp).ok());
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  {
    grpc::ClientContext ctx;
    set_deadline(ctx);
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("no.such.Service");
    grpc::health::v1::HealthCheckResponse resp;
    EXPECT_EQ(health->Check(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }

  // Long-lived streams, each read on its own thread until the server ends it.
  using ended = std::pair<grpc::Status, steady::time_point>;
  std::atomic<int> opened{0};  // calls started (their headers handed to the transport)
  auto stdio = std::async(std::launch::async, [ch, &opened] {
    auto stub = ::plugin::GRPCStdio::NewStub(ch);
    grpc::ClientContext ctx;
    set_deadline(ctx, 8s);
    auto reader = stub->StreamStdio(&ctx, cppvider::wire::Empty{});
    ++opened;
    ::plugin::StdioData d;
    while (reader->Read(&d)) {
    }
    auto st = reader->Finish();
    return ended{st, steady::now()};
  });
  auto broker = std::async(std::launch::async, [ch, &opened] {
    auto stub = ::plugin::GRPCBroker::NewStub(ch);
    grpc::ClientContext ctx;
    set_deadline(ctx, 8s);
    auto stream = stub->StartStream(&ctx);
    ++opened;
    ::plugin::ConnInfo hello;
    hello.set_service_id(1);
    hello.set_network("unix");
    hello.set_address("/nonexistent");
    stream->Write(hello);
    ::plugin::ConnInfo in;
    while (stream->Read(&in)) {
    }
    stream->WritesDone();
    auto st = stream->Finish();
    return ended{st, steady::now()};
  });
  std::atomic<int> watch_first{-1};
  auto watch = std::async(std::launch::async, [ch, &watch_first, &opened] {
    auto stub = grpc::health::v1::Health::NewStub(ch);
    grpc::ClientContext ctx;
    set_deadline(ctx, 8s);
    grpc::health::v1::HealthCheckRequest req;
    req.set_service("plugin");
    auto reader = stub->Watch(&ctx, req);
    ++opened;
    grpc::health::v1::HealthCheckResponse r;
    if (reader->Read(&r)) watch_first = r.status();
    while (reader->Read(&r)) {
    }
    auto st = reader->Finish();
    return ended{st, steady::now()};
  });

  for (const auto until = steady::now() + 5s; opened.load() < 3 && steady::now() < until;)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(opened.load(), 3);
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(stdio.wait_for(0s), std::future_status::timeout)
      << "StreamStdio ended early: " << stdio.get().first.error_message();
  ASSERT_EQ(broker.wait_for(0s), std::future_status::timeout)
      << "StartStream ended early: " << broker.get().first.error_message();
  ASSERT_EQ(watch.wait_for(0s), std::future_status::timeout)
      << "Watch ended early: " << watch.get().first.error_message();
  EXPECT_EQ(watch_first.load(), grpc::health::v1::HealthCheckResponse::SERVING);

  const auto before = steady::now();
  shutdown_and_expect_exit(*p);
  for (auto* f : {&stdio, &broker, &watch}) {
    ASSERT_EQ(f->wait_for(2s), std::future_status::ready) << "a stream outlived Shutdown";
    const auto [st, at] = f->get();
    EXPECT_TRUE(st.ok()) << "stream ended with " << st.error_code() << " " << st.error_message();
    EXPECT_LT(at - before, kExitBudget);
  }
}

// 14 ------------------------------------------------------------------------------------------

TEST_F(PluginTest, TcpFallbackWithinPortRange) {
  auto env = go_plugin_env();
  env["CPPVIDER_FORCE_TCP"] = "1";
  env["PLUGIN_MIN_PORT"] = "20000";
  env["PLUGIN_MAX_PORT"] = "20100";
  auto* p = start(env);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->hs.fields[0], "1");
  EXPECT_EQ(p->hs.fields[1], "6");
  EXPECT_EQ(p->hs.network, "tcp");
  EXPECT_EQ(p->hs.fields[4], "grpc");
  ASSERT_TRUE(p->hs.address.starts_with("127.0.0.1:")) << p->hs.address;
  const int port = std::atoi(p->hs.address.substr(10).c_str());
  EXPECT_GE(port, 20000);
  EXPECT_LE(port, 20100);
  ASSERT_TRUE(p->hs.tls());

  tfplugin6::CallFunction::Response resp;
  const auto st = call_function(channel(*p), "echo", msgpack_str("over tcp"), &resp);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_EQ(resp.result().msgpack(), msgpack_str("over tcp"));
  // mTLS holds over TCP too.
  EXPECT_FALSE(get_schema(tls_channel(p->hs.target(), p->hs.cert_pem, nullptr)).ok());
  shutdown_and_expect_exit(*p);
}

// 15 ------------------------------------------------------------------------------------------

TEST_F(PluginTest, OverlongTmpdirFallsBack) {
  const std::string deep = dir_ + "/" + std::string(60, 'a') + "/" + std::string(60, 'b');
  fs::create_directories(deep);
  ASSERT_GT(deep.size(), 107u);
  auto env = go_plugin_env();
  env["TMPDIR"] = deep;
  auto* p = start(env);
  ASSERT_NE(p, nullptr) << "the provider must start even with an unusable TMPDIR";
  EXPECT_EQ(p->hs.network, "unix");
  EXPECT_LE(p->hs.address.size(), 107u) << p->hs.address;
  EXPECT_FALSE(p->hs.address.starts_with(deep)) << p->hs.address;
  EXPECT_TRUE(is_socket(p->hs.address)) << p->hs.address;
  EXPECT_TRUE(get_schema(channel(*p)).ok());
  shutdown_and_expect_exit(*p);
}

TEST_F(PluginTest, UnixSocketDirIsHonoured) {
  const std::string sockets = dir_ + "/sockets";
  fs::create_directories(sockets);
  auto env = go_plugin_env();
  env["PLUGIN_UNIX_SOCKET_DIR"] = sockets;
  auto* p = start(env);
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->hs.address.starts_with(sockets + "/")) << p->hs.address;
  EXPECT_TRUE(is_socket(p->hs.address));
  EXPECT_TRUE(get_schema(channel(*p)).ok());
  shutdown_and_expect_exit(*p);
}

// The provider listens before gRPC is built and writes the line then (with mTLS, as soon as its
// certificate exists), so a host that connects the moment it reads the line meets a server that
// is still starting. Its first call, made at once and fail-fast as Terraform's are, must succeed.
TEST_F(PluginTest, CallMadeTheMomentTheLineAppearsIsAnswered) {
  for (const bool mtls : {true, false}) {
    for (int i = 0; i < 10; ++i) {
      auto* p = start(go_plugin_env(mtls));
      ASSERT_NE(p, nullptr);
      tfplugin6::CallFunction::Response resp;
      const auto st = call_function(channel(*p), "echo", msgpack_str("first"), &resp);
      ASSERT_TRUE(st.ok()) << (mtls ? "mTLS" : "plaintext") << " round " << i << ": "
                           << st.error_code() << " " << st.error_message()
                           << "; stderr: " << p->proc->stderr_text();
      EXPECT_EQ(resp.result().msgpack(), msgpack_str("first"));
      shutdown_and_expect_exit(*p);
    }
  }
}

// SIGTERM while gRPC is still starting behind an announced socket still removes the socket.
TEST_F(PluginTest, SigtermRightAfterTheLineLeavesNoSocket) {
  int leaks = 0, stuck = 0;
  for (const bool mtls : {true, false}) {
    for (int i = 0; i < 15; ++i) {
      auto* p = start(go_plugin_env(mtls));
      ASSERT_NE(p, nullptr);
      p->proc->send_signal(SIGTERM);
      const auto status = p->proc->wait_exit(kExitBudget);
      if (!status) ++stuck;
      if (exists_any(p->hs.address)) ++leaks;
    }
  }
  EXPECT_EQ(stuck, 0) << "providers still running 2 s after SIGTERM";
  EXPECT_EQ(leaks, 0) << "of 30 providers sent SIGTERM right after the line, " << leaks
                      << " left their socket behind";
}

// A port of the range already taken is skipped: binding is the provider's check that it is free.
TEST_F(PluginTest, TcpFallbackSkipsAPortInUse) {
  const int taken = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(taken, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;  // any free port; the range then starts there
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(taken, 1), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const int port = ntohs(a.sin_port);
  auto env = go_plugin_env();
  env["CPPVIDER_FORCE_TCP"] = "1";
  env["PLUGIN_MIN_PORT"] = std::to_string(port);
  env["PLUGIN_MAX_PORT"] = std::to_string(port + 20);
  auto* p = start(env);
  ::close(taken);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->hs.network, "tcp");
  const int got = std::atoi(p->hs.address.substr(p->hs.address.find(':') + 1).c_str());
  EXPECT_GT(got, port) << p->hs.address;
  EXPECT_LE(got, port + 20) << p->hs.address;
  EXPECT_TRUE(get_schema(channel(*p)).ok());
  shutdown_and_expect_exit(*p);
}

// 16 ------------------------------------------------------------------------------------------

class DebugModeTest : public PluginTest, public ::testing::WithParamInterface<int> {};

TEST_P(DebugModeTest, PrintsReattachLineAndStopsOnSignal) {
  const int sig = GetParam();
  auto& proc = launch({{"TMPDIR", dir_}}, {"--debug"});  // a developer's shell: no cookie
  const auto line = proc.read_line(kStartTimeout);
  ASSERT_TRUE(line) << "no TF_REATTACH_PROVIDERS line; stderr: " << proc.stderr_text();
  const std::string prefix = "TF_REATTACH_PROVIDERS='";
  ASSERT_TRUE(line->starts_with(prefix)) << *line;
  ASSERT_TRUE(line->ends_with("'\n")) << *line;
  const auto text = line->substr(prefix.size(), line->size() - prefix.size() - 2);
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << "not JSON: " << text;
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 1u);
  ASSERT_TRUE(j.contains(kProviderAddress)) << text;
  const auto& e = j[kProviderAddress];
  EXPECT_EQ(e.value("Protocol", ""), "grpc");
  EXPECT_EQ(e.value("ProtocolVersion", 0), 6);
  EXPECT_EQ(e.value("Test", false), true);
  EXPECT_EQ(e.value("Pid", 0L), static_cast<long>(proc.pid()));
  ASSERT_TRUE(e.contains("Addr") && e["Addr"].is_object()) << text;
  EXPECT_EQ(e["Addr"].value("Network", ""), "unix");
  const std::string path = e["Addr"].value("String", "");
  proc.remember_socket(path);
  EXPECT_TRUE(is_socket(path)) << path;

  // Reattach is always plaintext.
  tfplugin6::GetProviderSchema::Response schema;
  const auto st = get_schema(plain_channel("unix:" + path), &schema);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_TRUE(schema.functions().contains("echo"));

  proc.send_signal(sig);
  const auto status = proc.wait_exit(kExitBudget);
  ASSERT_TRUE(status) << strsignal(sig) << " did not stop the --debug server within 2 s";
  EXPECT_TRUE((WIFEXITED(*status) && WEXITSTATUS(*status) == 0) ||
              (WIFSIGNALED(*status) && WTERMSIG(*status) == sig))
      << describe_status(*status);
  EXPECT_FALSE(exists_any(path)) << "socket left behind after " << strsignal(sig);
}

INSTANTIATE_TEST_SUITE_P(Signals, DebugModeTest, ::testing::Values(SIGTERM, SIGINT),
                         [](const auto& info) {
                           return info.param == SIGTERM ? "SIGTERM" : "SIGINT";
                         });

// The socket path in a --debug process's reattach line (empty if the line is malformed).
std::string reattach_socket(const std::string& line) {
  const auto at = line.find('{');
  const auto end = line.rfind('}');
  if (at == std::string::npos || end == std::string::npos) return {};
  const auto j = nlohmann::json::parse(line.substr(at, end - at + 1), nullptr, false);
  if (j.is_discarded() || !j.contains(kProviderAddress)) return {};
  return j[kProviderAddress]["Addr"].value("String", "");
}

// Ctrl-C (or a script's kill) as soon as the reattach line is out must still stop the server
// cleanly: the line promises a running server that "Press Ctrl-C to stop" ends.
TEST_P(DebugModeTest, SignalRightAfterReattachLineLeavesNoSocket) {
  const int sig = GetParam();
  int leaks = 0, hard_deaths = 0;
  std::string example;
  for (int i = 0; i < 25; ++i) {
    provider_process proc({{"TMPDIR", dir_}}, {"--debug"}, dir_ + "/race.log");
    const auto line = proc.read_line(kStartTimeout);
    ASSERT_TRUE(line) << "no reattach line; stderr: " << proc.stderr_text();
    const auto path = reattach_socket(*line);
    ASSERT_FALSE(path.empty()) << *line;
    proc.remember_socket(path);
    proc.send_signal(sig);
    const auto status = proc.wait_exit(kExitBudget);
    ASSERT_TRUE(status) << strsignal(sig) << " did not stop the --debug server within 2 s";
    if (exists_any(path)) ++leaks;
    if (!(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) &&
        !(WIFSIGNALED(*status) && WTERMSIG(*status) == sig)) {
      ++hard_deaths;
      example = describe_status(*status);
    }
  }
  EXPECT_EQ(leaks, 0) << "of 25 --debug servers sent " << strsignal(sig)
                      << " right after the reattach line, " << leaks << " left their socket behind";
  EXPECT_EQ(hard_deaths, 0) << example;
}

// go-plugin hosts other than Terraform may send Shutdown to a reattached provider.
TEST_F(PluginTest, DebugModeShutdownRpcStopsServer) {
  auto& proc = launch({{"TMPDIR", dir_}}, {"--debug"});
  const auto line = proc.read_line(kStartTimeout);
  ASSERT_TRUE(line) << "no reattach line; stderr: " << proc.stderr_text();
  const auto path = reattach_socket(*line);
  ASSERT_FALSE(path.empty()) << *line;
  proc.remember_socket(path);
  auto ch = plain_channel("unix:" + path);
  ASSERT_TRUE(get_schema(ch).ok());
  const auto st = shutdown_rpc(ch);
  EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  ch.reset();
  const auto status = proc.wait_exit(kExitBudget);
  ASSERT_TRUE(status) << "still running 2 s after Shutdown";
  EXPECT_TRUE((WIFEXITED(*status) && WEXITSTATUS(*status) == 0) ||
              (WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM))
      << describe_status(*status);
  EXPECT_FALSE(exists_any(path));
}

// 17 ------------------------------------------------------------------------------------------

TEST_F(PluginTest, LogsAreHclogJsonOnStderr) {
  auto env = go_plugin_env();
  env["TF_LOG"] = "debug";
  auto* p = start(env);
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(get_schema(channel(*p)).ok());
  shutdown_and_expect_exit(*p);
  EXPECT_EQ(p->proc->stdout_until_eof(2s), "") << "logs must never reach stdout";

  const std::regex timestamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$)");
  const auto lines = lines_of(p->proc->stderr_text());
  ASSERT_FALSE(lines.empty()) << "TF_LOG=debug produced no log lines";
  std::vector<std::string> req_ids;
  for (const auto& l : lines) {
    SCOPED_TRACE(l);
    const auto j = nlohmann::json::parse(l, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "stderr line is not JSON";
    ASSERT_TRUE(j.is_object());
    for (const char* k : {"@level", "@message", "@module", "@timestamp"}) {
      ASSERT_TRUE(j.contains(k) && j[k].is_string()) << k << " missing or not a string";
    }
    const auto level = j["@level"].get<std::string>();
    EXPECT_TRUE(level == "trace" || level == "debug" || level == "info" || level == "warn" ||
                level == "error")
        << level;
    EXPECT_TRUE(std::regex_match(j["@timestamp"].get<std::string>(), timestamp));
    EXPECT_FALSE(j["@module"].get<std::string>().empty());
    if (j.value("tf_rpc", "") == "GetProviderSchema") {
      ASSERT_TRUE(j.contains("tf_req_id") && j["tf_req_id"].is_string());
      EXPECT_FALSE(j["tf_req_id"].get<std::string>().empty());
      req_ids.push_back(j["tf_req_id"].get<std::string>());
    }
  }
  ASSERT_FALSE(req_ids.empty()) << "no log line with tf_rpc=GetProviderSchema";
  // Every line of one request carries the same id.
  EXPECT_TRUE(std::all_of(req_ids.begin(), req_ids.end(),
                          [&](const auto& id) { return id == req_ids[0]; }));
}

TEST_F(PluginTest, NoLogsWithoutTfLog) {
  auto* p = start(go_plugin_env());  // the environment has no TF_LOG* at all
  ASSERT_NE(p, nullptr);
  ASSERT_TRUE(get_schema(channel(*p)).ok());
  shutdown_and_expect_exit(*p);
  const auto err = p->proc->stderr_text();
  for (const auto& l : lines_of(err)) {
    EXPECT_EQ(l.find("\"@level\""), std::string::npos) << "log line without TF_LOG: " << l;
  }
}

}  // namespace
