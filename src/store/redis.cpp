// hiredis' async API on asio, with reconnect. See redis.hpp for the contract.
//
// Design notes
// - hiredis ships no asio adapter, so Conn implements the ev hooks (addRead/delRead/addWrite/
//   delWrite/cleanup) with an asio stream_descriptor that borrows hiredis' fd (always
//   release()d, never closed by asio: hiredis closes it in redisFree). hiredis expects
//   level-triggered notifications: after each readiness callback the wait is re-armed while
//   hiredis still wants it.
// - User code never runs inside a hiredis callback: callbacks only record results and cancel
//   timers, so coroutines resume from the io_context afterwards. That makes it safe to call
//   redisAsyncFree from stop() and from the connect-timeout handler.
// - Each command's state is a shared_ptr<Request>; hiredis' privdata owns one reference, the
//   waiting coroutine another. A reply arriving after the command timed out (or after its
//   coroutine vanished) lands in the Request and is dropped with it.
#include "store/redis.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <list>
#include <mutex>

namespace asio = boost::asio;

namespace se::store {

namespace {

using Descriptor = asio::posix::stream_descriptor;

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

RedisReply copy_reply(const redisReply* r) {
  RedisReply out;
  if (!r) return out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
#ifdef REDIS_REPLY_BIGNUM
    case REDIS_REPLY_BIGNUM:
#endif
#ifdef REDIS_REPLY_VERB
    case REDIS_REPLY_VERB:
#endif
      out.type = RedisReply::Type::String;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::Status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::Error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::Integer;
      out.integer = r->integer;
      break;
#ifdef REDIS_REPLY_DOUBLE
    case REDIS_REPLY_DOUBLE:
      out.type = RedisReply::Type::Double;
      out.str.assign(r->str, r->len);
      break;
#endif
#ifdef REDIS_REPLY_BOOL
    case REDIS_REPLY_BOOL:
      out.type = RedisReply::Type::Bool;
      out.integer = r->integer;
      break;
#endif
    case REDIS_REPLY_ARRAY:
#ifdef REDIS_REPLY_MAP
    case REDIS_REPLY_MAP:  // flattened: key, value, key, value...
#endif
#ifdef REDIS_REPLY_SET
    case REDIS_REPLY_SET:
#endif
#ifdef REDIS_REPLY_PUSH
    case REDIS_REPLY_PUSH:
#endif
      out.type = RedisReply::Type::Array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i)
        out.elements.push_back(copy_reply(r->element[i]));
      break;
    case REDIS_REPLY_NIL:
    default:
      out.type = RedisReply::Type::Nil;
      break;
  }
  return out;
}

struct Request {
  explicit Request(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  bool done = false;
  bool failed = false;
  RedisReply reply;
};

}  // namespace

struct RedisState;

// One hiredis connection attempt / connection, with its asio event adapter.
struct RedisConn : std::enable_shared_from_this<RedisConn> {
  redisAsyncContext* ac = nullptr;  // null once hiredis freed it (cleanup hook)
  std::shared_ptr<Descriptor> sock;
  std::weak_ptr<RedisState> owner;
  bool want_read = false, want_write = false;
  bool read_armed = false, write_armed = false;
  bool dead = false;  // hiredis context freed
  bool up = false;    // connect callback reported success

  void arm(bool read) {
    bool& armed = read ? read_armed : write_armed;
    const bool want = read ? want_read : want_write;
    if (dead || armed || !want || !sock) return;
    armed = true;
    sock->async_wait(read ? Descriptor::wait_read : Descriptor::wait_write,
                     [self = shared_from_this(), read](boost::system::error_code ec) {
                       (read ? self->read_armed : self->write_armed) = false;
                       if (self->dead || ec == asio::error::operation_aborted) return;
                       if (!(read ? self->want_read : self->want_write)) return;
                       if (read)
                         redisAsyncHandleRead(self->ac);
                       else
                         redisAsyncHandleWrite(self->ac);
                       self->arm(read);  // level-triggered: again while hiredis wants it
                     });
  }

  static RedisConn* of(void* p) { return static_cast<RedisConn*>(p); }
  static void add_read(void* p) {
    of(p)->want_read = true;
    of(p)->arm(true);
  }
  static void del_read(void* p) { of(p)->want_read = false; }
  static void add_write(void* p) {
    of(p)->want_write = true;
    of(p)->arm(false);
  }
  static void del_write(void* p) { of(p)->want_write = false; }
  static void cleanup(void* p) {
    auto* c = of(p);
    c->dead = true;
    c->ac = nullptr;
    c->want_read = c->want_write = false;
    c->sock.reset();  // cancels pending waits and releases (hiredis closes the fd)
  }
};

