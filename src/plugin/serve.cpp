#include "cppvider/plugin/serve.hpp"

#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>

#include "cppvider/plugin/handshake.hpp"
#include "cppvider/runtime/log.hpp"
#include "listener.hpp"
#include "provider_grpc.hpp"
#include "tls_startup.hpp"

namespace cppvider::plugin {
namespace {

// The socket path, kept where a signal handler may read it (no allocation there).
char g_socket_path[128] = {0};

void remove_socket() noexcept {
  if (g_socket_path[0] != '\0') ::unlink(g_socket_path);
}

// SIGTERM, SIGHUP, SIGQUIT: leave no socket behind, then die by the same signal.
extern "C" void on_fatal_signal(int sig) {
  remove_socket();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_signal_handlers(bool debug) {
  ::signal(SIGPIPE, SIG_IGN);  // a host that closed our stdout/stderr must not kill us
  // Ctrl-C reaches the whole process group; Terraform answers it with StopProvider, so a
  // provider ignores SIGINT as go-plugin plugins do. In --debug mode Ctrl-C ends the server.
  if (!debug) ::signal(SIGINT, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(sig, &sa, nullptr);
  std::set_terminate([] {
    remove_socket();
    std::abort();
  });
}

std::string env_or(const char* name, std::string fallback = {}) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : fallback;
}

// PEM with whitespace removed, so equal certificates compare equal whatever their line breaks.
std::string pem_key(std::string_view pem) {
  std::string out;
  out.reserve(pem.size());
  for (char c : pem)
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') out.push_back(c);
  return out;
}

// The TLS layer already requires a client certificate that verifies against a pool holding only
// the host's certificate; this also refuses any other certificate that key may have signed.
class exact_client_certificate final : public grpc::AuthMetadataProcessor {
 public:
  explicit exact_client_certificate(std::string pem) : expected_(pem_key(pem)) {}
  bool IsBlocking() const override { return false; }
  grpc::Status Process(const InputMetadata&, grpc::AuthContext* ctx, OutputMetadata*,
                       OutputMetadata*) override {
    for (const auto& v : ctx->FindPropertyValues("x509_pem_cert")) {
      if (pem_key(std::string_view(v.data(), v.size())) == expected_) return grpc::Status::OK;
    }
    log::warn("refused a client whose certificate is not the host's");
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "client certificate not accepted");
  }

 private:
  std::string expected_;
};

void write_stdout(std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

struct parsed_args {
  bool debug = false;
  bool help = false;
  std::string unknown;
};

parsed_args parse_args(int argc, char** argv) {
  parsed_args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--debug" || arg == "-debug") {
      a.debug = true;
    } else if (arg == "--help" || arg == "-h") {
      a.help = true;
    } else if (a.unknown.empty()) {
      a.unknown = arg;
    }
  }
  return a;
}

}  // namespace

