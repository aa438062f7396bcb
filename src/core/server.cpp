#include "core/server.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <thread>

#include "core/log.hpp"
#include "core/middleware.hpp"
#include "core/text.hpp"

namespace se::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; '+' means space only in query strings. Returns false on bad escapes.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

// Path and query, percent-decoded; false unless every decoded part is UTF-8 (handlers and the
// database take them as text).
bool parse_target(std::string_view target, Request& req) {
  const auto q = target.find('?');
  if (!percent_decode(target.substr(0, q), req.path, false)) return false;
  if (req.path.empty() || req.path.front() != '/' || !text::is_valid_utf8(req.path)) return false;
  if (q == std::string_view::npos) return true;
  std::string_view qs = target.substr(q + 1);
  while (!qs.empty()) {
    const auto amp = qs.find('&');
    std::string_view pair = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view{} : qs.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string key, value;
    if (!percent_decode(pair.substr(0, eq), key, true)) return false;
    if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), value, true))
      return false;
    if (!text::is_valid_utf8(key) || !text::is_valid_utf8(value)) return false;
    req.query.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A bare problem for failures before routing (unparseable request, size limits).
bhttp::response<bhttp::string_body> early_problem(int status, const std::string& code,
                                                  const std::string& title,
                                                  const std::string& detail) {
  Request req;
  req.path = "/";
  Response r = problem_response(Problem{status, code, title, detail}, req);
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace

// Everything one worker thread owns. Touched only from its own thread, except `stop`.
struct Worker {
  int index = 0;
  asio::io_context io{1};
  Router router;
  std::unique_ptr<WorkerScope> scope;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::list<beast::tcp_stream*> idle_streams;  // sessions waiting for their next request
  int sessions = 0;
  bool draining = false;
  std::unique_ptr<asio::steady_timer> drained;  // cancelled when the last session ends

  void session_ended() {
    if (--sessions == 0 && draining && drained) drained->cancel();
  }
};

struct Server::Impl {
  ServerOptions opts;
  WorkerInit init;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<bool> stopping{false};
  int bound_port = 0;

  asio::awaitable<void> accept_loop(Worker& w);
  asio::awaitable<void> session(Worker& w, tcp::socket socket);
  asio::awaitable<void> drain(Worker& w);
  void begin_stop();
};

asio::awaitable<void> Server::Impl::accept_loop(Worker& w) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await w.acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || w.draining) co_return;
      // EMFILE and friends: keep serving the connections we have.
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(w.io, session(w, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> Server::Impl::session(Worker& w, tcp::socket socket) {
  ++w.sessions;
  std::string remote;
  {
    boost::system::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
  }
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(opts.header_limit));
    parser.body_limit(opts.body_limit);
    boost::system::error_code ec;
    stream.expires_after(opts.read_timeout);
    auto idle_it = w.idle_streams.insert(w.idle_streams.end(), &stream);
    co_await bhttp::async_read_header(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    w.idle_streams.erase(idle_it);
    if (!ec && !parser.is_done()) {
      co_await bhttp::async_read(stream, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    if (ec) {
      std::optional<bhttp::response<bhttp::string_body>> reply;
      if (ec == bhttp::error::body_limit) {
        reply =
            early_problem(413, "body_too_large", "Request body too large",
                          "the request body exceeds " + std::to_string(opts.body_limit) + " bytes");
      } else if (ec == bhttp::error::header_limit) {
        reply =
            early_problem(431, "headers_too_large", "Request headers too large",
                          "request headers exceed " + std::to_string(opts.header_limit) + " bytes");
      } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                 ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        reply = early_problem(400, "malformed_request", "Malformed request",
                              "the request is not valid HTTP/1.1");
      }
      if (reply) {
        stream.expires_after(opts.write_timeout);
        boost::system::error_code wec;
        co_await bhttp::async_write(stream, *reply, asio::redirect_error(asio::use_awaitable, wec));
      }
      break;
    }

    auto& raw = parser.get();
    Request req;
    req.method = std::string(raw.method_string());
    req.remote_ip = remote;
    bhttp::response<bhttp::string_body> out;
    if (!parse_target(std::string_view(raw.target().data(), raw.target().size()), req)) {
      out =
          early_problem(400, "malformed_request", "Malformed request",
                        "the request target is not a valid path and query (percent-encoded UTF-8)");
    } else {
      req.headers.reserve(8);
      for (const auto& f : raw)
        req.headers.emplace_back(
            lower(std::string_view(f.name_string().data(), f.name_string().size())),
            std::string(f.value()));
      req.body = std::move(raw.body());
      Response res = co_await w.router.handle(req);
      out.result(static_cast<unsigned>(res.status));
      out.version(11);
      for (auto& [k, v] : res.headers) out.set(k, v);
      out.body() = std::move(res.body);
      out.keep_alive(raw.keep_alive() && !w.draining);
      out.prepare_payload();
      if (req.method == "HEAD") out.body().clear();  // Content-Length stays that of GET
    }
    stream.expires_after(opts.write_timeout);
    co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !out.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  w.session_ended();
}

asio::awaitable<void> Server::Impl::drain(Worker& w) {
  w.draining = true;
  boost::system::error_code ec;
  if (w.acceptor) w.acceptor->close(ec);
  // Sessions between requests have nothing in flight: close them now. Busy ones finish their
  // current request, answer with Connection: close and end.
  for (auto* s : w.idle_streams) s->socket().close(ec);
  if (w.sessions > 0) {
    w.drained = std::make_unique<asio::steady_timer>(w.io, opts.drain_timeout);
    co_await w.drained->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (w.scope) co_await w.scope->shutdown();
  w.scope.reset();
  w.io.stop();
}

void Server::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  for (auto& w : workers) {
    asio::co_spawn(w->io, drain(*w), asio::detached);
  }
}

Server::Server(ServerOptions opts, WorkerInit init) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(opts);
  impl_->init = std::move(init);
  if (impl_->opts.threads <= 0)
    impl_->opts.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Server::~Server() = default;

void Server::stop() { impl_->begin_stop(); }

void Server::run(const std::function<void(int)>& on_listening) {
  auto& o = impl_->opts;
  const auto address = asio::ip::make_address(o.host);
  int port = o.port;
  for (int i = 0; i < o.threads; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    w->acceptor = std::make_unique<tcp::acceptor>(w->io);
    tcp::endpoint ep(address, static_cast<unsigned short>(port));
    w->acceptor->open(ep.protocol());
    w->acceptor->set_option(asio::socket_base::reuse_address(true));
    // Every worker listens on the same port; the kernel spreads connections across them.
    int one = 1;
    ::setsockopt(w->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    w->acceptor->bind(ep);
    w->acceptor->listen(asio::socket_base::max_listen_connections);
    if (port == 0) port = w->acceptor->local_endpoint().port();
    impl_->workers.push_back(std::move(w));
  }
  impl_->bound_port = port;

  // Services are built on their own worker thread so every pool and client binds to it.
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  std::exception_ptr init_error;
  std::mutex init_mu;
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    threads.emplace_back([this, w, &ready, &init_error, &init_mu] {
      try {
        w->scope = impl_->init(w->io, w->index, w->router);
      } catch (...) {
        std::lock_guard lock(init_mu);
        init_error = std::current_exception();
      }
      ready.fetch_add(1);
      ready.notify_all();
      if (!w->scope) return;
      asio::co_spawn(w->io, impl_->accept_loop(*w), asio::detached);
      w->io.run();
    });
  }
  for (int n = ready.load(); n < o.threads; n = ready.load()) ready.wait(n);
  if (init_error) {
    impl_->begin_stop();
    for (auto& t : threads) t.join();
    std::rethrow_exception(init_error);
  }

  asio::io_context signals_io;
  asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    log::info("shutting down", {{"signal", sig}});
    impl_->begin_stop();
  });
  std::thread signal_thread([&signals_io] { signals_io.run(); });
  if (on_listening) on_listening(port);
  for (auto& t : threads) t.join();
  signals.cancel();
  signals_io.stop();
  signal_thread.join();
}

}  // namespace se::http
