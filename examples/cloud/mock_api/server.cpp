#include "server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <asio.hpp>
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "http.hpp"

namespace cloud_mock {
namespace {

using asio::ip::tcp;
using json = nlohmann::json;
using std::chrono::milliseconds;

enum class fault : std::uint8_t { none, error_5xx, rate_429, reset, truncate, hang };
constexpr std::array<std::string_view, 6> fault_names{"none",  "error_5xx", "rate_429",
                                                      "reset", "truncate",  "hang"};

constexpr std::uint64_t max_delay_ms = 600'000;
constexpr auto linger_timeout = std::chrono::seconds{2};

struct fault_config {
  std::uint64_t latency_ms = 0;
  std::uint64_t jitter_ms = 0;
  double error_5xx_rate = 0;
  double rate_429 = 0;
  double reset_rate = 0;
  double truncate_rate = 0;
  double hang_rate = 0;
  std::uint64_t retry_after_s = 1;
  std::uint64_t retry_after_ms = 0;  // 0: retry_after_s decides
  std::uint64_t seed = 0;
  bool fault_after_apply = false;

  [[nodiscard]] double total_rate() const {
    return error_5xx_rate + rate_429 + reset_rate + truncate_rate + hang_rate;
  }
  [[nodiscard]] json to_json() const {
    return json{{"latency_ms", latency_ms},
                {"jitter_ms", jitter_ms},
                {"error_5xx_rate", error_5xx_rate},
                {"rate_429", rate_429},
                {"reset_rate", reset_rate},
                {"truncate_rate", truncate_rate},
                {"hang_rate", hang_rate},
                {"retry_after_s", retry_after_s},
                {"retry_after_ms", retry_after_ms},
                {"seed", seed},
                {"fault_after_apply", fault_after_apply}};
  }
};

// What happens to one /v1 request, decided before anything else so a fault can never have
// changed state (unless fault_after_apply asks for exactly that).
struct decision {
  fault kind = fault::none;
  int status = 0;  // 500 or 503 for error_5xx
  bool after_apply = false;
  milliseconds delay{0};
  std::uint64_t retry_after_ms = 0;
};

void bump_peak(std::atomic<std::int64_t>& peak, std::int64_t value) {
  auto seen = peak.load(std::memory_order_relaxed);
  while (value > seen && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

struct counters {
  using count = std::atomic<std::uint64_t>;
  std::array<count, route_count> routes{};
  std::array<count, 600> statuses{};
  std::array<count, fault_names.size()> faults{};
  count requests{0};
  count api_requests{0};
  count admin_requests{0};
  count bad_requests{0};
  count idempotent_replays{0};
  count accepted{0};
  std::atomic<std::int64_t> open{0};
  std::atomic<std::int64_t> peak_open{0};
  std::atomic<std::int64_t> in_flight{0};
  std::atomic<std::int64_t> peak_in_flight{0};

  static void inc(count& c) { c.fetch_add(1, std::memory_order_relaxed); }

  // Zeroes everything; peaks restart from what is open or in flight right now.
  void reset() {
    for (auto& c : routes) c = 0;
    for (auto& c : statuses) c = 0;
    for (auto& c : faults) c = 0;
    for (auto* c : {&requests, &api_requests, &admin_requests, &bad_requests, &idempotent_replays,
                    &accepted}) {
      *c = 0;
    }
    peak_open = open.load();
    peak_in_flight = in_flight.load();
  }

  [[nodiscard]] json to_json() const {
    json route_counts = json::object();
    for (std::size_t i = 0; i < routes.size(); ++i) {
      route_counts[std::string{route_name(static_cast<route>(i))}] = routes[i].load();
    }
    json status_counts = json::object();
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      if (const auto n = statuses[i].load(); n != 0) status_counts[std::to_string(i)] = n;
    }
    json fault_counts = json::object();
    std::uint64_t fault_total = 0;
    for (std::size_t i = 1; i < faults.size(); ++i) {
      fault_counts[std::string{fault_names[i]}] = faults[i].load();
      fault_total += faults[i].load();
    }
    fault_counts["total"] = fault_total;
    return json{
        {"routes", std::move(route_counts)},
        {"requests",
         {{"total", requests.load()},
          {"api", api_requests.load()},
          {"admin", admin_requests.load()},
          {"bad", bad_requests.load()}}},
        {"status", std::move(status_counts)},
        {"faults", std::move(fault_counts)},
        {"idempotent_replays", idempotent_replays.load()},
        {"connections",
         {{"open", open.load()}, {"peak", peak_open.load()}, {"accepted", accepted.load()}}},
        {"in_flight", in_flight.load()},
        {"peak_in_flight", peak_in_flight.load()},
    };
  }
};

// Counts one /v1 request as in flight for as long as it lives.
class in_flight_token {
 public:
  explicit in_flight_token(counters& c) : c_{c} { bump_peak(c_.peak_in_flight, ++c_.in_flight); }
  ~in_flight_token() { --c_.in_flight; }
  in_flight_token(const in_flight_token&) = delete;
  in_flight_token& operator=(const in_flight_token&) = delete;

 private:
  counters& c_;
};

}  // namespace

namespace detail {

struct server_core {
  explicit server_core(server_options o)
      : opts{std::move(o)}, ioc{static_cast<int>(std::max(1u, opts.threads))} {
    startup_config.latency_ms = opts.latency_ms;
    config = startup_config;
    rng.seed(config.seed);
  }

