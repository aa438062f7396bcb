// Redis through hiredis' async API on the io_context of the calling thread, with reconnect.
// One Redis client per io_context (per worker thread).
#pragma once
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace se::store {

// Thrown when Redis is unreachable, the command times out, or the connection drops mid-command.
struct RedisUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A copy of a hiredis reply, detached from hiredis memory.
struct RedisReply {
  enum class Type { Nil, String, Status, Error, Integer, Array, Double, Bool };
  Type type = Type::Nil;
  std::string str;                   // String, Status, Error, Double (as text)
  std::int64_t integer = 0;          // Integer, Bool
  std::vector<RedisReply> elements;  // Array

  [[nodiscard]] bool is_nil() const { return type == Type::Nil; }
  [[nodiscard]] bool is_error() const { return type == Type::Error; }
};

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds command_timeout{500};
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds reconnect_backoff_max{2000};
};

class Redis {
 public:
  Redis(boost::asio::any_io_executor ex, RedisOptions opts);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  // Starts connecting in the background; commands issued while disconnected throw
  // RedisUnavailable immediately (callers degrade instead of waiting).
  void start();
  void stop();

  // Sends one command (binary-safe arguments). Replies of type Error are returned, not thrown.
  boost::asio::awaitable<RedisReply> command(std::vector<std::string> args);

  [[nodiscard]] bool connected() const;
  // Waits until the client is connected (true) or the timeout passes / stop() is called
  // (false). Returns at once when already connected.
  boost::asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace se::store
