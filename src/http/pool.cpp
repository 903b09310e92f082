// libcurl's multi interface on asio: sockets and the multi timer are waited for on the executor's
// io_context, and every libcurl call happens on one strand per pool.
//
// Sockets. The pool keeps its own epoll set of libcurl's sockets (level-triggered) and waits for
// that one descriptor on asio: a wake-up runs one strand handler that drains every ready socket,
// instead of one handler (and one epoll_ctl to re-arm it) per socket and event. libcurl opens
// connection sockets through on_open and closes them through close_socket, so a socket leaves
// the set before its fd number can be reused; an idle keep-alive connection stays in the set
// (no epoll_ctl per request) until it shows activity nobody asked for. Sockets libcurl makes
// itself (the threaded resolver's socketpair) leave the set when libcurl forgets them, and the
// kernel drops them when libcurl closes them first.
//
// Pool limits. CURLMOPT_MAX_TOTAL_CONNECTIONS / MAX_HOST_CONNECTIONS park a transfer in
// libcurl's pending queue until a connection frees up. A transfer has got its slot once libcurl
// starts resolving its host, opens a socket for it, or hands it a connection (prereq callback);
// until then timeouts::pool_wait applies. The pool also enforces the read (idle) timeout from the
// moment the request goes out and the total timeout; libcurl keeps only the connect timeout.
// One pool-wide timer serves all of them, armed lazily: it is moved only when a deadline earlier
// than the armed one appears, and when it fires it checks every transfer in flight. Requests that
// finish long before their deadlines thus cost no timer operation.
//
// Thread hops. A finished transfer resumes its task with asio::defer (a continuation: it runs on
// the same executor thread right after the strand handler, outside the strand), and the next
// request from that task reaches the strand the same way, so a busy pool rarely wakes another
// thread.
#include "pool.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <asio/defer.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <string>
#include <system_error>
#include <utility>

#include "cppvider/runtime/asio.hpp"
#include "cppvider/runtime/executor.hpp"
#include "cppvider/runtime/log.hpp"
#include "cppvider/runtime/time.hpp"
#include "internal.hpp"

namespace cppvider::http::detail {

namespace {

using clock = std::chrono::steady_clock;
constexpr clock::time_point never = clock::time_point::max();
// simdjson reads up to this many bytes past a document; bodies keep them spare (response::json).
constexpr std::size_t json_padding = 64;
// Request bodies at least this big report upload progress, which counts as activity for the
// read timeout.
constexpr std::size_t progress_threshold = 64 * 1024;

void global_init() {
  // Thread-safe in libcurl >= 7.84; done once per process.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) throw std::runtime_error("curl_global_init failed");
}

std::string describe(std::chrono::nanoseconds d) { return runtime::detail::describe_duration(d); }

bool is_tls_error(CURLcode c) noexcept {
  switch (c) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// The version of a status line ("HTTP/1.1" -> "1.1") as static text, which outlives libcurl's
// header buffer; empty when unknown.
std::string_view version_text(std::string_view v) noexcept {
  if (v.size() == 3 && v[0] == '1' && v[1] == '.') {
    return v[2] == '1' ? "1.1" : v[2] == '0' ? "1.0" : std::string_view();
  }
  if (v.size() == 1 || (v.size() == 3 && v[1] == '.' && v[2] == '0')) {
    return v[0] == '2' ? "2" : v[0] == '3' ? "3" : std::string_view();
  }
  return {};
}

bool has_bad_header_char(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string header_line(std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + value.size() + 2);
  line += name;
  // "Name;" is libcurl's spelling of a header with an empty value; "Name:" would remove it.
  if (value.empty()) {
    line += ';';
  } else {
    line += ": ";
    line += value;
  }
  return line;
}

// Builds a curl_slist, freeing it when an append throws.
class slist_builder {
 public:
  void append(const std::string& line) { append(line.c_str()); }
  void append(const char* line) {
    curl_slist* next = curl_slist_append(list_.get(), line);
    if (next == nullptr) throw std::bad_alloc();
    if (!list_) list_.reset(next);  // otherwise appended in place
  }
  slist_ptr release() noexcept { return std::move(list_); }

 private:
  slist_ptr list_;
};

// The content codings this libcurl decodes, in the order it lists them for
// CURLOPT_ACCEPT_ENCODING "" ("deflate, gzip, br, zstd"); empty when it decodes none.
std::string decoded_encodings() {
  const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
  std::string list;
  const auto add = [&](std::string_view name) {
    if (!list.empty()) list += ", ";
    list += name;
  };
  if ((v->features & CURL_VERSION_LIBZ) != 0) {
    add("deflate");
    add("gzip");
  }
  if ((v->features & CURL_VERSION_BROTLI) != 0) add("br");
  if ((v->features & CURL_VERSION_ZSTD) != 0) add("zstd");
  return list;
}

// What libcurl itself would make of `url` (the flags are those it parses CURLOPT_URL with,
// given the options the pool sets); null, and why in `error`, when it does not parse.
CURLU* parse_url(url_ptr& parsed, const std::string& url, CURLUcode& error) {
  if (!parsed) parsed.reset(curl_url());
  if (!parsed) {
    error = CURLUE_OUT_OF_MEMORY;
    return nullptr;
  }
  error = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(),
                       CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME);
  return error == CURLUE_OK ? parsed.get() : nullptr;
}

bool proxy_in_environment() {
  for (const char* name :
       {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read-only use
    if (v != nullptr && *v != '\0') return true;
  }
  return false;
}

}  // namespace

// ---- Per-handle, per-transfer and per-socket state ------------------------------------------

// An easy handle and what its callbacks need, recycled from transfer to transfer. Every callback
// of the handle gets the slot (set once, when the handle is made) and finds the transfer using
// it there, so a new transfer sets only the options that differ from the previous one.
struct pool::easy_slot {
  // The handle's URL, parsed (CURLOPT_CURLU); declared first so that the handle goes first.
  url_ptr parsed;
  CURLUcode url_error = CURLUE_OK;  // why the URL did not parse (libcurl's own message is vaguer)
  easy_ptr easy;
  transfer* t = nullptr;  // the transfer using the handle now
  std::array<char, CURL_ERROR_SIZE> errbuf{};
  // What configure() set last.
  std::string url;
  bool https = false;  // url's scheme
  curl_slist* headers = nullptr;
  long pipewait = -1;
  long noprogress = -1;
  bool plain_get = false;  // the method options are those of a GET without a body

