// cppvider/runtime/asio.hpp: the executor's asio io_context, for code that drives sockets or
// timers itself (the HTTP client does). Includes asio: keep it out of headers authors include.
#pragma once

#include <asio/io_context.hpp>

#include "cppvider/runtime/executor.hpp"

namespace cppvider::runtime {

asio::io_context& io_context(executor& e) noexcept;

}  // namespace cppvider::runtime
