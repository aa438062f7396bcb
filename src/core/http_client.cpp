#include "core/http_client.hpp"

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <unordered_map>

namespace se::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  asio::any_io_executor ex;
  ClientOptions opts;
  tcp::resolver resolver;
  std::unordered_map<std::string, std::deque<std::unique_ptr<beast::tcp_stream>>> idle;
  std::unordered_map<std::string, tcp::resolver::results_type> resolved;
  std::uint64_t opened = 0;

  Impl(asio::any_io_executor e, ClientOptions o) : ex(e), opts(o), resolver(e) {}
};

HttpClient::HttpClient(asio::any_io_executor ex, ClientOptions opts)
    : impl_(std::make_shared<Impl>(ex, opts)) {}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::idle_connections() const {
  std::size_t n = 0;
  for (auto& [k, v] : impl_->idle) n += v.size();
  return n;
}
std::uint64_t HttpClient::connections_opened() const { return impl_->opened; }

namespace {
void split_base(const std::string& base, std::string& host, std::string& port) {
  std::string rest = base;
  const std::string scheme = "http://";
  if (rest.rfind(scheme, 0) == 0)
    rest = rest.substr(scheme.size());
  else if (rest.find("://") != std::string::npos)
    throw ClientError("only http:// URLs are supported: " + base, false);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) {
    host = rest;
    port = "80";
  } else {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) throw ClientError("bad base URL: " + base, false);
}
}  // namespace

asio::awaitable<ClientResponse> HttpClient::request(std::string method, std::string base_url,
                                                    std::string target, std::string body,
                                                    Headers headers,
                                                    std::chrono::milliseconds timeout) {
  auto impl = impl_;  // keeps the pool alive across suspensions
  if (timeout.count() <= 0) timeout = impl->opts.timeout;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string host, port;
  split_base(base_url, host, port);
  const std::string key = host + ":" + port;

  beast::http::request<beast::http::string_body> req;
  req.method(beast::http::string_to_verb(method));
  req.target(target);
  req.version(11);
  req.set(beast::http::field::host, key);
  req.keep_alive(true);
  for (auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    if (!req.count(beast::http::field::content_type))
      req.set(beast::http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  }

  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<beast::tcp_stream> stream;
    bool reused = false;
    auto& pool = impl->idle[key];
    if (!pool.empty()) {
      stream = std::move(pool.back());
      pool.pop_back();
      reused = true;
    } else {
      boost::system::error_code ec;
      auto rit = impl->resolved.find(key);
      if (rit == impl->resolved.end()) {
        auto results = co_await impl->resolver.async_resolve(
            host, port, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) throw ClientError("resolve " + key + ": " + ec.message(), false);
        rit = impl->resolved.emplace(key, std::move(results)).first;
      }
      stream = std::make_unique<beast::tcp_stream>(impl->ex);
      stream->expires_at(deadline);
      co_await stream->async_connect(rit->second, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        throw ClientError("connect " + key + ": " + ec.message(), ec == beast::error::timeout);
      }
      stream->socket().set_option(tcp::no_delay(true), ec);
      ++impl->opened;
    }

    boost::system::error_code ec;
    stream->expires_at(deadline);
    co_await beast::http::async_write(*stream, req, asio::redirect_error(asio::use_awaitable, ec));
    beast::flat_buffer buf;
    beast::http::response_parser<beast::http::string_body> parser;
    parser.body_limit(impl->opts.body_limit);
    if (!ec) {
      co_await beast::http::async_read(*stream, buf, parser,
                                       asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      const bool timed_out = ec == beast::error::timeout;
      // A kept-alive connection the peer closed meanwhile fails before any answer: retry once.
      if (reused && !timed_out && attempt == 0 && std::chrono::steady_clock::now() < deadline)
        continue;
      throw ClientError(fmt::format("{} {}{}: {}", method, key, target, ec.message()), timed_out);
    }
    auto res = parser.release();
    ClientResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    out.body = std::move(res.body());
    if (res.keep_alive()) {
      stream->expires_never();
      auto& back = impl->idle[key];
      if (back.size() < impl->opts.max_idle_per_host) back.push_back(std::move(stream));
    }
    co_return out;
  }
}

}  // namespace se::http