  static transfer& of(void* ud) noexcept { return *static_cast<easy_slot*>(ud)->t; }
};

struct pool::transfer : std::enable_shared_from_this<pool::transfer> {
  transfer(std::shared_ptr<pool> p, const prepared& r, outcome& o, runtime::resumer<void> d)
      : owner(std::move(p)), req(&r), out(&o), done(d) {}

  // Posts the abort to the strand; holds the transfer weakly so it never keeps it alive.
  struct stop_fn {
    std::weak_ptr<transfer> t;
    void operator()() const noexcept {
      if (auto s = t.lock()) {
        asio::post(s->owner->strand_, [s] { s->owner->abort(*s, abort_reason::cancelled); });
      }
    }
  };

  std::shared_ptr<pool> owner;
  const prepared* req;  // valid until `done` is resumed
  outcome* out;         // the task's, written on the strand until `done` is resumed
  runtime::resumer<void> done;
  std::shared_ptr<transfer> self;  // the multi handle's reference while added
  transfer* prev = nullptr;        // the pool's list of added transfers
  transfer* next = nullptr;
  slot_ptr slot;                // the easy handle, while the transfer has one
  clock::time_point submitted;  // when the strand took it
  clock::time_point pool_deadline = never;
  clock::time_point total_deadline = never;
  clock::time_point last_activity = never;
  std::optional<std::uint64_t> content_length;
  curl_off_t progress_seen = 0;
  long redirects_at_send = 0;
  int head_status = 0;            // from the last status line seen
  std::string_view head_version;  // "1.1", "2": static text (below), or empty
  bool in_multi = false;
  bool finished = false;
  bool got_slot = false;
  bool sent = false;
  bool too_large = false;
  bool refused_resend = false;
  abort_reason aborted = abort_reason::none;
  // Last member: destroyed first, so a running stop callback finishes before the rest goes.
  std::optional<std::stop_callback<stop_fn>> on_stop;

