// Integration tests for the hiredis/asio client (src/store/redis.hpp) against the private Redis
// started by TestEnv. No mocks.
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "store/args.hpp"
#include "store/redis.hpp"
#include "support/run_coroutine.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using se::store::Redis;
using se::store::RedisOptions;
using se::store::RedisReply;
using se::store::RedisUnavailable;

namespace {

using Clock = std::chrono::steady_clock;
using Args = std::vector<std::string>;

void run(asio::io_context& io, std::function<asio::awaitable<void>()> body,
         std::chrono::seconds limit = 30s) {
  se::test::run_coroutine(io, std::move(body), limit);
}

// GCC 12 rejects braced lists with string literals inside coroutines: build lists outside them.
template <class... A>
Args A_(A&&... a) {
  return se::store::redis_args(std::forward<A>(a)...);
}

// ASSERT_* cannot be used inside coroutines (they `return`).
#define CO_REQUIRE(cond)                             \
  do {                                               \
    if (!(cond)) {                                   \
      ADD_FAILURE() << "requirement failed: " #cond; \
      co_return;                                     \
    }                                                \
  } while (0)

RedisOptions options() {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = se::test::TestEnv::get().redis_port();
  o.command_timeout = 1000ms;
  o.connect_timeout = 500ms;
  o.reconnect_backoff_max = 200ms;
  return o;
}

class StoreRedis : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { se::test::TestEnv::get(); }
  asio::io_context io;
};

TEST_F(StoreRedis, CommandsAndReplyTypes) {
  Redis redis(io.get_executor(), options());
  EXPECT_FALSE(redis.connected());
  redis.start();
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await redis.wait_connected(5000ms));
    EXPECT_TRUE(redis.connected());

    auto st = co_await redis.command(A_("SET", "se:test:k", "value 1"));
    EXPECT_EQ(st.type, RedisReply::Type::Status);
    EXPECT_EQ(st.str, "OK");
    auto got = co_await redis.command(A_("GET", "se:test:k"));
    EXPECT_EQ(got.type, RedisReply::Type::String);
    EXPECT_EQ(got.str, "value 1");

    // Binary-safe: NUL bytes, CR/LF and non-UTF-8 bytes round-trip.
    std::string bin("a\0b\r\n\xff\x00z", 8);
    co_await redis.command(A_("SET", std::string("se:test:\0bin", 12), bin));
    auto b = co_await redis.command(A_("GET", std::string("se:test:\0bin", 12)));
    EXPECT_EQ(b.str, bin);
    EXPECT_EQ(b.str.size(), 8u);

    auto nil = co_await redis.command(A_("GET", "se:test:missing"));
    EXPECT_TRUE(nil.is_nil());

    co_await redis.command(A_("DEL", "se:test:n"));
    auto n = co_await redis.command(A_("INCRBY", "se:test:n", "41"));
    EXPECT_EQ(n.type, RedisReply::Type::Integer);
    EXPECT_EQ(n.integer, 41);
    n = co_await redis.command(A_("INCR", "se:test:n"));
    EXPECT_EQ(n.integer, 42);

    co_await redis.command(A_("DEL", "se:test:list"));
    co_await redis.command(A_("RPUSH", "se:test:list", "x", "", "z"));
    auto arr = co_await redis.command(A_("LRANGE", "se:test:list", "0", "-1"));
    EXPECT_EQ(arr.type, RedisReply::Type::Array);
    CO_REQUIRE((arr.elements.size()) == (3u));
    EXPECT_EQ(arr.elements[0].str, "x");
    EXPECT_EQ(arr.elements[1].str, "");
    EXPECT_EQ(arr.elements[1].type, RedisReply::Type::String);
    EXPECT_EQ(arr.elements[2].str, "z");

    // Nested arrays with mixed element types (including nil inside an array).
    auto mixed = co_await redis.command(A_("EVAL", "return {1, 'two', {3, false}}", "0"));
    EXPECT_EQ(mixed.type, RedisReply::Type::Array);
    if (mixed.elements.size() == 3) {
      EXPECT_EQ(mixed.elements[0].integer, 1);
      EXPECT_EQ(mixed.elements[1].str, "two");
      EXPECT_EQ(mixed.elements[2].type, RedisReply::Type::Array);
      CO_REQUIRE((mixed.elements[2].elements.size()) == (2u));
      EXPECT_EQ(mixed.elements[2].elements[0].integer, 3);
      EXPECT_TRUE(mixed.elements[2].elements[1].is_nil());
    } else {
      ADD_FAILURE() << "unexpected EVAL reply size " << mixed.elements.size();
    }
    auto mget = co_await redis.command(A_("MGET", "se:test:k", "se:test:missing"));
    CO_REQUIRE((mget.elements.size()) == (2u));
    EXPECT_TRUE(mget.elements[1].is_nil());

    // Error replies are returned, not thrown; the connection stays usable.
    auto err = co_await redis.command(A_("INCR", "se:test:k"));
    EXPECT_TRUE(err.is_error());
    EXPECT_NE(err.str.find("ERR"), std::string::npos);
    auto unknown = co_await redis.command(A_("NO_SUCH_COMMAND"));
    EXPECT_TRUE(unknown.is_error());
    auto ping = co_await redis.command(A_("PING"));
    EXPECT_EQ(ping.str, "PONG");
  });
  redis.stop();
  EXPECT_FALSE(redis.connected());
}

