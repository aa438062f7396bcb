// Non-blocking libpq driven by asio. See pg.hpp for the contract.
//
// Design notes
// - PgConnection owns one PGconn in non-blocking mode and an asio stream_descriptor that
//   *borrows* PQsocket(): the descriptor is always release()d, never closed, by us.
// - Every wait on the socket re-arms epoll (asio issues EPOLL_CTL_MOD for non-speculative
//   waits), and libpq's internal buffer is always drained (PQisBusy) before waiting, so no
//   readiness edge is lost.
// - The pool's bookkeeping (open slots, in-use counts) is tied to PgConnection's lifetime:
//   the constructor takes a slot and the destructor gives it back and wakes the next waiter,
//   so a connection dropped anywhere (broken, cancelled, moved-over lease) cannot leak a slot.
// - Leases hold only a weak reference to the pool; a lease outliving the pool simply closes
//   its connection.
#include "store/pg.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <libpq-fe.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <unordered_map>

#include "core/text.hpp"

namespace asio = boost::asio;

namespace se::store {

// ---------------------------------------------------------------------------------------------
// PgResult

PgResult::PgResult(PGresult* res) : res_(res) {}
PgResult::PgResult(PgResult&& o) noexcept : res_(std::exchange(o.res_, nullptr)) {}
PgResult& PgResult::operator=(PgResult&& o) noexcept {
  if (this != &o) {
    if (res_) PQclear(res_);
    res_ = std::exchange(o.res_, nullptr);
  }
  return *this;
}
PgResult::~PgResult() {
  if (res_) PQclear(res_);
}

int PgResult::rows() const { return res_ ? PQntuples(res_) : 0; }
int PgResult::cols() const { return res_ ? PQnfields(res_) : 0; }

bool PgResult::is_null(int row, int col) const {
  if (!res_ || row < 0 || col < 0 || row >= rows() || col >= cols()) return true;
  return PQgetisnull(res_, row, col) != 0;
}

std::string_view PgResult::get(int row, int col) const {
  if (is_null(row, col)) return {};
  const char* v = PQgetvalue(res_, row, col);
  if (!v) return {};
  return {v, static_cast<std::size_t>(PQgetlength(res_, row, col))};
}

int PgResult::col(std::string_view name) const {
  const int n = cols();
  for (int i = 0; i < n; ++i) {
    const char* f = PQfname(res_, i);
    if (f && name == f) return i;
  }
  return -1;
}

std::int64_t PgResult::affected() const {
  if (!res_) return 0;
  const char* t = PQcmdTuples(res_);
  if (!t || !*t) return 0;
  std::int64_t v = 0;
  for (; *t >= '0' && *t <= '9'; ++t) v = v * 10 + (*t - '0');
  return v;
}

// ---------------------------------------------------------------------------------------------
// PgConnection

namespace {

using Clock = std::chrono::steady_clock;
using Descriptor = asio::posix::stream_descriptor;

void quiet_notice(void*, const char*) {}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Releases (never closes) the borrowed fd when the descriptor goes away.
struct DescriptorReleaser {
  void operator()(Descriptor* d) const noexcept {
    if (d->is_open()) {
      boost::system::error_code ec;
      d->cancel(ec);
      d->release();
    }
    delete d;
  }
};
using DescriptorPtr = std::shared_ptr<Descriptor>;

DescriptorPtr make_descriptor(const asio::any_io_executor& ex, int fd) {
  DescriptorPtr d(new Descriptor(ex), DescriptorReleaser{});
  boost::system::error_code ec;
  d->assign(fd, ec);
  if (ec) throw PgUnavailable("cannot register PostgreSQL socket: " + ec.message());
  return d;
}

}  // namespace

struct PoolState;

class PgConnection {
 public:
  PgConnection(asio::any_io_executor ex, std::weak_ptr<PoolState> pool);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  asio::awaitable<void> connect(const PgPoolOptions& opts);
  asio::awaitable<PgResult> query(std::string_view sql, const Params& params);
  asio::awaitable<void> exec(std::string_view sql);

  [[nodiscard]] bool connected() const { return conn_ && connected_; }
  // Reusable by another lease: connected, healthy, nothing in flight.
  [[nodiscard]] bool reusable() const {
    return connected() && !broken_ && !in_flight_ && PQstatus(conn_) == CONNECTION_OK;
  }
  [[nodiscard]] bool in_transaction() const {
    const auto s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
  }
  [[nodiscard]] bool broken() const { return broken_; }

  bool leased = false;  // counted in the pool's in_use