  static size_t on_header(char* data, size_t size, size_t n, void* ud);
  static size_t on_body(char* data, size_t size, size_t n, void* ud);
  static curl_socket_t on_open(void* ud, curlsocktype purpose, curl_sockaddr* a);
  static int on_resolve(void* resolver, void* reserved, void* ud);
  static int on_prereq(void* ud, char* remote_ip, char* local_ip, int remote_port, int local_port);
  static int on_progress(void* ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow);
};

size_t pool::transfer::on_header(char* data, size_t size, size_t n, void* ud) {
  auto& t = easy_slot::of(ud);
  const size_t len = size * n;
  t.out->response_started = true;
  const std::string_view line = trim(std::string_view(data, len));
  if (line.starts_with("HTTP/")) {
    // The head arrives in one piece almost always: its first line stands for all of it.
    t.last_activity = t.owner->now_;
    // "HTTP/1.1 200 OK", "HTTP/2 200": the version and status of this head (the last head, after
    // 1xx or a followed redirect, is the response's), read here rather than asked of libcurl.
    const auto sp = line.find(' ');
    t.head_version =
        sp == std::string_view::npos ? std::string_view() : version_text(line.substr(5, sp - 5));
    int status = 0;
    if (sp != std::string_view::npos && line.size() >= sp + 4) {
      std::from_chars(line.data() + sp + 1, line.data() + sp + 4, status);
    }
    t.head_status = status;
    // A new response head (after 1xx or a followed redirect): forget the previous one.
    t.out->headers.clear();
    t.out->headers.reserve(8);  // one allocation for a typical response's fields
    t.content_length.reset();
    return len;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  // The line is trimmed already: the name's end and the value's start are left.
  auto name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (name.size() == 14 && iequals(name, "content-length") && t.req->method != http::method::head) {
    std::uint64_t v = 0;
    const auto r = std::from_chars(value.data(), value.data() + value.size(), v);
    if (r.ec == std::errc()) {
      t.content_length = v;
      if (v > t.owner->options_.max_response_body) {
        t.too_large = true;
        return 0;  // aborts the transfer before the body arrives
      }
    }
  }
  t.out->headers.add(std::string(name), std::string(value));
  return len;
}

size_t pool::transfer::on_body(char* data, size_t size, size_t n, void* ud) {
  auto& t = easy_slot::of(ud);
  const size_t len = size * n;
  t.last_activity = t.owner->now_;
  auto& body = t.out->body;
  const std::size_t limit = t.owner->options_.max_response_body;
  if (len > limit - std::min(limit, body.size())) {
    t.too_large = true;
    return 0;
  }
  if (body.size() + len + json_padding > body.capacity()) {
    std::size_t want = std::max(body.capacity() * 2, body.size() + len + json_padding);
    if (body.empty() && t.content_length) {
      want = std::max(want,
                      static_cast<std::size_t>(std::min<std::uint64_t>(*t.content_length, limit)) +
                          json_padding);
    }
    body.reserve(want);
  }
  body.append(data, len);
  return len;
}

curl_socket_t pool::transfer::on_open(void* ud, curlsocktype /*purpose*/, curl_sockaddr* a) {
  auto& t = easy_slot::of(ud);
  t.got_slot = true;
  const int fd = ::socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  t.owner->adopt_socket(fd);
  return fd;
}

int pool::transfer::on_resolve(void* /*resolver*/, void* /*reserved*/, void* ud) {
  easy_slot::of(ud).got_slot = true;
  return 0;
}

int pool::transfer::on_prereq(void* ud, char* /*remote_ip*/, char* /*local_ip*/, int /*rport*/,
                              int /*lport*/) {
  auto& t = easy_slot::of(ud);
  t.got_slot = true;
  long redirects = 0;
  // Only a request that must not be sent twice needs to tell a resend from a redirect.
  if (!t.req->retry_safe)
    curl_easy_getinfo(t.slot->easy.get(), CURLINFO_REDIRECT_COUNT, &redirects);
  // libcurl silently resends a request whose reused connection died before any response byte.
  // That is right for idempotent requests and wrong for a POST the server may have processed.
  if (t.sent && redirects == t.redirects_at_send && !t.req->retry_safe) {
    t.refused_resend = true;
    return CURL_PREREQFUNC_ABORT;
  }
  t.sent = true;
  t.redirects_at_send = redirects;
  t.last_activity = t.owner->now_;
  t.owner->schedule(t);
  return CURL_PREREQFUNC_OK;
}

int pool::transfer::on_progress(void* ud, curl_off_t /*dltotal*/, curl_off_t dlnow,
                                curl_off_t /*ultotal*/, curl_off_t ulnow) {
  auto& t = easy_slot::of(ud);
  if (dlnow + ulnow != t.progress_seen) {
    t.progress_seen = dlnow + ulnow;
    t.last_activity = t.owner->now_;
  }
  return 0;
}

// ---- Pool ----------------------------------------------------------------------------------

pool::pool(client_options options)
    : options_(std::move(options)),
      no_proxy_at_all_(options_.proxy.empty() && !proxy_in_environment()),
      // libcurl (and through it OpenSSL) first, before the executor's threads may exist:
      // OpenSSL's exit handler must run after the executor has joined them.
      io_((global_init(), runtime::io_context(runtime::default_executor()))),
      strand_(asio::make_strand(io_)),
      curl_timer_(strand_),
      deadline_timer_(strand_),
      epoll_sd_(strand_) {
  global_init();
  const int epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  std::error_code assigned;
  epoll_sd_.assign(epfd, assigned);  // NOLINT(bugprone-unused-return-value): checked below
  if (assigned) {
    ::close(epfd);
    throw std::system_error(assigned, "registering the pool's epoll set");
  }
  multi_.reset(curl_multi_init());
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  CURLM* m = multi_.get();
  curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, &pool::on_socket);
  curl_multi_setopt(m, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, &pool::on_timer);
  curl_multi_setopt(m, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(m, CURLMOPT_PIPELINING, options_.http2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING);
  const auto& l = options_.limits;
  const std::size_t per_host = l.max_connections_per_host == 0
                                   ? l.max_connections
                                   : std::min(l.max_connections_per_host, l.max_connections);
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(l.max_connections));
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(per_host));
  update_max_connects();
  build_shared_headers();
}

pool::~pool() {
  // Only reached with nothing in flight (every transfer holds the pool). libcurl closes the
  // cached connections through close_socket, which needs the maps below: clean up first.
  curl_timer_.cancel();
  deadline_timer_.cancel();
  multi_.reset();
  sockets_.for_each([](curl_socket_t fd, const socket_state& sock) {
    if (sock.own) ::close(fd);
  });
  std::error_code ec;
  epoll_sd_.close(ec);  // NOLINT(bugprone-unused-return-value): nothing to do about it here
}

client_stats pool::stats() const noexcept {
  client_stats s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.attempts = attempts_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.connections_opened = connections_.load(std::memory_order_relaxed);
  s.in_flight = in_flight_.load(std::memory_order_relaxed);
  return s;
}

const prepared::redaction& prepared::redacted() const {
  if (!redacted_) {
    auto r = std::make_unique<redaction>();
    r->url = detail::redact_url(url, &r->secrets);
    redacted_ = std::move(r);
  }
  return *redacted_;
}

void pool::build_shared_headers() {
  const std::string& ua = options_.user_agent;
  // Sent as a header of our own list, the User-Agent would not reach a proxy's CONNECT request
  // (libcurl sends the CURLOPT_USERAGENT there), so it stays an option whenever a proxy may
  // apply; and when it holds characters a header line must not, libcurl sends it as it is.
  ua_header_ = !ua.empty() && !has_bad_header_char(ua) && no_proxy_at_all_;
  if (ua_header_) ua_line_ = "User-Agent: " + ua;
  if (options_.accept_compressed) {
    const std::string codings = decoded_encodings();
    if (!codings.empty()) ae_line_ = "Accept-Encoding: " + codings;
  }
  slist_builder list;
  if (ua_header_ && !options_.headers.contains("user-agent")) list.append(ua_line_);
  if (!ae_line_.empty() && !options_.headers.contains("accept-encoding")) list.append(ae_line_);
  for (const auto& [k, v] : options_.headers) {
    // Checked, with the request's URL in the message, by every request instead.
    if (has_bad_header_char(k) || has_bad_header_char(v)) return;
    list.append(header_line(k, v));
  }
  shared_headers_ = list.release();
  shared_headers_usable_ = true;
}

prepared pool::prepare(request r) const {
  prepared p;
  p.method = r.method;
  p.url = join_url(options_.base_url, std::move(r.url), r.method);
  append_query(p.url, r.query);

  const auto has = [&](std::string_view name) {
    return r.headers.contains(name) || options_.headers.contains(name);
  };
  const bool has_body = !r.body.empty() || r.method == http::method::post ||
                        r.method == http::method::put || r.method == http::method::patch;
  // libcurl would otherwise label every body application/x-www-form-urlencoded, and wait up to
  // a second for "100 Continue" before sending a big one.
  const bool no_content_type = has_body && !has("content-type");
  const bool no_expect = has_body && !has("expect");
  if (r.headers.empty() && !no_content_type && !no_expect && shared_headers_usable_) {
    p.headers = shared_headers_.get();  // the common case: the client's headers only
  } else {
    slist_builder list;
    const auto append = [&](std::string_view name, std::string_view value) {
      if (has_bad_header_char(name) || has_bad_header_char(value)) {
        throw error(error_kind::invalid_request, p.method, p.redacted_url(), 0,
                    "a header name or value contains CR, LF or NUL");
      }
      list.append(header_line(name, value));
    };
    if (ua_header_ && !has("user-agent")) list.append(ua_line_);
    if (!ae_line_.empty() && !has("accept-encoding")) list.append(ae_line_);
    for (const auto& [k, v] : options_.headers) {
      if (!r.headers.contains(k)) append(k, v);
    }
    for (const auto& [k, v] : r.headers) append(k, v);
    if (no_content_type) list.append("Content-Type:");
    if (no_expect) list.append("Expect:");
    p.owned_headers = list.release();
    p.headers = p.owned_headers.get();
  }
  p.body = std::move(r.body);
  p.retry_safe = is_idempotent(r.method) || has("idempotency-key");
  p.max_attempts = std::max(1, r.max_attempts.value_or(options_.retry.max_attempts));
  p.total_timeout = r.timeout.value_or(options_.timeouts.total);
  if (log::enabled(log::level::trace)) {
    for (const headers* h : std::array<const headers*, 2>{&options_.headers, &r.headers}) {
      for (const auto& [k, v] : *h) {
        if (h == &options_.headers && r.headers.contains(k)) continue;
        if (!p.trace_headers.empty()) p.trace_headers += "; ";
        p.trace_headers += k;
        p.trace_headers += ": ";
        p.trace_headers +=
            is_sensitive_header(k) ? std::string_view("REDACTED") : std::string_view(v);
      }
    }
  }
  return p;
}

void pool::start(const prepared& req, outcome& out, runtime::resumer<void> done,
                 const std::stop_token& st) {
  attempts_.fetch_add(1, std::memory_order_relaxed);
  if (st.stop_requested()) {  // never sent
    out.cancelled = true;
    done.set_value();
    return;
  }
  auto t = std::allocate_shared<transfer>(runtime::cached_allocator<transfer>{}, shared_from_this(),
                                          req, out, done);
  // Before the post: a stop requested since the check above runs the callback here, and its
  // abort is then queued on the strand ahead of the add.
  t->on_stop.emplace(st, transfer::stop_fn{t});
  bool post = false;
  {
    const std::lock_guard lock(incoming_mutex_);
    incoming_.push_back(std::move(t));
    post = !std::exchange(incoming_posted_, true);
  }
  if (post) asio::defer(strand_, [self = shared_from_this()] { self->add_incoming(); });
}

void pool::add_incoming() {
  begin_pass();
  // The two lists take turns: the one emptied by the previous pass keeps its capacity and
  // takes the next arrivals, so a busy pool allocates none.
  transfer_list batch = std::move(spare_incoming_);
  {
    const std::lock_guard lock(incoming_mutex_);
    batch.swap(incoming_);
    incoming_posted_ = false;
  }
  for (const auto& t : batch) add(t);
  batch.clear();
  spare_incoming_ = std::move(batch);
  update_max_connects();  // before libcurl hands out connections for the batch
  // One pass of libcurl sends every request of the batch (and resumes what finished).
  socket_action(CURL_SOCKET_TIMEOUT, 0);
}

void pool::add(const std::shared_ptr<transfer>& t) {
  if (t->finished) return;  // stopped before it started; t->req may be gone already
  slot_ptr s;
  if (idle_slots_.empty()) {
    s = new_easy();
  } else {
    s = std::move(idle_slots_.back());
    idle_slots_.pop_back();
  }
  if (!s) {
    complete(*t, CURLE_OUT_OF_MEMORY);
    return;
  }
  t->slot = std::move(s);
  t->submitted = now_;
  configure(*t, *t->slot);
  const auto& to = options_.timeouts;
  if (to.pool_wait.count() > 0) t->pool_deadline = t->submitted + to.pool_wait;
  if (t->req->total_timeout.count() > 0) t->total_deadline = t->submitted + t->req->total_timeout;
  adding_ = true;  // the zero timeout libcurl asks for is served right below
  const CURLMcode rc = curl_multi_add_handle(multi_.get(), t->slot->easy.get());
  adding_ = false;
  if (rc != CURLM_OK) {
    complete(*t, CURLE_FAILED_INIT);
    return;
  }
  t->self = t;
  t->in_multi = true;
  t->next = running_list_;
  if (running_list_ != nullptr) running_list_->prev = t.get();
  running_list_ = t.get();
  ++running_;
  in_flight_.store(running_, std::memory_order_relaxed);
  schedule(*t);
}

pool::slot_ptr pool::new_easy() {
  auto slot = std::make_unique<easy_slot>();
  slot->easy.reset(curl_easy_init());
  if (!slot->easy) return nullptr;
  CURL* e = slot->easy.get();
  const auto& o = options_;
  // The same for every request of this pool: set once per handle, which is then recycled.
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!ua_header_) curl_easy_setopt(e, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                   o.http2 ? long{CURL_HTTP_VERSION_2TLS} : long{CURL_HTTP_VERSION_1_1});
  if (o.timeouts.connect.count() > 0) {
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeouts.connect.count()));
  }
  curl_easy_setopt(e, CURLOPT_MAXAGE_CONN,
                   static_cast<long>(std::max<std::int64_t>(1, o.limits.keepalive_expiry.count())));
  if (o.limits.max_keepalive_connections == 0) curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o.tls.verify ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o.tls.verify ? 2L : 0L);
  if (!o.tls.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, o.tls.ca_file.c_str());
  if (!o.tls.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(o.tls.ca_pem.data()), o.tls.ca_pem.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!o.tls.client_cert_file.empty()) {
    curl_easy_setopt(e, CURLOPT_SSLCERT, o.tls.client_cert_file.c_str());
  }
  if (!o.tls.client_key_file.empty()) {
    curl_easy_setopt(e, CURLOPT_SSLKEY, o.tls.client_key_file.c_str());
  }
  if (o.accept_compressed) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  if (o.follow_redirects) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(o.max_redirects));
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  if (!o.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, o.proxy.c_str());
  if (no_proxy_at_all_) {
    curl_easy_setopt(e, CURLOPT_PROXY, "");    // "" means none: the environment is not read
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");  // nor NO_PROXY, which no proxy needs
  }
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &transfer::on_header);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &transfer::on_body);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &transfer::on_open);
  // The connection outlives the transfer that opened it, so its close callback gets the pool.
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &pool::on_close_socket);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(e, CURLOPT_RESOLVER_START_FUNCTION, &transfer::on_resolve);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &transfer::on_prereq);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &transfer::on_progress);
  // Every callback finds its transfer through the slot.
  easy_slot* data = slot.get();
  curl_easy_setopt(e, CURLOPT_PRIVATE, data);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, slot->errbuf.data());
  curl_easy_setopt(e, CURLOPT_HEADERDATA, data);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, data);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, data);
  curl_easy_setopt(e, CURLOPT_RESOLVER_START_DATA, data);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, data);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, data);
  return slot;
}

