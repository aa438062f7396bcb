#include "store/pg_listener.hpp"

#include <libpq-fe.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.hpp"

namespace se::store {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;
using namespace std::chrono_literals;

struct PgListener::Impl : std::enable_shared_from_this<Impl> {
  asio::any_io_executor ex;
  std::string conninfo;
  std::vector<std::string> channels;
  Callback cb;
  bool stopped = false;
  bool listening = false;
  PGconn* conn = nullptr;
  std::unique_ptr<Descriptor> sock;
  asio::steady_timer backoff;

  Impl(asio::any_io_executor e, std::string ci, std::vector<std::string> ch, Callback c)
      : ex(e), conninfo(std::move(ci)), channels(std::move(ch)), cb(std::move(c)), backoff(e) {}

  void close() {
    listening = false;
    if (sock) {
      boost::system::error_code ec;
      sock->cancel(ec);
      sock->release();  // libpq owns the fd
      sock.reset();
    }
    if (conn) {
      PQfinish(conn);
      conn = nullptr;
    }
  }

  // Waits for the socket to be ready, or the timeout; false on timeout/cancel.
  asio::awaitable<bool> wait(Descriptor::wait_type w, std::chrono::milliseconds timeout) {
    asio::steady_timer t(ex, timeout);
    Descriptor* s = sock.get();
    bool timed_out = false;
    t.async_wait([s, &timed_out](boost::system::error_code ec) {
      if (!ec) {
        timed_out = true;
        s->cancel();
      }
    });
    boost::system::error_code ec;
    co_await sock->async_wait(w, asio::redirect_error(asio::use_awaitable, ec));
    t.cancel();
    co_return !ec && !timed_out;
  }

  void rearm(int fd) {
    if (sock) {
      sock->release();
      sock.reset();
    }
    sock = std::make_unique<Descriptor>(ex, fd);
  }

  asio::awaitable<void> connect() {
    conn = PQconnectStart(conninfo.c_str());
    if (!conn || PQstatus(conn) == CONNECTION_BAD)
      throw std::runtime_error(conn ? PQerrorMessage(conn) : "oom");
    auto poll = PGRES_POLLING_WRITING;
    while (poll != PGRES_POLLING_OK) {
      if (poll == PGRES_POLLING_FAILED) throw std::runtime_error(PQerrorMessage(conn));
      rearm(PQsocket(conn));
      const auto dir =
          poll == PGRES_POLLING_READING ? Descriptor::wait_read : Descriptor::wait_write;
      const bool ready = co_await wait(dir, std::chrono::milliseconds(5000));
      if (!ready) throw std::runtime_error("timed out connecting");
      poll = PQconnectPoll(conn);
    }
    if (PQsetnonblocking(conn, 1) != 0) throw std::runtime_error("cannot set non-blocking");
    rearm(PQsocket(conn));
    std::string sql;
    for (const auto& c : channels) {
      char* id = PQescapeIdentifier(conn, c.data(), c.size());
      sql += "LISTEN ";
      sql += id;
      sql += ";";
      PQfreemem(id);
    }
    if (!PQsendQuery(conn, sql.c_str())) throw std::runtime_error(PQerrorMessage(conn));
    while (PQflush(conn) == 1) co_await wait(Descriptor::wait_write, 5s);
  }

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    auto delay = 100ms;
    while (!stopped) {
      try {
        co_await connect();
        listening = true;
        delay = 100ms;
        if (!stopped) cb("", "");  // caught up from here on: let the owner poll once
        while (!stopped) {
          while (!PQisBusy(conn)) {
            PGresult* r = PQgetResult(conn);
            if (!r) break;
            PQclear(r);
          }
          while (PGnotify* n = PQnotifies(conn)) {
            std::string ch = n->relname, payload = n->extra ? n->extra : "";
            PQfreemem(n);
            if (!stopped) cb(ch, payload);
          }
          boost::system::error_code ec;
          co_await sock->async_wait(Descriptor::wait_read,
                                    asio::redirect_error(asio::use_awaitable, ec));
          if (stopped) break;
          if (ec) throw std::runtime_error(ec.message());
          if (!PQconsumeInput(conn)) throw std::runtime_error(PQerrorMessage(conn));
        }
      } catch (const std::exception& e) {
        if (!stopped) log::warn("LISTEN connection lost; reconnecting", {{"error", e.what()}});
      }
      close();
      if (stopped) break;
      backoff.expires_after(delay);
      boost::system::error_code ec;
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      delay = std::min(delay * 2, std::chrono::milliseconds(2000));
    }
    close();
  }
};

PgListener::PgListener(asio::any_io_executor ex, std::string conninfo,
                       std::vector<std::string> channels, Callback cb)
    : impl_(std::make_shared<Impl>(std::move(ex), std::move(conninfo), std::move(channels),
                                   std::move(cb))) {}

PgListener::~PgListener() { stop(); }

void PgListener::start() {
  auto impl = impl_;
  asio::co_spawn(
      impl->ex, [impl]() { return impl->run(); }, asio::detached);
}

void PgListener::stop() {
  impl_->stopped = true;
  impl_->backoff.cancel();
  if (impl_->sock) {
    boost::system::error_code ec;
    impl_->sock->cancel(ec);
  }
}

bool PgListener::listening() const { return impl_->listening; }

}  // namespace se::store
