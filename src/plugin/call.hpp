// The machinery behind every RPC: call state, request ids, StopProvider, open streams.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "cppvider/plugin/protocol.hpp"
#include "cppvider/runtime/log.hpp"

namespace cppvider::plugin::detail {

// A long-lived stream (stdio, broker, health watch) that must be ended before the server stops.
class closable {
 public:
  virtual ~closable() = default;
  virtual void close() = 0;
};

class server_state {
 public:
  explicit server_state(int protocol_version);

  int protocol_version() const noexcept { return protocol_version_; }
  std::string next_request_id();

  // Every call links its own stop source to the current generation; StopProvider ends the
  // generation (stopping all calls in flight) and starts a fresh one for later calls.
  std::stop_token current_stop_token();
  void stop_in_flight();

  // Streams that stay open until the host leaves or the server stops (stdio, broker, health
  // Watch). track() counts one in, stream_done() (from its OnDone) counts it out.
  void track(std::weak_ptr<closable> s);
  void stream_done();
  // Finishes every open stream with OK and waits (up to `wait`) until their statuses have gone
  // out: stopping the server right after Finish() would cancel a status still queued.
  void close_streams(std::chrono::milliseconds wait);

  void request_shutdown();
  bool wait_for_shutdown(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  bool shutdown_requested() const noexcept { return shutdown_.load(); }
  // Unary calls not yet done; Shutdown waits for them only when there are some.
  std::atomic<int> calls_in_flight{0};
  // Called by Shutdown instead of the condition variable in --debug mode (raises SIGTERM).
  std::function<void()> on_shutdown;

 private:
  int protocol_version_;
  std::string id_prefix_;
  std::atomic<std::uint64_t> next_id_{1};
  std::mutex mutex_;
  std::stop_source stop_;
  std::vector<std::weak_ptr<closable>> streams_;
  int streams_open_ = 0;  // guarded by mutex_
  std::condition_variable cv_;
  std::atomic<bool> shutdown_{false};
};

// Builds a response that carries `message` as an error, whatever the response's shape.
template <class Response>
Response error_response(std::string_view rpc, std::string_view message) {
  Response r;
  std::string summary = "Unexpected error in ";
  summary += rpc;
  if constexpr (requires { r.diags; }) {
    r.diags.push_back(error_diagnostic(summary, std::string(message)));
  } else if constexpr (requires { r.error->text; }) {
    r.error = function_error{summary + ": " + std::string(message), std::nullopt};
  } else {
    r.error = summary + ": " + std::string(message);
  }
  return r;
}

// One unary call. Owned by itself (self_) from start until gRPC calls OnDone, and by the
// answer slot that responders share, so a late answer after cancellation is harmless.
template <class ProtoResponse, class Response>
class unary_call final : public grpc::ServerUnaryReactor {
 public:
  using fill_fn = void (*)(const Response&, ProtoResponse*);

  unary_call(server_state& state, ProtoResponse* out, std::string_view rpc, fill_fn fill)
      : state_(state),
        out_(out),
        rpc_(rpc),
        fill_(fill),
        started_(std::chrono::steady_clock::now()) {
    state_.calls_in_flight.fetch_add(1);
    request_id_ = state.next_request_id();
    link_.emplace(state.current_stop_token(), stop_forwarder{&stop_});
  }

  void finish(Response&& r) noexcept {
    if (finished_.exchange(true)) return;
    grpc::Status status = grpc::Status::OK;
    try {
      fill_(r, out_);
    } catch (const std::exception& e) {
      status = grpc::Status(grpc::StatusCode::INTERNAL, e.what());
    }
    if (log::enabled(log::level::debug)) {
      const auto ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
              .count();
      log::scope s{"tf_rpc", rpc_, "tf_req_id", request_id_};
      log::debug("Served request", {{"tf_req_duration_ms", ms}});
    }
    Finish(status);
  }

  void OnCancel() override { stop_.request_stop(); }
  void OnDone() override {
    link_.reset();
    state_.calls_in_flight.fetch_sub(1);
    self_.reset();  // may destroy *this; nothing touches members afterwards
  }

  std::shared_ptr<unary_call> self_;
  const std::string& request_id() const noexcept { return request_id_; }
  std::stop_token stop_token() const noexcept { return stop_.get_token(); }

 private:
  struct stop_forwarder {
    std::stop_source* target;
    void operator()() const noexcept { target->request_stop(); }
  };

  server_state& state_;
  ProtoResponse* out_;
  std::string_view rpc_;
  fill_fn fill_;
  std::chrono::steady_clock::time_point started_;
  std::string request_id_;
  std::stop_source stop_;
  std::optional<std::stop_callback<stop_forwarder>> link_;
  std::atomic<bool> finished_{false};
};

template <class ProtoResponse, class Response>
class answer_slot final : public completion<Response> {
 public:
  explicit answer_slot(std::shared_ptr<unary_call<ProtoResponse, Response>> call,
                       std::string_view rpc)
      : call_(std::move(call)), rpc_(rpc) {}
  ~answer_slot() override {
    if (!answered_.load()) {
      call_->finish(error_response<Response>(
          rpc_, "the provider dropped the call without answering (a bug in the provider)"));
    }
  }
  void complete(Response&& r) noexcept override {
    if (answered_.exchange(true)) return;
    call_->finish(std::move(r));
  }

 private:
  std::shared_ptr<unary_call<ProtoResponse, Response>> call_;
  std::string_view rpc_;
  std::atomic<bool> answered_{false};
};

// Runs one unary RPC: makes the call, opens the log scope, hands the request to `invoke`
// (which converts it and calls the service) and turns an escaping exception into an error.
template <class Response, class ProtoResponse, class Invoke>
grpc::ServerUnaryReactor* dispatch(server_state& state, ProtoResponse* out, std::string_view rpc,
                                   void (*fill)(const Response&, ProtoResponse*), Invoke&& invoke) {
  auto call = std::make_shared<unary_call<ProtoResponse, Response>>(state, out, rpc, fill);
  call->self_ = call;
  auto slot = std::make_shared<answer_slot<ProtoResponse, Response>>(call, rpc);
  log::scope scope{"tf_rpc", rpc, "tf_req_id", call->request_id()};
  log::debug("Received request");
  call_context ctx{std::string(rpc), call->request_id(), state.protocol_version(),
                   call->stop_token(), /*accepts_encoded=*/true};
  try {
    invoke(std::move(ctx), responder<Response>(slot));
  } catch (const std::exception& e) {
    log::error("provider handler threw", {{"error", e.what()}});
    slot->complete(error_response<Response>(rpc, e.what()));
  } catch (...) {
    log::error("provider handler threw a non-exception");
    slot->complete(error_response<Response>(rpc, "unknown exception"));
  }
  return call.get();
}

}  // namespace cppvider::plugin::detail