void pool::configure(transfer& t, easy_slot& s) {
  // Only what differs from the handle's previous transfer is set (setting an option costs a
  // libcurl call, and some copy their argument).
  const prepared& r = *t.req;
  CURL* e = s.easy.get();
  s.t = &t;
  s.errbuf[0] = '\0';
  // libcurl starts every transfer from the URL last set (a redirect followed before does not
  // stick), so an unchanged one need not be copied again.
  if (s.url != r.url) {
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    // Given only the text, libcurl parses it and formats it back for every transfer (about 11 K
    // instructions, a seventh of a small request); given it parsed as well, it copies the parts.
    // The text stays set too: libcurl follows redirects and resends from it. A URL that does not
    // parse here is left to libcurl, which refuses it; classify() says why (url_error).
    curl_easy_setopt(e, CURLOPT_CURLU, parse_url(s.parsed, r.url, s.url_error));
    s.url = r.url;
    s.https = r.url.size() > 5 && iequals(std::string_view(r.url).substr(0, 6), "https:");
  }
  if (s.headers != r.headers) {
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r.headers);
    s.headers = r.headers;
  }
  // Over TLS, wait for a connection being set up to say whether it multiplexes rather than
  // opening one connection per concurrent request.
  const long pipewait = options_.http2 && s.https ? 1L : 0L;
  if (s.pipewait != pipewait) {
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, pipewait);
    s.pipewait = pipewait;
  }
  const long noprogress =
      r.body.size() >= progress_threshold && options_.timeouts.read.count() > 0 ? 0L : 1L;
  if (s.noprogress != noprogress) {
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, noprogress);
    s.noprogress = noprogress;
  }

  const bool send_body = !r.body.empty() || r.method == http::method::post ||
                         r.method == http::method::put || r.method == http::method::patch;
  // A GET without a body after another one: the method options are what they should be.
  const bool plain_get = r.method == http::method::get && !send_body;
  if (plain_get && s.plain_get) return;
  s.plain_get = plain_get;
  curl_easy_setopt(e, CURLOPT_NOBODY, r.method == http::method::head ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
  if (r.method != http::method::get && r.method != http::method::post &&
      r.method != http::method::head) {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, to_string(r.method).data());  // static, NUL-ended
  } else if (r.method == http::method::get && send_body) {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "GET");
  }
  if (send_body && r.method != http::method::head) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
  } else if (r.method != http::method::head) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  }
}