 private:
  enum class Wait { ready, timeout, error };
  asio::awaitable<Wait> wait(Descriptor::wait_type type, std::optional<Clock::time_point> deadline);
  asio::awaitable<PgResult> flush_and_collect();
  [[noreturn]] void fail(const std::string& what);
  void check_usable() const;

  asio::any_io_executor ex_;
  std::weak_ptr<PoolState> pool_;
  PGconn* conn_ = nullptr;
  DescriptorPtr sock_;
  bool connected_ = false;
  bool broken_ = false;
  bool in_flight_ = false;  // a command was sent and its results not fully read
  std::unordered_map<std::string, std::string> statements_;  // SQL text -> statement name
  unsigned next_statement_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Pool implementation

struct PoolState : std::enable_shared_from_this<PoolState> {
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    std::shared_ptr<PgConnection> conn;  // handed over (maybe not yet connected)
  };

  PoolState(asio::any_io_executor ex, PgPoolOptions o) : ex(std::move(ex)), opts(std::move(o)) {
    if (opts.max_connections < 1) opts.max_connections = 1;
  }

  asio::any_io_executor ex;
  PgPoolOptions opts;
  bool closed = false;
  int slots = 0;  // PgConnection objects alive (connecting, idle or leased)
  std::vector<std::shared_ptr<PgConnection>> idle;
  std::deque<std::shared_ptr<Waiter>> waiters;

  std::atomic<int> open{0};
  std::atomic<int> in_use{0};
  std::atomic<int> waiting{0};
  std::atomic<std::uint64_t> acquire_timeouts{0};

  std::shared_ptr<PgConnection> new_connection() {
    return std::make_shared<PgConnection>(ex, weak_from_this());
  }

  // Called by PgConnection's constructor / destructor.
  void on_created() {
    ++slots;
    open.fetch_add(1, std::memory_order_relaxed);
  }
  void on_destroyed(bool was_leased) {
    --slots;
    open.fetch_sub(1, std::memory_order_relaxed);
    if (was_leased) in_use.fetch_sub(1, std::memory_order_relaxed);
    // A slot freed up: let the longest waiter open a new connection.
    if (!closed && !waiters.empty() && slots < opts.max_connections) hand_over(new_connection());
  }

  void hand_over(std::shared_ptr<PgConnection> c) {
    auto w = std::move(waiters.front());
    waiters.pop_front();
    waiting.fetch_sub(1, std::memory_order_relaxed);
    w->conn = std::move(c);
    w->timer.cancel();
  }

  void remove_waiter(const std::shared_ptr<Waiter>& w) {
    for (auto it = waiters.begin(); it != waiters.end(); ++it) {
      if (*it == w) {
        waiters.erase(it);
        waiting.fetch_sub(1, std::memory_order_relaxed);
        return;
      }
    }
  }

  // Returns a connection from a lease (or after a rollback).
  void release(std::shared_ptr<PgConnection> c) {
    if (closed || !c->reusable()) {
      // Dropping it closes the socket; the destructor updates the counters.
      return;
    }
    if (c->in_transaction()) {
      // Roll back in the background; the connection stays counted as in use meanwhile.
      asio::co_spawn(
          ex,
          [weak = weak_from_this(), c]() mutable -> asio::awaitable<void> {
            try {
              co_await c->exec("ROLLBACK");
            } catch (...) {
              co_return;  // c is dropped (closed)
            }
            if (auto self = weak.lock()) {
              if (!c->in_transaction()) self->release(std::move(c));
            }
          },
          asio::detached);
      return;
    }
    c->leased = false;
    in_use.fetch_sub(1, std::memory_order_relaxed);
    if (!waiters.empty()) {
      hand_over(std::move(c));
      return;
    }
    idle.push_back(std::move(c));
  }

  PgLease make_lease(std::shared_ptr<PgConnection> c) {
    c->leased = true;
    in_use.fetch_add(1, std::memory_order_relaxed);
    std::weak_ptr<PoolState> weak = weak_from_this();
    return PgLease(std::move(c), [weak](std::shared_ptr<PgConnection> conn) {
      if (auto self = weak.lock()) self->release(std::move(conn));
    });
  }

  asio::awaitable<PgLease> acquire() {
    auto self = shared_from_this();  // keeps the pool state alive while we wait
    if (closed) throw PgUnavailable("connection pool is closed");

    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      // Moved once: clang 14's analyzer misreads co_return in a loop as a second move.
      // NOLINTNEXTLINE(clang-analyzer-cplusplus.Move)
      if (c->reusable()) co_return make_lease(std::move(c));
    }