  void start();
  void accept();
  void request_stop() { ioc.stop(); }
  void wait();
  decision decide();
  json config_json() {
    const std::lock_guard lock{config_mu};
    return config.to_json();
  }
  reply set_config(std::string_view body);

  // Declared before the io_context: sessions destroyed with it still count connections.
  server_options opts;
  store state;
  counters stats;
  std::mutex config_mu;
  fault_config startup_config;
  fault_config config;  // guarded by config_mu
  std::mt19937_64 rng;  // guarded by config_mu
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};
  std::optional<asio::signal_set> signals;
  std::mutex threads_mu;
  std::vector<std::thread> threads;
  std::uint16_t bound_port = 0;
  std::string bound_address;
};

}  // namespace detail

namespace {

using detail::server_core;

// One connection. All its handlers run on its strand, so a session needs no locks of its own.
class session : public std::enable_shared_from_this<session> {
 public:
  session(server_core& core, tcp::socket sock)
      : core_{core}, sock_{std::move(sock)}, timer_{sock_.get_executor()} {
    counters::inc(core_.stats.accepted);
    bump_peak(core_.stats.peak_open, ++core_.stats.open);
  }
  ~session() { --core_.stats.open; }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void start() {
    std::error_code ec;
    sock_.set_option(tcp::no_delay{true}, ec);  // small responses must not wait for Nagle
    read();
  }

 private:
  void read() {
    sock_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](std::error_code ec, std::size_t n) {
                            if (ec) return;  // peer gone or server stopping
                            self->in_.append(self->chunk_.data(), n);
                            self->process();
                          });
  }

  // Dispatches the next buffered request, or reads more of it.
  void process() {
    switch (parser_.parse(in_)) {
      case http::parse_status::incomplete:
        if (parser_.awaiting_body() && parser_.head().expect_continue && !continue_sent_) {
          continue_sent_ = true;
          static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
          asio::async_write(sock_, asio::buffer(go_on),
                            [self = shared_from_this()](std::error_code ec, std::size_t) {
                              if (!ec) self->read();
                            });
        } else {
          read();
        }
        return;
      case http::parse_status::error:
        counters::inc(core_.stats.requests);
        counters::inc(core_.stats.bad_requests);
        keep_alive_ = false;  // framing is lost: answer, then close
        respond(error_reply(parser_.error_status(), parser_.error_message()));
        return;
      case http::parse_status::complete:
        req_ = parser_.take();
        in_.erase(0, parser_.consumed());
        parser_.reset();
        continue_sent_ = false;
        keep_alive_ = req_.keep_alive;
        dispatch();
        return;
    }
  }