void pool::abort(transfer& t, abort_reason why) {
  if (t.finished) return;
  begin_pass();
  t.aborted = why;
  complete(t, CURLE_ABORTED_BY_CALLBACK);
  update_max_connects();
  resume_finished();
}

void pool::complete(transfer& t, CURLcode code) {
  if (t.finished) return;
  t.finished = true;
  auto keep = t.shared_from_this();  // t.self may be the last owner
  if (t.in_multi) {
    curl_multi_remove_handle(multi_.get(), t.slot->easy.get());
    t.in_multi = false;
    (t.prev != nullptr ? t.prev->next : running_list_) = t.next;
    if (t.next != nullptr) t.next->prev = t.prev;
    t.prev = t.next = nullptr;
    --running_;
    in_flight_.store(running_, std::memory_order_relaxed);
  }
  classify(t, code);
  if (t.slot) {
    if (t.head_status != 0) {
      t.out->status = t.head_status;
      t.out->http_version = t.head_version;
    } else {
      long status = 0;
      curl_easy_getinfo(t.slot->easy.get(), CURLINFO_RESPONSE_CODE, &status);
      t.out->status = static_cast<int>(status);
    }
    t.slot->t = nullptr;
    idle_slots_.push_back(std::move(t.slot));  // configure() sets what differs
  }
  // A transfer stopped before the strand took it never started: it lasted no time.
  t.out->started_at = t.submitted == clock::time_point{} ? now_ : t.submitted;
  t.out->ended_at = now_;
  t.self.reset();
  // One buffer per pass, big enough for everything in flight to finish in it.
  if (finished_.capacity() == 0) finished_.reserve(running_ + 1);
  finished_.push_back(std::move(keep));
}

