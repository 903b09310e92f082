// go-plugin's infrastructure services and gRPC health, as callback services (no thread waits).
#include <grpcpp/grpcpp.h>

#include <random>

#include "grpc_broker.grpc.pb.h"
#include "grpc_controller.grpc.pb.h"
#include "grpc_stdio.grpc.pb.h"
#include "health.grpc.pb.h"
#include "provider_grpc.hpp"

namespace cppvider::plugin::detail {

// ---- server_state ------------------------------------------------------------------------

server_state::server_state(int protocol_version) : protocol_version_(protocol_version) {
  // Request ids are unique per process; the random prefix tells processes apart in one log.
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", rd());
  id_prefix_ = buf;
  id_prefix_ += '-';
}

std::string server_state::next_request_id() {
  return id_prefix_ + std::to_string(next_id_.fetch_add(1, std::memory_order_relaxed));
}

std::stop_token server_state::current_stop_token() {
  std::lock_guard lock(mutex_);
  return stop_.get_token();
}

void server_state::stop_in_flight() {
  std::stop_source old;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(stop_, std::stop_source{});
  }
  old.request_stop();  // outside the lock: stop callbacks run here
}

void server_state::track(std::weak_ptr<closable> s) {
  std::lock_guard lock(mutex_);
  std::erase_if(streams_, [](const auto& w) { return w.expired(); });
  streams_.push_back(std::move(s));
  ++streams_open_;
}

void server_state::stream_done() {
  {
    std::lock_guard lock(mutex_);
    --streams_open_;
  }
  cv_.notify_all();
}

void server_state::close_streams(std::chrono::milliseconds wait) {
  std::vector<std::shared_ptr<closable>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& w : streams_)
      if (auto s = w.lock()) open.push_back(std::move(s));
    streams_.clear();
  }
  for (auto& s : open) s->close();
  open.clear();  // the streams own themselves until OnDone
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, wait, [this] { return streams_open_ <= 0; });
}

void server_state::request_shutdown() {
  {
    std::lock_guard lock(mutex_);
    shutdown_.store(true);
  }
  cv_.notify_all();
  if (on_shutdown) on_shutdown();
}

bool server_state::wait_for_shutdown(std::optional<std::chrono::milliseconds> timeout) {
  std::unique_lock lock(mutex_);
  if (timeout) return cv_.wait_for(lock, *timeout, [this] { return shutdown_.load(); });
  cv_.wait(lock, [this] { return shutdown_.load(); });
  return true;
}

namespace {

using ctx_t = grpc::CallbackServerContext;

// A server stream that stays open, sending nothing (or one first message), until the client
// leaves or the server shuts down. Owned by itself until OnDone.
template <class Message>
class idle_writer final : public grpc::ServerWriteReactor<Message>, public closable {
 public:
  static grpc::ServerWriteReactor<Message>* start(server_state& state,
                                                  std::optional<Message> first = std::nullopt) {
    auto w = std::make_shared<idle_writer>();
    w->self_ = w;
    w->state_ = &state;
    state.track(w);
    if (first) {
      w->first_ = std::move(*first);
      w->StartWrite(&*w->first_);
    }
    if (state.shutdown_requested()) w->close();
    return w.get();
  }
  void close() override {
    if (!finished_.exchange(true)) this->Finish(grpc::Status::OK);
  }
  void OnWriteDone(bool) override {}
  void OnCancel() override { close(); }
  void OnDone() override {
    state_->stream_done();
    self_.reset();
  }

 private:
  server_state* state_ = nullptr;
  std::shared_ptr<idle_writer> self_;
  std::optional<Message> first_;
  std::atomic<bool> finished_{false};
};

// Shutdown answers first and stops the server only once the answer has left (OnDone), so that
// stopping can never cancel the reply itself.
class shutdown_call final : public grpc::ServerUnaryReactor {
 public:
  static shutdown_call* start(server_state& state) {
    auto c = std::make_shared<shutdown_call>(state);
    c->self_ = c;
    c->Finish(grpc::Status::OK);
    return c.get();
  }
  explicit shutdown_call(server_state& state) : state_(state) {}
  void OnDone() override {
    state_.request_shutdown();
    self_.reset();
  }