  void dispatch() {
    auto& stats = core_.stats;
    match_ = match_route(req_.method, req_.path());
    counters::inc(stats.requests);
    counters::inc(stats.routes[static_cast<std::size_t>(match_.which)]);
    if (is_admin(match_.which)) {
      counters::inc(stats.admin_requests);
      admin();
      return;
    }
    if (!is_api(match_.which)) {
      reply r;
      if (match_.which == route::method_not_allowed) {
        r = error_reply(405, "method " + req_.method + " not allowed here");
        r.headers = "Allow: " + std::string{match_.allow} + "\r\n";
      } else {
        r = error_reply(404, "no route for " + req_.method + " " + std::string{req_.path()});
      }
      respond(std::move(r));
      return;
    }
    counters::inc(stats.api_requests);
    in_flight_.emplace(stats);
    const auto d = core_.decide();
    if (d.delay.count() > 0) {
      timer_.expires_after(d.delay);
      timer_.async_wait([self = shared_from_this(), d](std::error_code ec) {
        if (!ec) self->execute(d);
      });
    } else {
      execute(d);
    }
  }

  // Handles the request against the store.
  reply apply() {
    auto r = core_.state.handle(match_, req_);
    if (r.replayed) counters::inc(core_.stats.idempotent_replays);
    return r;
  }

  void execute(const decision& d) {
    if (d.kind == fault::none) {
      respond(apply());
      return;
    }
    counters::inc(core_.stats.faults[static_cast<std::size_t>(d.kind)]);
    if (d.after_apply) (void)apply();  // the state changes, but the client never hears of it
    switch (d.kind) {
      case fault::none:
        break;
      case fault::error_5xx:
        respond(error_reply(d.status, d.status == 503 ? "injected fault: service unavailable"
                                                      : "injected fault: internal error"));
        return;
      case fault::rate_429: {
        auto r = error_reply(429, "injected fault: rate limited");
        const auto seconds = (d.retry_after_ms + 999) / 1000;  // round up: never retry early
        r.headers = "Retry-After: " + std::to_string(seconds) +
                    "\r\nRetry-After-Ms: " + std::to_string(d.retry_after_ms) + "\r\n";
        respond(std::move(r));
        return;
      }
      case fault::reset:
        reset_connection();
        return;
      case fault::truncate:
        truncate();
        return;
      case fault::hang:
        hang();
        return;
    }
  }

  void admin() {
    switch (match_.which) {
      case route::admin_counters:
        respond_admin(json_reply(200, core_.stats.to_json()));
        return;
      case route::admin_config_get:
        respond_admin(json_reply(200, core_.config_json()));
        return;
      case route::admin_config_set:
        respond_admin(core_.set_config(req_.body));
        return;
      case route::admin_reset:
        core_.state.clear();
        core_.stats.reset();
        respond_admin(json_reply(200, json{{"status", "reset"}}));
        return;
      case route::admin_state:
        respond_admin(json_reply(200, core_.state.dump()));
        return;
      case route::admin_shutdown:
        stop_after_write_ = true;
        keep_alive_ = false;
        respond_admin(json_reply(200, json{{"status", "shutting down"}}));
        return;
      default:
        respond_admin(error_reply(404, "no such admin endpoint"));
        return;
    }
  }

  // Admin answers stay out of the status counts, which describe what API clients saw.
  void respond_admin(reply r) { send_reply(std::move(r)); }

  void respond(reply r) {
    counters::inc(core_.stats.statuses[static_cast<std::size_t>(std::clamp(r.status, 0, 599))]);
    send_reply(std::move(r));
  }