void pool::resume_finished() {
  if (finished_.empty()) return;
  // Tasks resume off the strand, so that their code runs in parallel with other transfers and
  // never inside a libcurl call; as a continuation of this handler, on this thread. All that
  // finished in one pass resume in one handler: their next requests then reach libcurl
  // together (add_incoming), as a hand-written multi loop would send them.
  asio::defer(io_, [done = std::move(finished_)] {
    for (const auto& t : done) t->done.set_value();
  });
  finished_.clear();
}

void pool::classify(transfer& t, CURLcode code) const {
  auto& o = *t.out;
  o.sent = t.sent;
  const auto fail = [&](error_kind k, std::string what) {
    o.failure = k;
    scrub(what, t.req->secrets());  // the task has not resumed yet: req is alive
    o.detail = std::move(what);
  };
  switch (t.aborted) {
    case abort_reason::cancelled:
      o.cancelled = true;
      return;
    case abort_reason::pool_timeout:
      fail(error_kind::pool_timeout,
           "no connection slot became free within " + describe(options_.timeouts.pool_wait) +
               " (limits: " + std::to_string(options_.limits.max_connections) + " connections, " +
               std::to_string(options_.limits.max_connections_per_host) + " per host)");
      return;
    case abort_reason::read_timeout:
      fail(error_kind::read_timeout,
           "no data from the server for " + describe(options_.timeouts.read) +
               (o.response_started ? " while reading the response (" +
                                         std::to_string(o.body.size()) + " body bytes so far)"
                                   : " after the request was sent"));
      return;
    case abort_reason::total:
      fail(error_kind::timeout, "no complete response within " + describe(t.req->total_timeout));
      return;
    case abort_reason::none:
      break;
  }
  if (code == CURLE_OK) return;
  std::string msg = t.slot && t.slot->errbuf[0] != '\0' ? std::string(t.slot->errbuf.data())
                                                        : curl_easy_strerror(code);
  // libcurl reports a URL it cannot parse as "URL using bad/illegal format"; the pool's own
  // parse of it knows which part is wrong.
  if (code == CURLE_URL_MALFORMAT && t.slot && t.slot->url_error != CURLUE_OK) {
    msg = std::string("malformed URL: ") + curl_url_strerror(t.slot->url_error);
  }
  if (t.too_large) {
    fail(error_kind::body_too_large,
         "response body exceeds max_response_body (" + std::to_string(options_.max_response_body) +
             " bytes)" +
             (t.content_length ? "; Content-Length is " + std::to_string(*t.content_length) : ""));
    return;
  }
  if (t.refused_resend) {
    fail(error_kind::reset, "the connection closed before a response; a " +
                                std::string(to_string(t.req->method)) +
                                " without Idempotency-Key is not sent a second time");
    return;
  }
  if (is_tls_error(code)) {
    fail(error_kind::tls, "TLS: " + msg);
    return;
  }
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      fail(error_kind::connect, msg);
      return;
    case CURLE_OPERATION_TIMEDOUT:
      // libcurl only times the connect (the other timeouts are ours).
      fail(t.sent ? error_kind::timeout : error_kind::connect_timeout,
           t.sent ? msg : "connect timed out after " + describe(options_.timeouts.connect));
      return;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      fail(error_kind::reset,
           o.response_started
               ? "connection lost after " + std::to_string(o.body.size()) + " body bytes" +
                     (t.content_length ? " of " + std::to_string(*t.content_length) : "") + ": " +
                     msg
               : "connection lost before any response: " + msg);
      return;
    case CURLE_PARTIAL_FILE:
      fail(error_kind::bad_response,
           "response body truncated: got " + std::to_string(o.body.size()) + " bytes" +
               (t.content_length ? " of " + std::to_string(*t.content_length) : "") + " (" + msg +
               ")");
      return;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:  // a reply without a status line ("HTTP/0.9")
    case CURLE_BAD_CONTENT_ENCODING:
      fail(error_kind::bad_response, "malformed response: " + msg);
      return;
    case CURLE_URL_MALFORMAT:
      fail(error_kind::invalid_request, msg);
      return;
    default:
      fail(error_kind::protocol, msg);
  }
}