    std::shared_ptr<PgConnection> c;
    if (waiters.empty() && slots < opts.max_connections) {
      c = new_connection();
    } else {
      auto w = std::make_shared<Waiter>(ex);
      waiters.push_back(w);
      waiting.fetch_add(1, std::memory_order_relaxed);
      w->timer.expires_after(opts.acquire_timeout);
      // If this coroutine is destroyed while waiting, leave no trace in the queue and give
      // back anything that was handed over.
      struct Guard {
        PoolState* impl;
        std::shared_ptr<Waiter> w;
        bool armed = true;
        ~Guard() {
          if (!armed) return;
          impl->remove_waiter(w);
          if (w->conn && w->conn->connected()) impl->release_unleased(std::move(w->conn));
        }
      } guard{this, w};
      boost::system::error_code ec;
      co_await w->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      guard.armed = false;
      remove_waiter(w);
      if (!w->conn) {
        if (closed) throw PgUnavailable("connection pool is closed");
        acquire_timeouts.fetch_add(1, std::memory_order_relaxed);
        throw PgUnavailable("timed out waiting for a PostgreSQL connection");
      }
      c = std::move(w->conn);
    }

    if (!c->connected()) {
      co_await c->connect(opts);  // throws PgUnavailable; dropping c frees the slot
      if (closed) throw PgUnavailable("connection pool is closed");
    }
    // NOLINTNEXTLINE(clang-analyzer-cplusplus.Move) (as above)
    co_return make_lease(std::move(c));
  }

  // A connection that was handed to a waiter that vanished: back to idle / next waiter.
  void release_unleased(std::shared_ptr<PgConnection> c) {
    if (closed || !c->reusable()) return;
    if (!waiters.empty()) {
      hand_over(std::move(c));
      return;
    }
    idle.push_back(std::move(c));
  }

  void close() {
    closed = true;
    auto drop = std::move(idle);
    idle.clear();
    drop.clear();
    while (!waiters.empty()) {
      auto w = std::move(waiters.front());
      waiters.pop_front();
      waiting.fetch_sub(1, std::memory_order_relaxed);
      w->timer.cancel();
    }
  }
};

struct PgPool::Impl : PoolState {
  using PoolState::PoolState;
};

// ---------------------------------------------------------------------------------------------
// PgConnection implementation

PgConnection::PgConnection(asio::any_io_executor ex, std::weak_ptr<PoolState> pool)
    : ex_(std::move(ex)), pool_(std::move(pool)) {
  if (auto p = pool_.lock()) p->on_created();
}

PgConnection::~PgConnection() {
  sock_.reset();  // releases, does not close, the fd
  if (conn_) PQfinish(conn_);
  if (auto p = pool_.lock()) p->on_destroyed(leased);
}

void PgConnection::fail(const std::string& what) {
  broken_ = true;
  in_flight_ = false;
  std::string msg = what;
  if (conn_) {
    const char* e = PQerrorMessage(conn_);
    if (e && *e) msg += ": " + trim(e);
  }
  throw PgError("", msg);
}

void PgConnection::check_usable() const {
  if (!connected_ || broken_ || !conn_) throw PgError("", "PostgreSQL connection is not usable");
  if (in_flight_) throw PgError("", "PostgreSQL connection is busy with another command");
}

asio::awaitable<PgConnection::Wait> PgConnection::wait(Descriptor::wait_type type,
                                                       std::optional<Clock::time_point> deadline) {
  auto sock = sock_;
  boost::system::error_code ec;
  if (!deadline) {
    co_await sock->async_wait(type, asio::redirect_error(asio::use_awaitable, ec));
    co_return ec ? Wait::error : Wait::ready;
  }
  struct State {
    bool active = true;
    bool fired = false;
  };
  auto st = std::make_shared<State>();
  asio::steady_timer timer(ex_, *deadline);
  timer.async_wait([st, weak = std::weak_ptr<Descriptor>(sock)](boost::system::error_code e) {
    if (e || !st->active) return;
    st->fired = true;
    if (auto s = weak.lock()) {
      boost::system::error_code ignored;
      s->cancel(ignored);
    }
  });
  co_await sock->async_wait(type, asio::redirect_error(asio::use_awaitable, ec));
  st->active = false;
  timer.cancel();
  if (st->fired) co_return Wait::timeout;
  co_return ec ? Wait::error : Wait::ready;
}