int serve(provider_service& service, const serve_options& options, int argc, char** argv) {
  const auto t_start = std::chrono::steady_clock::now();
  const auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  };
  const auto args = parse_args(argc, argv);
  const char* program = argc > 0 ? argv[0] : "provider";
  if (args.help || !args.unknown.empty()) {
    if (!args.unknown.empty()) std::fprintf(stderr, "unknown argument: %s\n", args.unknown.c_str());
    std::fprintf(stderr,
                 "usage: %s [--debug]\n"
                 "  Terraform and OpenTofu start this provider themselves.\n"
                 "  --debug  serve without TLS for a debugger and print TF_REATTACH_PROVIDERS\n",
                 program);
    return args.help ? 0 : 2;
  }

  if (!args.debug && env_or(magic_cookie_key.data()) != magic_cookie_value) {
    const auto msg = not_a_plugin_message(program);
    std::fwrite(msg.data(), 1, msg.size(), stderr);
    return 1;
  }

  install_signal_handlers(args.debug);

  std::vector<int> supported;
  if (options.protocol_6) supported.push_back(6);
  if (options.protocol_5) supported.push_back(5);
  const auto version = choose_protocol_version(env_or("PLUGIN_PROTOCOL_VERSIONS"), supported);
  if (!version) {
    std::fprintf(stderr,
                 "cppvider: the host offers protocol versions %s; this provider serves "
                 "%s\n",
                 env_or("PLUGIN_PROTOCOL_VERSIONS").c_str(),
                 options.protocol_6 ? (options.protocol_5 ? "6 and 5" : "6") : "5");
    return 1;
  }

  {
    const auto& addr = options.provider_address;
    const auto slash = addr.rfind('/');
    log::set_default_module(slash == std::string::npos ? "provider"
                                                       : "provider." + addr.substr(slash + 1));
  }

  // Mutual TLS when the host sends its certificate (AutoMTLS); never in --debug mode.
  const std::string client_cert = args.debug ? std::string() : env_or("PLUGIN_CLIENT_CERT");
  // In --debug mode the main thread waits for Ctrl-C or SIGTERM with sigwait; both are blocked
  // before gRPC starts threads, so every gRPC thread inherits the mask and none can take them.
  sigset_t debug_signals;
  sigemptyset(&debug_signals);
  sigaddset(&debug_signals, SIGINT);
  sigaddset(&debug_signals, SIGTERM);
  if (args.debug) pthread_sigmask(SIG_BLOCK, &debug_signals, nullptr);

  // The socket listens before gRPC exists: the host's connection waits in the kernel's queue
  // until the accept loop hands it to gRPC, so the handshake line need not wait for gRPC.
  auto listener = detail::listener::open(!env_or("CPPVIDER_FORCE_TCP").empty(),
                                         std::atoi(env_or("PLUGIN_MIN_PORT", "10000").c_str()),
                                         std::atoi(env_or("PLUGIN_MAX_PORT", "25000").c_str()));
  if (!listener) {
    std::fprintf(stderr, "cppvider: could not listen on a unix socket or a loopback TCP port\n");
    return 1;
  }
  const listen_address addr = listener->address();
  if (addr.net == network::unix_socket)
    std::snprintf(g_socket_path, sizeof g_socket_path, "%s", addr.address.c_str());

  // Without TLS the line is complete now; with it, once the certificate exists. The key and
  // certificate are made here, on the main thread: nothing else is left to do before the line,
  // and a thread of their own would cost a stack and a malloc arena for the process's life.
  std::optional<server_identity> identity;
  double identity_ms = 0;
  if (!client_cert.empty()) {
    const auto t_identity = std::chrono::steady_clock::now();
    try {
      detail::skip_openssl_config();
      identity_options id_opts;
      id_opts.curve = parse_curve(env_or("CPPVIDER_TLS_CURVE"), options.curve);
      identity = generate_server_identity(id_opts);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cppvider: could not make the TLS certificate: %s\n", e.what());
      remove_socket();
      return 1;
    }
    identity_ms = ms_since(t_identity);
  }
  if (!args.debug)
    write_stdout(format_handshake_line(
        *version, addr,
        identity ? std::string_view(identity->certificate_der) : std::string_view()));
  const double line_ms = ms_since(t_start);

  grpc_init();  // gRPC starts its threads here; never shut down: the process exits instead

  detail::server_state state(*version);
  if (args.debug) state.on_shutdown = [] { ::kill(::getpid(), SIGTERM); };  // wakes sigwait
  auto provider = *version == 6 ? detail::make_provider_v6(service, state)
                                : detail::make_provider_v5(service, state);
  auto infra = detail::make_go_plugin_services(state);

  std::shared_ptr<grpc::ServerCredentials> creds;
  if (identity) {
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = client_cert;
    // gRPC 1.51 takes "engine:<id>:<key>" in place of a PEM key; the ENGINE hands over the key
    // we hold, which saves decoding PEM through OSSL_DECODER (~4 M instructions).
    auto key = detail::engine_key_reference(*identity);
    if (key.empty()) key = identity->private_key_pem;
    ssl.pem_key_cert_pairs.push_back({std::move(key), identity->certificate_pem});
    creds = grpc::SslServerCredentials(ssl);
    creds->SetAuthMetadataProcessor(std::make_shared<exact_client_certificate>(client_cert));
  } else {
    creds = grpc::InsecureServerCredentials();
  }

  if (identity) detail::begin_certificate_parsing();
  const auto t_build = std::chrono::steady_clock::now();
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  // Connections come from our listener; gRPC gives them the same TLS as a port of its own.
  std::shared_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor =
      builder.experimental().AddExternalConnectionAcceptor(
          grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD, creds);
  builder.RegisterService(provider.get());
  for (auto& s : infra) builder.RegisterService(s.get());
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (identity) detail::end_certificate_parsing();
  if (!server || !acceptor) {
    // The line may be out already: the host then sees its connection closed and reports it.
    std::fprintf(stderr, "cppvider: the gRPC server did not start\n");
    remove_socket();
    return 1;
  }
  const int listen_fd = listener->fd();
  std::optional<detail::accept_loop> accepting;
  try {
    accepting.emplace(listen_fd, [acceptor, listen_fd](int fd) {
      grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters p;
      p.listener_fd = listen_fd;
      p.fd = fd;
      acceptor->HandleNewConnection(&p);  // takes the descriptor, closing it on failure
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cppvider: could not start accepting connections: %s\n", e.what());
    remove_socket();
    return 1;
  }

  if (args.debug) {
    const auto reattach =
        reattach_json(options.provider_address.empty() ? "registry.terraform.io/example/provider"
                                                       : options.provider_address,
                      *version, static_cast<long>(::getpid()), addr);
    std::string msg = "Provider started. To attach Terraform or OpenTofu, set in your shell:\n\n";
    msg += "\tTF_REATTACH_PROVIDERS='" + reattach + "'\n\n";
    msg += "Press Ctrl-C to stop.\n";
    // The machine-readable line goes to stdout for scripts; people read the text on stderr.
    write_stdout("TF_REATTACH_PROVIDERS='" + reattach + "'\n");
    std::fwrite(msg.data(), 1, msg.size(), stderr);
    std::fflush(stderr);

    int sig = 0;
    sigwait(&debug_signals, &sig);
  } else {
    log::debug("plugin started", {{"address", addr.address},
                                  {"protocol", *version},
                                  {"mtls", !client_cert.empty()},
                                  {"handshake_line_ms", line_ms},
                                  {"identity_ms", identity_ms},
                                  {"server_build_ms", ms_since(t_build)},
                                  {"serving_ms", ms_since(t_start)}});
    state.wait_for_shutdown();
  }

  accepting->stop();
  // Bounded: a host that stopped reading must not hold up the exit (Terraform allows 2 s).
  state.close_streams(std::chrono::milliseconds(500));
  state.stop_in_flight();
  // Calls in flight get the grace period to answer; with none, there is nothing to wait for
  // (gRPC would otherwise wait out the deadline for clients that keep their connection open).
  const auto grace =
      state.calls_in_flight.load() > 0 ? options.shutdown_grace : std::chrono::milliseconds(0);
  server->Shutdown(std::chrono::system_clock::now() + grace);
  server.reset();
  remove_socket();
  log::debug("plugin stopped");
  return 0;
}

}  // namespace cppvider::plugin