struct RedisState : std::enable_shared_from_this<RedisState> {
  RedisState(asio::any_io_executor e, RedisOptions o)
      : ex(std::move(e)), opts(std::move(o)), reconnect_timer(ex), connect_timer(ex) {}

  ~RedisState() { drop_connection(); }

  asio::any_io_executor ex;
  RedisOptions opts;
  std::shared_ptr<RedisConn> conn;
  bool stopped = true;
  std::atomic<bool> is_connected{false};
  std::chrono::milliseconds backoff{0};
  asio::steady_timer reconnect_timer;
  asio::steady_timer connect_timer;
  std::list<std::shared_ptr<asio::steady_timer>> connect_waiters;

  void start() {
    if (!stopped) return;
    stopped = false;
    backoff = std::chrono::milliseconds{0};
    if (!conn || conn->dead) connect();
  }

  void stop() {
    stopped = true;
    reconnect_timer.cancel();
    connect_timer.cancel();
    drop_connection();
    wake_connect_waiters();
  }

  void drop_connection() {
    is_connected = false;
    auto c = std::move(conn);  // reset first: callbacks during the free see it is not current
    if (c && !c->dead && c->ac) redisAsyncFree(c->ac);  // pending commands get null replies
  }

  void wake_connect_waiters() {
    for (auto& t : connect_waiters) t->cancel();
    connect_waiters.clear();
  }

  std::chrono::milliseconds next_backoff() {
    const auto cap = std::max(opts.reconnect_backoff_max, std::chrono::milliseconds{1});
    backoff = backoff.count() == 0 ? std::chrono::milliseconds{50} : backoff * 2;
    if (backoff > cap) backoff = cap;
    return backoff;
  }