TEST_F(StoreRedis, ManyConcurrentCommandsArePipelined) {
  Redis redis(io.get_executor(), options());
  redis.start();
  int ok = 0;
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await redis.wait_connected(5000ms));
    int finished = 0;
    constexpr int kTasks = 500;
    for (int i = 0; i < kTasks; ++i) {
      asio::co_spawn(
          io,
          [&, i]() -> asio::awaitable<void> {
            const std::string key = "se:test:c:" + std::to_string(i);
            co_await redis.command(A_("SET", key, std::to_string(i * 3)));
            auto r = co_await redis.command(A_("GET", key));
            if (r.str == std::to_string(i * 3)) ++ok;
            ++finished;
          },
          [&](std::exception_ptr e) {
            if (e) ++finished;
          });
    }
    const auto deadline = Clock::now() + 10s;
    while (finished < kTasks && Clock::now() < deadline) {
      asio::steady_timer t(io, 1ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_EQ(ok, kTasks);
  });
}

TEST_F(StoreRedis, CommandTimeoutThrowsAndClientKeepsWorking) {
  auto o = options();
  o.command_timeout = 100ms;
  Redis redis(io.get_executor(), o);
  redis.start();
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await redis.wait_connected(5000ms));
    const auto start = Clock::now();
    bool unavailable = false;
    try {
      co_await redis.command(A_("BLPOP", "se:test:never", "1"));
    } catch (const RedisUnavailable&) {
      unavailable = true;
    }
    EXPECT_TRUE(unavailable);
    EXPECT_LT(Clock::now() - start, 900ms);
    // The late reply to BLPOP is dropped safely; once Redis is responsive again the
    // same client serves commands (commands queued behind the sleep may time out meanwhile).
    bool served = false;
    const auto deadline = Clock::now() + 5s;
    while (!served && Clock::now() < deadline) {
      try {
        auto r = co_await redis.command(A_("PING"));
        served = r.str == "PONG";
      } catch (const RedisUnavailable&) {
      }
    }
    EXPECT_TRUE(served);
    EXPECT_TRUE(redis.connected());
  });
}

