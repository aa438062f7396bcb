// Runs one coroutine to completion on an io_context from a test, bounded so a bug cannot hang
// the suite, and rethrows whatever it threw.
#pragma once
#include <utility>  // before asio's awaitable headers on Boost 1.74

#include <gtest/gtest.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <functional>

namespace se::test {

inline void run_coroutine(boost::asio::io_context& io,
                          std::function<boost::asio::awaitable<void>()> body,
                          std::chrono::seconds limit) {
  using Clock = std::chrono::steady_clock;
  bool done = false;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  io.restart();
  const auto deadline = Clock::now() + limit;
  while (!done && Clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(done) << "coroutine did not finish within " << limit.count() << "s";
  if (error) std::rethrow_exception(error);
}

}  // namespace se::test
