// cppvider/runtime/asio.hpp: the executor's asio io_context, for code that drives sockets or
// timers itself (the HTTP client does). Includes asio: keep it out of headers authors include.
#pragma once

// libstdc++ first: asio chooses its aligned allocator from libstdc++'s configuration, and all
// translation units must make the same choice.
#include <cstddef>

#include <asio/io_context.hpp>

#include "cppvider/runtime/executor.hpp"

namespace cppvider::runtime {

asio::io_context& io_context(executor& e) noexcept;

}  // namespace cppvider::runtime