asio::awaitable<void> PgConnection::connect(const PgPoolOptions& opts) {
  const auto deadline = Clock::now() + opts.connect_timeout;

  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(opts.conninfo.c_str(), &err);
  if (!parsed) {
    std::string msg = err ? trim(err) : "out of memory";
    if (err) PQfreemem(err);
    throw PgUnavailable("invalid PostgreSQL conninfo: " + msg);
  }
  std::vector<std::string> keys, vals;
  std::string options;
  for (auto* o = parsed; o->keyword; ++o) {
    if (!o->val) continue;
    std::string k = o->keyword;
    if (k == "options") {
      options = o->val;
    } else if (k != "application_name") {
      keys.push_back(std::move(k));
      vals.emplace_back(o->val);
    }
  }
  PQconninfoFree(parsed);
  if (!options.empty()) options += ' ';
  const auto st_ms = std::max<std::int64_t>(0, opts.statement_timeout.count());
  options += "-c statement_timeout=" + std::to_string(st_ms);
  for (const auto& [name, value] : opts.settings) options += fmt::format(" -c {}={}", name, value);
  keys.emplace_back("options");
  vals.push_back(options);
  keys.emplace_back("application_name");
  vals.emplace_back("swifteats");
  std::vector<const char*> kp, vp;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    kp.push_back(keys[i].c_str());
    vp.push_back(vals[i].c_str());
  }
  kp.push_back(nullptr);
  vp.push_back(nullptr);

  conn_ = PQconnectStartParams(kp.data(), vp.data(), 0);
  if (!conn_) throw PgUnavailable("PostgreSQL: out of memory");
  PQsetNoticeProcessor(conn_, quiet_notice, nullptr);
  if (PQstatus(conn_) == CONNECTION_BAD) {
    broken_ = true;
    throw PgUnavailable("cannot connect to PostgreSQL: " + trim(PQerrorMessage(conn_)));
  }

  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) {
      broken_ = true;
      throw PgUnavailable("cannot connect to PostgreSQL: " + trim(PQerrorMessage(conn_)));
    }
    const int fd = PQsocket(conn_);
    if (fd < 0) {
      broken_ = true;
      throw PgUnavailable("cannot connect to PostgreSQL: no socket");
    }
    // libpq may close and reopen its socket (next address, SSL fallback...), possibly under
    // the same fd number, so register afresh for every step of the handshake.
    sock_.reset();
    sock_ = make_descriptor(ex_, fd);
    const auto w = co_await wait(
        poll == PGRES_POLLING_READING ? Descriptor::wait_read : Descriptor::wait_write, deadline);
    if (w == Wait::timeout) {
      broken_ = true;
      throw PgUnavailable("timed out connecting to PostgreSQL");
    }
    poll = PQconnectPoll(conn_);
  }
  sock_.reset();
  if (PQsetnonblocking(conn_, 1) != 0) {
    broken_ = true;
    throw PgUnavailable("cannot set PostgreSQL connection non-blocking");
  }
  sock_ = make_descriptor(ex_, PQsocket(conn_));
  connected_ = true;
}

asio::awaitable<PgResult> PgConnection::flush_and_collect() {
  in_flight_ = true;
  for (;;) {
    const int r = PQflush(conn_);
    if (r == 0) break;
    if (r < 0) fail("PostgreSQL send failed");
    if (co_await wait(Descriptor::wait_write, std::nullopt) != Wait::ready)
      fail("PostgreSQL socket wait failed");
  }

  PgResult last;
  std::string err_state, err_msg;
  bool have_error = false;
  for (;;) {
    bool done = false;
    while (!PQisBusy(conn_)) {
      PGresult* r = PQgetResult(conn_);
      if (!r) {
        done = true;
        break;
      }
      const auto st = PQresultStatus(r);
      if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
        if (!have_error) {
          have_error = true;
          const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
          const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
          const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
          err_state = s ? s : "";
          err_msg = primary ? primary : trim(PQresultErrorMessage(r));
          if (detail) err_msg += std::string(" (") + detail + ")";
        }
        PQclear(r);
      } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        PQclear(r);
        fail("COPY is not supported through PgLease");
      } else {
        last = PgResult(r);
      }
    }
    if (done) break;
    if (co_await wait(Descriptor::wait_read, std::nullopt) != Wait::ready)
      fail("PostgreSQL socket wait failed");
    if (!PQconsumeInput(conn_)) fail("PostgreSQL connection lost");
  }
  in_flight_ = false;
  if (PQstatus(conn_) != CONNECTION_OK) broken_ = true;
  if (have_error) {
    if (err_state.empty()) broken_ = true;
    throw PgError(err_state, err_msg.empty() ? "PostgreSQL error" : err_msg);
  }
  co_return last;
}