 private:
  server_state& state_;
  std::shared_ptr<shutdown_call> self_;
};

class controller final : public ::plugin::GRPCController::CallbackService {
 public:
  explicit controller(server_state& s) : state_(s) {}
  grpc::ServerUnaryReactor* Shutdown(ctx_t*, const ::plugin::Empty*, ::plugin::Empty*) override {
    log::debug("Shutdown requested by the host");
    return shutdown_call::start(state_);
  }

 private:
  server_state& state_;
};

// Providers write logs to stderr, never to stdout, so the stream has nothing to carry; it stays
// open as go-plugin expects and ends cleanly at shutdown.
class stdio final : public ::plugin::GRPCStdio::CallbackService {
 public:
  explicit stdio(server_state& s) : state_(s) {}
  grpc::ServerWriteReactor<::plugin::StdioData>* StreamStdio(
      ctx_t*, const cppvider::wire::Empty*) override {
    return idle_writer<::plugin::StdioData>::start(state_);
  }

 private:
  server_state& state_;
};

// Providers use no brokered connections: the stream reads and ignores what the host sends and
// ends when the host closes it or the server shuts down.
class broker_stream final : public grpc::ServerBidiReactor<::plugin::ConnInfo, ::plugin::ConnInfo>,
                            public closable {
 public:
  static broker_stream* start(server_state& state) {
    auto b = std::make_shared<broker_stream>();
    b->self_ = b;
    b->state_ = &state;
    state.track(b);
    b->StartRead(&b->in_);
    if (state.shutdown_requested()) b->close();
    return b.get();
  }
  void OnReadDone(bool ok) override {
    if (ok) {
      StartRead(&in_);
    } else {
      close();
    }
  }
  void close() override {
    if (!finished_.exchange(true)) Finish(grpc::Status::OK);
  }
  void OnCancel() override { close(); }
  void OnDone() override {
    state_->stream_done();
    self_.reset();
  }

 private:
  server_state* state_ = nullptr;
  std::shared_ptr<broker_stream> self_;
  ::plugin::ConnInfo in_;
  std::atomic<bool> finished_{false};
};

class broker final : public ::plugin::GRPCBroker::CallbackService {
 public:
  explicit broker(server_state& s) : state_(s) {}
  grpc::ServerBidiReactor<::plugin::ConnInfo, ::plugin::ConnInfo>* StartStream(ctx_t*) override {
    return broker_stream::start(state_);
  }

 private:
  server_state& state_;
};

// grpc.health.v1 for go-plugin's Client.Ping(): the plugin (service "plugin", or the whole
// server, "") is SERVING.
class health final : public grpc::health::v1::Health::CallbackService {
 public:
  using response = grpc::health::v1::HealthCheckResponse;
  explicit health(server_state& s) : state_(s) {}

  static bool known(const std::string& service) { return service.empty() || service == "plugin"; }

  grpc::ServerUnaryReactor* Check(ctx_t* ctx, const grpc::health::v1::HealthCheckRequest* req,
                                  response* resp) override {
    auto* r = ctx->DefaultReactor();
    if (!known(req->service())) {
      r->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"));
    } else {
      resp->set_status(response::SERVING);
      r->Finish(grpc::Status::OK);
    }
    return r;
  }
  grpc::ServerUnaryReactor* List(ctx_t* ctx, const grpc::health::v1::HealthListRequest*,
                                 grpc::health::v1::HealthListResponse* resp) override {
    (*resp->mutable_statuses())[""].set_status(response::SERVING);
    (*resp->mutable_statuses())["plugin"].set_status(response::SERVING);
    auto* r = ctx->DefaultReactor();
    r->Finish(grpc::Status::OK);
    return r;
  }
  grpc::ServerWriteReactor<response>* Watch(
      ctx_t*, const grpc::health::v1::HealthCheckRequest* req) override {
    response first;
    first.set_status(known(req->service()) ? response::SERVING : response::SERVICE_UNKNOWN);
    return idle_writer<response>::start(state_, std::move(first));
  }

 private:
  server_state& state_;
};

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> make_go_plugin_services(server_state& state) {
  std::vector<std::unique_ptr<grpc::Service>> v;
  v.push_back(std::make_unique<controller>(state));
  v.push_back(std::make_unique<stdio>(state));
  v.push_back(std::make_unique<broker>(state));
  v.push_back(std::make_unique<health>(state));
  return v;
}

}  // namespace cppvider::plugin::detail