clock::time_point pool::next_deadline(const transfer& t) const {
  auto next = t.total_deadline;
  if (!t.got_slot) {
    next = std::min(next, t.pool_deadline);
  } else if (t.sent && options_.timeouts.read.count() > 0) {
    next = std::min(next, t.last_activity + options_.timeouts.read);
  }
  return next;
}

void pool::schedule(const transfer& t) {
  const auto next = next_deadline(t);
  if (next >= deadline_armed_) return;  // the armed wake-up comes first and re-evaluates
  deadline_armed_ = next;
  deadline_timer_.expires_at(next);
  deadline_timer_.async_wait([w = weak_from_this()](const std::error_code& ec) {
    if (ec) return;
    if (auto p = w.lock()) p->on_deadline();
  });
}

void pool::on_deadline() {
  deadline_armed_ = never;
  begin_pass();
  const auto now = now_;
  const auto read = options_.timeouts.read;
  std::vector<std::pair<std::shared_ptr<transfer>, abort_reason>> expired;
  for (transfer* t = running_list_; t != nullptr; t = t->next) {
    if (!t->got_slot && now >= t->pool_deadline) {
      expired.emplace_back(t->shared_from_this(), abort_reason::pool_timeout);
    } else if (t->sent && read.count() > 0 && now >= t->last_activity + read) {
      expired.emplace_back(t->shared_from_this(), abort_reason::read_timeout);
    } else if (now >= t->total_deadline) {
      expired.emplace_back(t->shared_from_this(), abort_reason::total);
    }
  }
  for (auto& [t, why] : expired) abort(*t, why);
  for (transfer* t = running_list_; t != nullptr; t = t->next) schedule(*t);
}

void pool::socket_action(curl_socket_t s, int events) {
  begin_pass();
  int running = 0;
  curl_multi_socket_action(multi_.get(), s, events, &running);
  collect_done();
}

void pool::collect_done() {
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi_.get(), &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    const CURLcode code = m->data.result;
    char* priv = nullptr;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
    auto* slot = reinterpret_cast<easy_slot*>(priv);
    if (slot != nullptr && slot->t != nullptr) complete(*slot->t, code);
  }
  update_max_connects();
  resume_finished();
}

void pool::update_max_connects() {
  // libcurl's cache limit counts busy connections too; allowing the busy ones plus the idle
  // allowance closes only surplus idle connections instead of churning busy pools.
  const auto& l = options_.limits;
  // Once per strand handler (after its adds, after its completions), and only when changed:
  // libcurl applies the limit when a finished transfer hands its connection back.
  const auto n = static_cast<long>(std::max<std::size_t>(
      std::min(running_, l.max_connections) + l.max_keepalive_connections, 1));
  if (n == max_connects_set_) return;
  max_connects_set_ = n;
  curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, n);
}

int pool::on_timer(CURLM* /*m*/, long timeout_ms, void* userp) {
  static_cast<pool*>(userp)->set_curl_timer(timeout_ms);
  return 0;
}

void pool::set_curl_timer(long ms) {
  if (ms < 0) {
    curl_deadline_ = never;  // an armed wake-up may still come; it finds nothing due
    return;
  }
  if (ms == 0) {
    // "Now": a post is cheaper than a timer, and libcurl must not be re-entered from here.
    curl_deadline_ = never;
    if (zero_timer_posted_ || adding_) return;
    zero_timer_posted_ = true;
    asio::post(strand_, [w = weak_from_this()] {
      if (auto p = w.lock()) {
        p->zero_timer_posted_ = false;
        p->socket_action(CURL_SOCKET_TIMEOUT, 0);
      }
    });
    return;
  }
  // libcurl moves its deadline on every transfer (it sets and clears a connect timeout each
  // time). Only an earlier deadline moves the asio timer; a wake-up that comes too early is
  // re-armed for the current one without calling libcurl.
  curl_deadline_ = now_ + std::chrono::milliseconds(ms);
  if (curl_deadline_ < curl_armed_) arm_curl_timer();
}

