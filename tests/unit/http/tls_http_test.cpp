// TLS verification options and HTTP/2 (ALPN h2, multiplexing) against a small TLS server on
// loopback: a self-signed certificate made here, and either HTTP/1.1 or just enough HTTP/2
// (settings, HEADERS in, HEADERS + DATA out) to answer GETs.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cppvider/http/client.hpp"
#include "cppvider/runtime/gather.hpp"
#include "cppvider/runtime/task.hpp"

namespace rt = cppvider::runtime;
namespace http = cppvider::http;

namespace {

template <class T, void (*Free)(T*)>
struct ossl_deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, ossl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, ossl_deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, ossl_deleter<BIO, BIO_free_all>>;
using ctx_ptr = std::unique_ptr<SSL_CTX, ossl_deleter<SSL_CTX, SSL_CTX_free>>;
using ssl_ptr = std::unique_ptr<SSL, ossl_deleter<SSL, SSL_free>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

void add_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A self-signed P-256 certificate for 127.0.0.1 and localhost.
struct identity {
  pkey_ptr key;
  x509_ptr cert;
  std::string cert_pem;
};

identity make_identity() {
  identity id;
  id.key.reset(EVP_EC_gen("P-256"));
  check(id.key != nullptr, "key");
  id.cert.reset(X509_new());
  X509* c = id.cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 86400);
  X509_set_pubkey(c, id.key.get());
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("cppvider test"), -1, -1, 0);
  X509_set_issuer_name(c, name);
  add_ext(c, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(c, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  check(X509_sign(c, id.key.get(), EVP_sha256()) > 0, "sign");
  bio_ptr out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), c);
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  id.cert_pem.assign(data, static_cast<std::size_t>(len));
  return id;
}

const identity& test_identity() {
  static const identity id = make_identity();
  return id;
}

// ---- Server ----------------------------------------------------------------------------------

class tls_server {
 public:
  explicit tls_server(bool offer_h2) : h2_(offer_h2) {
    // OpenSSL writes with write(2): a client that hung up (one that rejected our certificate)
    // would kill the test with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    check(ctx_ != nullptr, "ctx");
    check(SSL_CTX_use_certificate(ctx_.get(), test_identity().cert.get()) == 1, "cert");
    check(SSL_CTX_use_PrivateKey(ctx_.get(), test_identity().key.get()) == 1, "key");
    SSL_CTX_set_alpn_select_cb(ctx_.get(), &tls_server::select_alpn, this);
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd_, 64) == 0,
          "listen");
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~tls_server() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mu_);
      for (const int c : conns_) ::shutdown(c, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(fd_);
  }
  tls_server(const tls_server&) = delete;
  tls_server& operator=(const tls_server&) = delete;

  [[nodiscard]] std::string url(const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(port_) + "/hello";
  }
  [[nodiscard]] int handshakes() const { return handshakes_.load(); }
  [[nodiscard]] int streams() const { return streams_.load(); }

 private:
  static int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                         const unsigned char* in, unsigned int inlen, void* arg) {
    const auto* self = static_cast<tls_server*>(arg);
    for (unsigned int i = 0; i < inlen; i += 1U + in[i]) {
      const std::string_view proto(reinterpret_cast<const char*>(in + i + 1), in[i]);
      if ((self->h2_ && proto == "h2") || (!self->h2_ && proto == "http/1.1")) {
        *out = in + i + 1;
        *outlen = in[i];
        return SSL_TLSEXT_ERR_OK;
      }
    }
    return SSL_TLSEXT_ERR_NOACK;
  }

  void accept_loop() {
    for (;;) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard lock(mu_);
      conns_.push_back(c);
      workers_.emplace_back([this, c] {
        serve(c);
        ::close(c);
      });
    }
  }

  void serve(int c) {
    ssl_ptr ssl(SSL_new(ctx_.get()));
    SSL_set_fd(ssl.get(), c);
    if (SSL_accept(ssl.get()) != 1) return;  // e.g. the client rejected our certificate
    handshakes_.fetch_add(1);
    const unsigned char* proto = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl.get(), &proto, &len);
    if (len == 2 && proto[0] == 'h' && proto[1] == '2') {
      serve_h2(ssl.get());
    } else {
      serve_h1(ssl.get());
    }
  }

  static bool read_exact(SSL* ssl, unsigned char* buf, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      const int r = SSL_read(ssl, buf + got, static_cast<int>(n - got));
      if (r <= 0) return false;
      got += static_cast<std::size_t>(r);
    }
    return true;
  }
  static void write_all(SSL* ssl, const std::string& data) {
    SSL_write(ssl, data.data(), static_cast<int>(data.size()));
  }

  void serve_h1(SSL* ssl) {
    std::string in;
    char buf[4096];
    for (;;) {
      while (in.find("\r\n\r\n") == std::string::npos) {
        const int r = SSL_read(ssl, buf, sizeof buf);
        if (r <= 0) return;
        in.append(buf, static_cast<std::size_t>(r));
      }
      in.erase(0, in.find("\r\n\r\n") + 4);
      streams_.fetch_add(1);
      write_all(ssl, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nh1 ok");
    }
  }

  static std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                           const std::string& payload) {
    std::string f;
    const auto n = static_cast<std::uint32_t>(payload.size());
    f.push_back(static_cast<char>((n >> 16U) & 0xFFU));
    f.push_back(static_cast<char>((n >> 8U) & 0xFFU));
    f.push_back(static_cast<char>(n & 0xFFU));
    f.push_back(static_cast<char>(type));
    f.push_back(static_cast<char>(flags));
    for (const unsigned shift : {24U, 16U, 8U, 0U}) {
      f.push_back(static_cast<char>((stream >> shift) & 0xFFU));
    }
    return f + payload;
  }

  // Just enough HTTP/2 for GETs: our SETTINGS, ACKs for the client's, and for every request
  // a HEADERS frame with ":status: 200" (HPACK static index 8) and a DATA frame.
  void serve_h2(SSL* ssl) {
    unsigned char preface[24];
    if (!read_exact(ssl, preface, sizeof preface)) return;
    write_all(ssl, frame(0x4, 0, 0, ""));
    for (;;) {
      unsigned char head[9];
      if (!read_exact(ssl, head, sizeof head)) return;
      const std::size_t len =
          (std::size_t{head[0]} << 16U) | (std::size_t{head[1]} << 8U) | head[2];
      const std::uint8_t type = head[3];
      const std::uint8_t flags = head[4];
      const std::uint32_t stream = ((std::uint32_t{head[5]} & 0x7FU) << 24U) |
                                   (std::uint32_t{head[6]} << 16U) |
                                   (std::uint32_t{head[7]} << 8U) | head[8];
      std::string payload(len, '\0');
      if (len > 0 && !read_exact(ssl, reinterpret_cast<unsigned char*>(payload.data()), len))
        return;
      if (type == 0x4 && (flags & 0x1U) == 0) {
        write_all(ssl, frame(0x4, 0x1, 0, ""));  // SETTINGS ACK
      } else if (type == 0x6 && (flags & 0x1U) == 0) {
        write_all(ssl, frame(0x6, 0x1, 0, payload));  // PING ACK
      } else if (type == 0x7) {
        return;  // GOAWAY
      } else if (type == 0x1 && (flags & 0x4U) != 0) {
        streams_.fetch_add(1);
        write_all(ssl, frame(0x1, 0x4, stream, std::string(1, static_cast<char>(0x88))) +
                           frame(0x0, 0x1, stream, "h2 ok"));
      }
    }
  }

  bool h2_;
  ctx_ptr ctx_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> handshakes_{0};
  std::atomic<int> streams_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> conns_;
  std::vector<std::thread> workers_;
};