  void schedule_reconnect() {
    is_connected = false;
    if (stopped) return;
    reconnect_timer.expires_after(next_backoff());
    reconnect_timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) {
        if (!self->stopped && (!self->conn || self->conn->dead)) self->connect();
      }
    });
  }

  void connect() {
    conn.reset();
    redisAsyncContext* ac = redisAsyncConnect(opts.host.c_str(), opts.port);
    if (!ac) {
      schedule_reconnect();
      return;
    }
    if (ac->err) {
      redisAsyncFree(ac);
      schedule_reconnect();
      return;
    }
    auto c = std::make_shared<RedisConn>();
    c->ac = ac;
    c->owner = weak_from_this();
    c->sock.reset(new Descriptor(ex), DescriptorReleaser{});
    boost::system::error_code ec;
    c->sock->assign(ac->c.fd, ec);
    if (ec) {
      c->sock.reset();
      redisAsyncFree(ac);
      schedule_reconnect();
      return;
    }
    ac->data = c.get();
    ac->ev.data = c.get();
    ac->ev.addRead = &RedisConn::add_read;
    ac->ev.delRead = &RedisConn::del_read;
    ac->ev.addWrite = &RedisConn::add_write;
    ac->ev.delWrite = &RedisConn::del_write;
    ac->ev.cleanup = &RedisConn::cleanup;
    conn = c;
    // Hooks first: setting the connect callback asks for a write event (connect completion).
    redisAsyncSetConnectCallback(ac, &RedisState::on_connect);
    redisAsyncSetDisconnectCallback(ac, &RedisState::on_disconnect);

    connect_timer.expires_after(opts.connect_timeout);
    connect_timer.async_wait(
        [weak = weak_from_this(), wc = std::weak_ptr<RedisConn>(c)](boost::system::error_code e) {
          if (e) return;
          auto self = weak.lock();
          auto c2 = wc.lock();
          if (!self || !c2 || c2 != self->conn || c2->up || c2->dead) return;
          self->drop_connection();  // connect (or its PING) timed out
          self->schedule_reconnect();
        });
  }

  static RedisState* owner_of(const redisAsyncContext* ac, std::shared_ptr<RedisState>& hold) {
    auto* c = static_cast<RedisConn*>(ac->data);
    if (!c) return nullptr;
    hold = c->owner.lock();
    return hold.get();
  }

  static void on_connect(const redisAsyncContext* ac, int status) {
    auto* c = static_cast<RedisConn*>(ac->data);
    std::shared_ptr<RedisState> self;
    if (!owner_of(ac, self) || c != self->conn.get()) return;
    if (status == REDIS_OK) {
      // TCP is up; Redis is "connected" once it answers a PING within connect_timeout (a
      // frozen or foreign listener must not count as connected).
      auto* mac = const_cast<redisAsyncContext*>(ac);
      // If it cannot even be queued, the connect timer drops the connection and retries.
      (void)redisAsyncCommand(mac, &RedisState::on_hello, nullptr, "PING");
    } else {
      // hiredis frees the context right after this callback.
      self->conn.reset();
      self->connect_timer.cancel();
      self->schedule_reconnect();
    }
  }

  static void on_hello(redisAsyncContext* ac, void* r, void*) {
    if (!r) return;  // context being freed; the disconnect path reschedules
    auto* c = static_cast<RedisConn*>(ac->data);
    std::shared_ptr<RedisState> self;
    if (!owner_of(ac, self) || c != self->conn.get()) return;
    c->up = true;
    self->connect_timer.cancel();
    self->backoff = std::chrono::milliseconds{0};
    self->is_connected = true;
    self->wake_connect_waiters();
  }

  static void on_disconnect(const redisAsyncContext* ac, int /*status*/) {
    auto* c = static_cast<RedisConn*>(ac->data);
    std::shared_ptr<RedisState> self;
    if (!owner_of(ac, self) || c != self->conn.get()) return;  // we dropped it on purpose
    // hiredis frees the context after this callback; pending commands already got null replies.
    self->conn.reset();
    self->connect_timer.cancel();
    self->schedule_reconnect();
  }

  static void on_reply(redisAsyncContext*, void* r, void* privdata) {
    std::unique_ptr<std::shared_ptr<Request>> holder(
        static_cast<std::shared_ptr<Request>*>(privdata));
    auto& req = *holder;
    if (req->done) return;
    req->done = true;
    if (!r) {
      req->failed = true;
    } else {
      req->reply = copy_reply(static_cast<redisReply*>(r));
    }
    req->timer.cancel();
  }

  asio::awaitable<RedisReply> command(std::vector<std::string> args) {
    auto self = shared_from_this();
    if (!is_connected || !conn || conn->dead || !conn->ac)
      throw RedisUnavailable("Redis is not connected");
    if (args.empty()) throw std::invalid_argument("Redis command without arguments");
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto req = std::make_shared<Request>(ex);
    auto* holder = new std::shared_ptr<Request>(req);
    if (redisAsyncCommandArgv(conn->ac, &RedisState::on_reply, holder,
                              static_cast<int>(argv.size()), argv.data(),
                              lens.data()) != REDIS_OK) {
      delete holder;
      throw RedisUnavailable("Redis command could not be queued");
    }
    req->timer.expires_after(opts.command_timeout);
    boost::system::error_code ec;
    co_await req->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!req->done) {
      req->done = true;  // a late reply is dropped
      throw RedisUnavailable("Redis command timed out");
    }
    if (req->failed) throw RedisUnavailable("Redis connection lost");
    co_return std::move(req->reply);
  }

  asio::awaitable<bool> wait_connected(std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    if (is_connected) co_return true;
    if (stopped) co_return false;
    auto t = std::make_shared<asio::steady_timer>(ex, timeout);
    connect_waiters.push_back(t);
    boost::system::error_code ec;
    co_await t->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    connect_waiters.remove(t);
    co_return is_connected.load();
  }
};

struct Redis::Impl : RedisState {
  using RedisState::RedisState;
};

Redis::Redis(asio::any_io_executor ex, RedisOptions opts)
    : impl_(std::make_shared<Impl>(std::move(ex), std::move(opts))) {}

Redis::~Redis() {
  if (impl_) impl_->stop();
}

void Redis::start() {
  // hiredis writes with write(2): a peer that went away would raise SIGPIPE and kill the
  // process. Ignore it once (only if nobody installed a handler), as network servers do.
  static std::once_flag sigpipe_once;
  std::call_once(sigpipe_once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      std::signal(SIGPIPE, SIG_IGN);
    }
  });
  impl_->start();
}
void Redis::stop() { impl_->stop(); }

asio::awaitable<RedisReply> Redis::command(std::vector<std::string> args) {
  auto impl = impl_;
  co_return co_await impl->command(std::move(args));
}

asio::awaitable<bool> Redis::wait_connected(std::chrono::milliseconds timeout) {
  auto impl = impl_;
  co_return co_await impl->wait_connected(timeout);
}

bool Redis::connected() const { return impl_->is_connected.load(); }

}  // namespace se::store
