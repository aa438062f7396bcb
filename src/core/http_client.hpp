// A small asynchronous HTTP/1.1 client for service-to-service calls (orders -> payment gateway).
// One HttpClient per io_context (per worker thread): it keeps idle keep-alive connections per
// host:port and reuses them; every request has a deadline covering connect, write and read.
// Beast stays inside http_client.cpp.
#pragma once
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/http.hpp"

namespace se::http {

struct ClientResponse {
  int status = 0;
  Headers headers;  // names lower case
  std::string body;
};

// Transport failure: no HTTP answer was received (refused, reset, timed out, malformed).
struct ClientError : std::runtime_error {
  bool timed_out = false;
  ClientError(const std::string& what, bool timed_out)
      : std::runtime_error(what), timed_out(timed_out) {}
};

struct ClientOptions {
  std::chrono::milliseconds timeout{2000};  // default deadline of one request
  std::size_t max_idle_per_host = 256;      // idle keep-alive connections kept per host:port
  std::size_t body_limit = 1 << 20;
};

class HttpClient {
 public:
  HttpClient(boost::asio::any_io_executor ex, ClientOptions opts = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // base_url: "http://host:port" (no path). A reused connection the server closed meanwhile is
  // retried once on a fresh connection. Throws ClientError when no response arrives in time.
  boost::asio::awaitable<ClientResponse> request(
      std::string method, std::string base_url, std::string target, std::string body = {},
      Headers headers = {}, std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  [[nodiscard]] std::size_t idle_connections() const;
  [[nodiscard]] std::uint64_t connections_opened() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace se::http