void pool::arm_curl_timer() {
  curl_armed_ = curl_deadline_;
  curl_timer_.expires_at(curl_armed_);
  curl_timer_.async_wait([w = weak_from_this()](const std::error_code& e) {
    if (e) return;
    if (auto p = w.lock()) p->on_curl_timer();
  });
}

void pool::on_curl_timer() {
  curl_armed_ = never;
  if (curl_deadline_ == never) return;
  if (clock::now() < curl_deadline_) {
    arm_curl_timer();
    return;
  }
  curl_deadline_ = never;
  socket_action(CURL_SOCKET_TIMEOUT, 0);
}

// ---- Sockets -------------------------------------------------------------------------------

int pool::on_socket(CURL* /*e*/, curl_socket_t s, int what, void* userp, void* /*socketp*/) {
  auto* p = static_cast<pool*>(userp);
  if (what == CURL_POLL_REMOVE) {
    p->unwatch_socket(s);
  } else {
    p->watch_socket(s, what);
  }
  return 0;
}

int pool::on_close_socket(void* userp, curl_socket_t fd) {
  static_cast<pool*>(userp)->close_socket(fd);
  return 0;
}

void pool::adopt_socket(curl_socket_t fd) {
  // An entry under this number is stale: a socket libcurl closed itself, which the kernel has
  // already dropped from the set.
  sockets_.erase(fd);
  sockets_[fd].own = true;
  connections_.fetch_add(1, std::memory_order_relaxed);
}

void pool::close_socket(curl_socket_t fd) {
  if (const socket_state* sock = sockets_.find(fd)) {
    if (sock->registered != 0) ::epoll_ctl(epfd(), EPOLL_CTL_DEL, fd, nullptr);
    sockets_.erase(fd);
  }
  ::close(fd);
}

void pool::watch_socket(curl_socket_t s, int what) {
  if (s < 0) return;  // never from libcurl; keeps the table's index valid
  auto& sock = sockets_[s];
  sock.wanted = true;
  const std::uint32_t events =
      ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0U) | ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0U);
  // Our own sockets are tracked exactly, so an unchanged interest costs nothing; a socket
  // libcurl may have closed behind our back is always (re)registered.
  if (sock.own && sock.registered == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = s;
  int rc = ::epoll_ctl(epfd(), sock.registered != 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, s, &ev);
  if (rc != 0 && errno == ENOENT) rc = ::epoll_ctl(epfd(), EPOLL_CTL_ADD, s, &ev);
  if (rc != 0 && errno == EEXIST) rc = ::epoll_ctl(epfd(), EPOLL_CTL_MOD, s, &ev);
  sock.registered = rc == 0 ? events : 0U;  // unwatchable: libcurl's timeouts end the transfer
  arm_epoll();
}

void pool::unwatch_socket(curl_socket_t s) {
  socket_state* sock = sockets_.find(s);
  if (sock == nullptr) return;
  sock->wanted = false;
  if (sock->own) return;  // an idle connection stays registered (see the top of the file)
  if (sock->registered != 0) ::epoll_ctl(epfd(), EPOLL_CTL_DEL, s, nullptr);
  sockets_.erase(s);
}

int pool::epfd() noexcept { return epoll_sd_.native_handle(); }

void pool::arm_epoll() {
  if (epoll_waiting_) return;
  epoll_waiting_ = true;
  epoll_sd_.async_wait(asio::posix::stream_descriptor::wait_read,
                       [w = weak_from_this()](const std::error_code& ec) {
                         if (auto p = w.lock()) p->on_epoll(ec);
                       });
}

void pool::on_epoll(const std::error_code& ec) {
  epoll_waiting_ = false;
  // Aborted: the pool is going away. Any other error would repeat at once; the transfers then
  // end through their timeouts instead of spinning here.
  if (ec) return;
  begin_pass();
  std::array<epoll_event, 64> ready{};
  const int n = ::epoll_wait(epfd(), ready.data(), static_cast<int>(ready.size()), 0);
  for (int i = 0; i < n; ++i) {
    const int fd = ready[static_cast<std::size_t>(i)].data.fd;
    const std::uint32_t e = ready[static_cast<std::size_t>(i)].events;
    socket_state* sock = sockets_.find(fd);
    if (sock == nullptr) continue;  // closed while handling an earlier one
    if (!sock->wanted) {
      // An idle connection woke up (the server closed it, most likely). Level-triggered, it
      // would wake us again and again: unregister it; libcurl notices when it next looks.
      ::epoll_ctl(epfd(), EPOLL_CTL_DEL, fd, nullptr);
      sock->registered = 0;
      continue;
    }
    int events = 0;
    if ((e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) != 0) events |= CURL_CSELECT_IN;
    if ((e & EPOLLOUT) != 0) events |= CURL_CSELECT_OUT;
    if ((e & EPOLLERR) != 0) events |= CURL_CSELECT_ERR;
    int running = 0;
    curl_multi_socket_action(multi_.get(), fd, events, &running);
  }
  collect_done();
  // A full batch leaves more ready sockets behind; the set stays readable and wakes us again.
  if (!sockets_.empty()) arm_epoll();
}

}  // namespace cppvider::http::detail