  void send_reply(reply r) {
    out_ = http::serialize_response(r.status, r.body, keep_alive_, r.headers);
    asio::async_write(sock_, asio::buffer(out_),
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                        self->in_flight_.reset();
                        if (ec) return;
                        if (self->stop_after_write_) self->core_.request_stop();
                        if (!self->keep_alive_) {
                          self->linger_close();
                          return;
                        }
                        self->process();  // a pipelined request may already be buffered
                      });
  }

  // Sends FIN, then discards input until the peer closes (or a timeout), so the peer reads the
  // whole answer instead of a reset caused by unread request bytes.
  void linger_close() {
    std::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_send, ec);
    timer_.expires_after(linger_timeout);
    timer_.async_wait([self = shared_from_this()](std::error_code e) {
      if (!e) self->sock_.close(e);
    });
    drain();
  }

  void drain() {
    sock_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](std::error_code ec, std::size_t) {
                            if (ec) {
                              self->timer_.cancel();
                              return;
                            }
                            self->drain();
                          });
  }

  // SO_LINGER 0 turns close() into a RST: the client sees "connection reset by peer".
  void reset_connection() {
    std::error_code ec;
    sock_.set_option(asio::socket_base::linger{true, 0}, ec);
    sock_.close(ec);
    in_flight_.reset();
  }

  // Announces more body than it sends, then closes cleanly.
  void truncate() {
    static constexpr std::string_view partial = R"({"error":"injected fault: truncated respo)";
    out_ = http::serialize_head(200, partial.size() + 512, true);
    out_ += partial;
    asio::async_write(sock_, asio::buffer(out_),
                      [self = shared_from_this()](std::error_code ec, std::size_t) {
                        self->in_flight_.reset();
                        if (!ec) self->linger_close();
                      });
  }

  // Never answers; the request stays in flight until the client gives up and closes.
  void hang() {
    sock_.async_read_some(asio::buffer(chunk_),
                          [self = shared_from_this()](std::error_code ec, std::size_t) {
                            if (!ec) self->hang();
                          });
  }

  server_core& core_;
  tcp::socket sock_;
  asio::steady_timer timer_;
  std::array<char, 8192> chunk_{};
  std::string in_;
  std::string out_;
  http::request_parser parser_;
  http::request req_;
  route_match match_;
  std::optional<in_flight_token> in_flight_;
  bool keep_alive_ = true;
  bool continue_sent_ = false;
  bool stop_after_write_ = false;
};

// A non-negative integer option, at most `max`.
bool read_uint(const json& v, std::uint64_t max, std::uint64_t& out) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max) return false;
  out = v.get<std::uint64_t>();
  return true;
}

}  // namespace

namespace detail {

void server_core::start() {
  // Numeric addresses resolve without a lookup; names such as "localhost" take the first match.
  tcp::resolver resolver{ioc};
  const tcp::endpoint endpoint =
      resolver.resolve(opts.host, std::to_string(opts.port), tcp::resolver::passive)
          .begin()
          ->endpoint();
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address{true});
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  const auto local = acceptor.local_endpoint();
  bound_port = local.port();
  const auto ip = local.address().to_string();
  bound_address =
      (local.address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(bound_port);
  if (opts.handle_signals) {
    signals.emplace(ioc, SIGINT, SIGTERM);
    signals->async_wait([this](std::error_code ec, int) {
      if (!ec) request_stop();
    });
  }
  accept();
  const std::lock_guard lock{threads_mu};
  for (unsigned i = 0; i < std::max(1u, opts.threads); ++i) {
    threads.emplace_back([this] {
      // A handler that throws (say, bad_alloc) costs one request, not the server.
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cloud-mock-api: handler failed: %s\n", e.what());
        }
      }
    });
  }
}

void server_core::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](std::error_code ec, tcp::socket sock) {
    if (!acceptor.is_open() || ec == asio::error::operation_aborted) return;
    if (!ec) {
      std::make_shared<session>(*this, std::move(sock))->start();
      accept();
      return;
    }
    // Out of descriptors or similar: back off instead of spinning.
    accept_retry.expires_after(milliseconds{50});
    accept_retry.async_wait([this](std::error_code e) {
      if (!e) accept();
    });
  });
}

void server_core::wait() {
  const std::lock_guard lock{threads_mu};
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  threads.clear();
  std::error_code ec;
  acceptor.close(ec);
}