TEST_F(StoreRedis, UnreachableThenStoppedAndRestartedRedis) {
  auto& env = se::test::TestEnv::get();
  Redis redis(io.get_executor(), options());
  redis.start();
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await redis.wait_connected(5000ms));
    co_await redis.command(A_("SET", "se:test:persist", "1"));

    // A command in flight when Redis goes away fails with RedisUnavailable (not a hang).
    env.stop_redis();
    auto start = Clock::now();
    bool unavailable = false;
    try {
      co_await redis.command(A_("PING"));
    } catch (const RedisUnavailable&) {
      unavailable = true;
    }
    EXPECT_TRUE(unavailable);
    EXPECT_LT(Clock::now() - start, 1500ms);

    // Once the client noticed, commands fail immediately.
    const auto notice_deadline = Clock::now() + 5s;
    while (redis.connected() && Clock::now() < notice_deadline) {
      asio::steady_timer t(io, 5ms);
      co_await t.async_wait(asio::use_awaitable);
    }
    EXPECT_FALSE(redis.connected());
    for (int i = 0; i < 3; ++i) {
      start = Clock::now();
      unavailable = false;
      try {
        co_await redis.command(A_("GET", "se:test:persist"));
      } catch (const RedisUnavailable&) {
        unavailable = true;
      }
      EXPECT_TRUE(unavailable);
      EXPECT_LT(Clock::now() - start, 250ms);  // immediate, with slack for ASan on a busy CI box
    }
    EXPECT_FALSE(co_await redis.wait_connected(300ms));  // keeps retrying in the background

    env.start_redis();
    EXPECT_TRUE(co_await redis.wait_connected(5000ms));
    auto r = co_await redis.command(A_("PING"));
    EXPECT_EQ(r.str, "PONG");
  });
  redis.stop();
  EXPECT_FALSE(redis.connected());
}

TEST_F(StoreRedis, ConnectTimeoutAgainstSilentServerAndStop) {
  // A listener that accepts TCP but never answers (no PING reply within connect_timeout),
  // and a closed port: never connected, commands fail at once, retries continue quietly.
  asio::ip::tcp::acceptor silent(io, {asio::ip::address_v4::loopback(), 0});
  int closed_port = 0;
  {
    asio::ip::tcp::acceptor a(io, {asio::ip::address_v4::loopback(), 0});
    closed_port = a.local_endpoint().port();
  }
  for (int port : {closed_port, static_cast<int>(silent.local_endpoint().port())}) {
    auto o = options();
    o.port = port;
    o.connect_timeout = 100ms;
    o.reconnect_backoff_max = 100ms;
    Redis redis(io.get_executor(), o);
    redis.start();
    run(io, [&]() -> asio::awaitable<void> {
      EXPECT_FALSE(co_await redis.wait_connected(400ms));
      const auto start = Clock::now();
      bool unavailable = false;
      try {
        co_await redis.command(A_("PING"));
      } catch (const RedisUnavailable&) {
        unavailable = true;
      }
      EXPECT_TRUE(unavailable);
      EXPECT_LT(Clock::now() - start, 250ms);  // immediate, with slack for ASan on a busy CI box
      redis.stop();
      EXPECT_FALSE(co_await redis.wait_connected(100ms));
    });
  }
}

TEST_F(StoreRedis, DestroyedWithCommandsInFlight) {
  // The client goes away while a command waits for its reply (and, separately, the
  // io_context is destroyed with that coroutine suspended): clean under ASan/LSan.
  asio::io_context local;
  auto redis = std::make_unique<Redis>(local.get_executor(), options());
  redis->start();
  bool connected = false;
  bool failed = false;
  asio::co_spawn(
      local,
      [&]() -> asio::awaitable<void> {
        connected = co_await redis->wait_connected(5000ms);
        try {
          co_await redis->command(A_("BLPOP", "se:test:never", "0.3"));
        } catch (const RedisUnavailable&) {
          failed = true;
        }
      },
      asio::detached);
  const auto deadline = Clock::now() + 5s;
  while (!connected && Clock::now() < deadline) local.run_one_for(50ms);
  EXPECT_TRUE(connected);
  local.run_for(20ms);
  redis.reset();  // pending command fails with RedisUnavailable
  local.run_for(100ms);
  EXPECT_TRUE(failed);

  // Second client: io_context destroyed with the command pending.
  asio::io_context other;
  {
    Redis r2(other.get_executor(), options());
    r2.start();
    asio::co_spawn(
        other,
        [&]() -> asio::awaitable<void> {
          co_await r2.wait_connected(5000ms);
          co_await r2.command(A_("BLPOP", "se:test:never", "0.3"));
        },
        asio::detached);
    other.run_for(100ms);
  }
}

}  // namespace