asio::awaitable<PgResult> PgConnection::query(std::string_view sql, const Params& params) {
  check_usable();
  std::string key(sql);
  auto it = statements_.find(key);
  if (it == statements_.end()) {
    std::string name = "s" + std::to_string(++next_statement_);
    if (!PQsendPrepare(conn_, name.c_str(), key.c_str(), 0, nullptr))
      fail("PostgreSQL prepare failed");
    co_await flush_and_collect();  // throws PgError on a bad statement (nothing cached)
    it = statements_.emplace(std::move(key), std::move(name)).first;
  }

  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                           values.data(), nullptr, nullptr, 0))
    fail("PostgreSQL send failed");
  try {
    co_return co_await flush_and_collect();
  } catch (const PgError& e) {
    // The server forgot the statement (DISCARD ALL / DEALLOCATE): prepare again next time.
    if (e.sqlstate == "26000") statements_.erase(it);
    throw;
  }
}

asio::awaitable<void> PgConnection::exec(std::string_view sql) {
  check_usable();
  std::string text(sql);
  if (!PQsendQuery(conn_, text.c_str())) fail("PostgreSQL send failed");
  co_await flush_and_collect();
}

std::vector<std::pair<std::string, std::string>> parse_pg_settings(const std::string& spec) {
  const auto word = [](const std::string& w, bool name) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [name](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' ||
             (!name && c == '-');
    });
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto view : text::split_nonempty(spec)) {
    const std::string item(view);
    const auto eq = item.find('=');
    if (eq == std::string::npos || !word(item.substr(0, eq), true) ||
        !word(item.substr(eq + 1), false))
      throw std::invalid_argument("expected name=value[,name=value...], got '" + item + "'");
    out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// PgLease

PgLease::PgLease(std::shared_ptr<PgConnection> conn,
                 std::function<void(std::shared_ptr<PgConnection>)> giveback)
    : conn_(std::move(conn)), giveback_(std::move(giveback)) {}

PgLease::~PgLease() {
  if (conn_ && giveback_) {
    try {
      giveback_(std::move(conn_));
    } catch (...) {
      // Never throw from a destructor; the connection is simply dropped.
    }
  }
}

asio::awaitable<PgResult> PgLease::query(std::string_view sql, const Params& params) {
  if (!conn_) throw PgError("", "empty PgLease");
  auto c = conn_;  // keep the connection alive for the whole call
  co_return co_await c->query(sql, params);
}

asio::awaitable<void> PgLease::exec(std::string_view sql) {
  if (!conn_) throw PgError("", "empty PgLease");
  auto c = conn_;
  co_await c->exec(sql);
}

// ---------------------------------------------------------------------------------------------
// PgPool

PgPool::PgPool(asio::any_io_executor ex, PgPoolOptions opts)
    : impl_(std::make_shared<Impl>(std::move(ex), std::move(opts))) {}

PgPool::~PgPool() {
  if (impl_) impl_->close();
}

asio::awaitable<PgLease> PgPool::acquire() {
  auto impl = impl_;
  co_return co_await impl->acquire();
}

asio::awaitable<PgResult> PgPool::query(std::string_view sql, const Params& params) {
  auto impl = impl_;
  auto lease = co_await impl->acquire();
  co_return co_await lease.query(sql, params);
}

asio::awaitable<bool> PgPool::ping(std::chrono::milliseconds timeout) {
  struct State {
    explicit State(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    bool done = false;
    bool ok = false;
  };
  try {
    auto impl = impl_;
    auto st = std::make_shared<State>(impl->ex);
    st->timer.expires_after(timeout);
    // The probe runs detached so the caller is released at the deadline even if the probe
    // is still connecting; it finishes (or fails) on its own later.
    asio::co_spawn(
        impl->ex,
        [impl, st]() -> asio::awaitable<void> {
          try {
            auto lease = co_await impl->acquire();
            auto r = co_await lease.query("SELECT 1");
            st->ok = r.rows() == 1;
          } catch (...) {
            st->ok = false;
          }
          st->done = true;
          st->timer.cancel();
        },
        asio::detached);
    boost::system::error_code ec;
    co_await st->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return st->done && st->ok;
  } catch (...) {
    co_return false;
  }
}

PgPoolStats PgPool::stats() const {
  PgPoolStats s;
  s.open = impl_->open.load(std::memory_order_relaxed);
  s.in_use = impl_->in_use.load(std::memory_order_relaxed);
  s.waiting = impl_->waiting.load(std::memory_order_relaxed);
  s.acquire_timeouts = impl_->acquire_timeouts.load(std::memory_order_relaxed);
  return s;
}

const PgPoolOptions& PgPool::options() const { return impl_->opts; }

}  // namespace se::store