http::client_options tls_options() {
  http::client_options o;
  o.retry.max_attempts = 1;
  o.timeouts.connect = std::chrono::seconds(5);
  o.timeouts.read = std::chrono::seconds(10);
  return o;
}

TEST(HttpTls, VerifiesCertificatesByDefault) {
  tls_server s(false);
  const http::client c(tls_options());
  try {
    rt::sync_wait(c.get(s.url()));
    ADD_FAILURE() << "a self-signed certificate must not be trusted";
  } catch (const http::error& e) {
    EXPECT_EQ(e.kind(), http::error_kind::tls) << e.what();
  }
}

TEST(HttpTls, TrustsAnAddedCa) {
  tls_server s(false);
  auto o = tls_options();
  o.tls.ca_pem = test_identity().cert_pem;
  const http::client c(o);
  const auto r = rt::sync_wait(c.get(s.url()));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "h1 ok");
  EXPECT_EQ(r.http_version, "1.1");
}

TEST(HttpTls, VerificationCanBeDisabledExplicitly) {
  tls_server s(false);
  auto o = tls_options();
  o.tls.verify = false;
  const http::client c(o);
  EXPECT_EQ(rt::sync_wait(c.get(s.url("localhost"))).body, "h1 ok");
}

rt::task<std::vector<http::response>> get_many(const http::client& c, std::string url, int n) {
  std::vector<rt::task<http::response>> reqs;
  for (int i = 0; i < n; ++i) reqs.push_back(c.get(url));
  co_return co_await rt::gather(std::move(reqs));
}

TEST(HttpTls, NegotiatesHttp2AndMultiplexes) {
  tls_server s(true);
  auto o = tls_options();
  o.tls.ca_pem = test_identity().cert_pem;
  const http::client c(o);
  const auto responses = rt::sync_wait(get_many(c, s.url(), 20));
  ASSERT_EQ(responses.size(), 20U);
  for (const auto& r : responses) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "h2 ok");
    EXPECT_EQ(r.http_version, "2");
  }
  EXPECT_EQ(s.streams(), 20);
  EXPECT_EQ(s.handshakes(), 1);  // twenty concurrent requests, one connection
  EXPECT_EQ(c.stats().connections_opened, 1U);
}

TEST(HttpTls, Http2CanBeTurnedOff) {
  tls_server s(true);  // would pick h2 if offered
  auto o = tls_options();
  o.tls.ca_pem = test_identity().cert_pem;
  o.http2 = false;
  const http::client c(o);
  EXPECT_EQ(rt::sync_wait(c.get(s.url())).http_version, "1.1");
}

}  // namespace