decision server_core::decide() {
  const std::lock_guard lock{config_mu};
  decision d;
  auto delay = config.latency_ms;
  if (config.jitter_ms > 0) {
    delay += std::uniform_int_distribution<std::uint64_t>{0, config.jitter_ms}(rng);
  }
  d.delay = milliseconds{delay};
  if (config.total_rate() <= 0) return d;
  const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
  double edge = 0;
  for (const auto& [rate, kind] :
       {std::pair{config.error_5xx_rate, fault::error_5xx},
        std::pair{config.rate_429, fault::rate_429}, std::pair{config.reset_rate, fault::reset},
        std::pair{config.truncate_rate, fault::truncate},
        std::pair{config.hang_rate, fault::hang}}) {
    edge += rate;
    if (u < edge) {
      d.kind = kind;
      break;
    }
  }
  if (d.kind == fault::error_5xx) d.status = (rng() & 1) != 0 ? 503 : 500;
  d.after_apply =
      config.fault_after_apply && (d.kind == fault::error_5xx || d.kind == fault::reset);
  d.retry_after_ms =
      config.retry_after_ms > 0 ? config.retry_after_ms : config.retry_after_s * 1000;
  return d;
}

reply server_core::set_config(std::string_view body) {
  json j;
  std::string error;
  if (!parse_object(body, j, error, /*empty_is_object=*/true)) return error_reply(400, error);
  const std::lock_guard lock{config_mu};
  fault_config next = config;
  if (const auto it = j.find("reset"); it != j.end()) {
    if (!it->is_boolean()) return error_reply(400, "option 'reset' must be a boolean");
    if (it->get<bool>()) next = startup_config;
  }
  bool reseed = false;
  for (const auto& [key, value] : j.items()) {
    if (key == "reset") continue;
    if (key == "latency_ms" || key == "jitter_ms" || key == "retry_after_ms") {
      auto& field = key == "latency_ms"  ? next.latency_ms
                    : key == "jitter_ms" ? next.jitter_ms
                                         : next.retry_after_ms;
      if (!read_uint(value, max_delay_ms, field)) {
        return error_reply(400, "option '" + key + "' must be an integer from 0 to 600000");
      }
    } else if (key == "retry_after_s") {
      if (!read_uint(value, max_delay_ms / 1000, next.retry_after_s)) {
        return error_reply(400, "option 'retry_after_s' must be an integer from 0 to 600");
      }
    } else if (key == "seed") {
      if (!read_uint(value, UINT64_MAX, next.seed)) {
        return error_reply(400, "option 'seed' must be a non-negative integer");
      }
      reseed = true;
    } else if (key == "fault_after_apply") {
      if (!value.is_boolean())
        return error_reply(400, "option 'fault_after_apply' must be a boolean");
      next.fault_after_apply = value.get<bool>();
    } else if (key == "error_5xx_rate" || key == "rate_429" || key == "reset_rate" ||
               key == "truncate_rate" || key == "hang_rate") {
      if (!value.is_number() || !(value.get<double>() >= 0.0 && value.get<double>() <= 1.0)) {
        return error_reply(400, "option '" + key + "' must be a number from 0 to 1");
      }
      auto& field = key == "error_5xx_rate"  ? next.error_5xx_rate
                    : key == "rate_429"      ? next.rate_429
                    : key == "reset_rate"    ? next.reset_rate
                    : key == "truncate_rate" ? next.truncate_rate
                                             : next.hang_rate;
      field = value.get<double>();
    } else {
      return error_reply(400, "unknown option '" + key + "'");
    }
  }
  if (next.total_rate() > 1.0 + 1e-9) return error_reply(400, "fault rates add up to more than 1");
  config = next;
  if (reseed) rng.seed(config.seed);
  return json_reply(200, config.to_json());
}

}  // namespace detail

server::server(server_options options)
    : core_{std::make_unique<detail::server_core>(std::move(options))} {}

server::~server() { stop(); }

void server::start() { core_->start(); }

std::uint16_t server::port() const { return core_->bound_port; }

std::string server::address() const { return core_->bound_address; }

void server::request_stop() { core_->request_stop(); }

void server::wait() { core_->wait(); }

}  // namespace cloud_mock
