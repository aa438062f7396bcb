// Integration tests for the non-blocking PostgreSQL pool (src/store/pg.hpp) against the private
// PostgreSQL started by TestEnv. No mocks.
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/args.hpp"
#include "store/pg.hpp"
#include "support/run_coroutine.hpp"
#include "support/test_env.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using se::store::Params;
using se::store::PgError;
using se::store::PgLease;
using se::store::PgPool;
using se::store::PgPoolOptions;
using se::store::PgUnavailable;

namespace {

using Clock = std::chrono::steady_clock;

// Runs one coroutine to completion on io (bounded, so a bug cannot hang the suite) and
// rethrows whatever it threw.
void run(asio::io_context& io, std::function<asio::awaitable<void>()> body,
         std::chrono::seconds limit = 30s) {
  se::test::run_coroutine(io, std::move(body), limit);
}

// GCC 12 rejects braced lists with string literals inside coroutines: build lists outside them.
template <class... A>
Params P(A&&... a) {
  return se::store::pg_params(std::forward<A>(a)...);
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// Yields to the io_context until pred() holds or the deadline passes.
asio::awaitable<bool> eventually(std::function<bool()> pred,
                                 std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() > deadline) co_return false;
    co_await sleep_for(1ms);
  }
  co_return true;
}

class StorePg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    conninfo_ = se::test::TestEnv::get().fresh_database("store_pg_test");
  }

  PgPoolOptions opts(int max = 4) const {
    PgPoolOptions o;
    o.conninfo = conninfo_;
    o.max_connections = max;
    o.acquire_timeout = 2000ms;
    o.statement_timeout = 5000ms;
    o.connect_timeout = 3000ms;
    return o;
  }

  asio::io_context io;
  static inline std::string conninfo_;
};

TEST_F(StorePg, ParametersIncludingNull) {
  PgPool pool(io.get_executor(), opts());
  run(io, [&]() -> asio::awaitable<void> {
    auto r = co_await pool.query(
        "SELECT $1::int + 1 AS answer, $2::text IS NULL AS n, $2::text AS v, $3::text AS s",
        P("41", std::nullopt, "héllo 'quoted' \\ text"));
    EXPECT_EQ(r.rows(), 1);
    EXPECT_EQ(r.cols(), 4);
    EXPECT_EQ(r.get(0, r.col("answer")), "42");
    EXPECT_EQ(r.get(0, r.col("n")), "t");
    EXPECT_TRUE(r.is_null(0, r.col("v")));
    EXPECT_EQ(r.get(0, r.col("v")), "");
    EXPECT_EQ(r.get(0, r.col("s")), "héllo 'quoted' \\ text");
    EXPECT_EQ(r.col("missing"), -1);

    auto empty = co_await pool.query("SELECT 1 WHERE false");
    EXPECT_EQ(empty.rows(), 0);
    EXPECT_EQ(empty.cols(), 1);
  });
  EXPECT_EQ(pool.stats().in_use, 0);
}

TEST_F(StorePg, PreparedStatementsAreReusedPerConnection) {
  PgPool pool(io.get_executor(), opts(1));
  run(io, [&]() -> asio::awaitable<void> {
    auto lease = co_await pool.acquire();
    const std::string sql = "SELECT $1::int * 2";
    for (int i = 0; i < 5; ++i) {
      auto r = co_await lease.query(sql, P(std::to_string(i)));
      EXPECT_EQ(r.get(0, 0), std::to_string(i * 2));
    }
    co_await lease.query("SELECT $1::int * 3", P("1"));
    auto ps = co_await lease.query(
        "SELECT statement FROM pg_prepared_statements WHERE statement IN ($1, $2) ORDER BY 1",
        P(sql, "SELECT $1::int * 3"));
    EXPECT_EQ(ps.rows(), 2);  // each text prepared exactly once
    // A second lease on the same (only) connection reuses the cache as well.
  });
  run(io, [&]() -> asio::awaitable<void> {
    auto lease = co_await pool.acquire();
    co_await lease.query("SELECT $1::int * 2", P("7"));
    auto ps =
        co_await lease.query("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
                             P("SELECT $1::int * 2"));
    EXPECT_EQ(ps.get(0, 0), "1");
  });
  EXPECT_EQ(pool.stats().open, 1);
}

TEST_F(StorePg, SqlErrorsCarrySqlstateAndLeaveConnectionUsable) {
  PgPool pool(io.get_executor(), opts(1));
  run(io, [&]() -> asio::awaitable<void> {
    auto lease = co_await pool.acquire();
    co_await lease.exec(
        "DROP TABLE IF EXISTS t_err; CREATE TABLE t_err (id int PRIMARY KEY, v text)");
    co_await lease.query("INSERT INTO t_err VALUES ($1, $2)", P("1", "a"));
    std::string state;
    try {
      co_await lease.query("INSERT INTO t_err VALUES ($1, $2)", P("1", "b"));
    } catch (const PgError& e) {
      state = e.sqlstate;
    }
    EXPECT_EQ(state, "23505");

    state.clear();
    try {
      co_await lease.query("SELECT * FROM no_such_table");
    } catch (const PgError& e) {
      state = e.sqlstate;
    }
    EXPECT_EQ(state, "42P01");

    state.clear();
    try {
      co_await lease.query("SELECT $1::int", P("not a number"));
    } catch (const PgError& e) {
      state = e.sqlstate;
    }
    EXPECT_EQ(state, "22P02");

    // exec: several statements, the failing one aborts the rest.
    state.clear();
    try {
      co_await lease.exec(
          "INSERT INTO t_err VALUES (2, 'x'); SELECT * FROM no_such_table; INSERT INTO t_err "
          "VALUES (3, 'y')");
    } catch (const PgError& e) {
      state = e.sqlstate;
    }
    EXPECT_EQ(state, "42P01");

    auto r = co_await lease.query("SELECT count(*) FROM t_err");
    EXPECT_EQ(r.get(0, 0), "1");  // the multi-statement string ran as one implicit transaction
    auto upd = co_await lease.query("UPDATE t_err SET v = $1", P("z"));
    EXPECT_EQ(upd.affected(), 1);
  });
  EXPECT_EQ(pool.stats().open, 1);  // statement errors never discard the connection
}

TEST_F(StorePg, TransactionsCommitAndRollback) {
  PgPool pool(io.get_executor(), opts(2));
  run(io, [&]() -> asio::awaitable<void> {
    co_await (co_await pool.acquire())
        .exec("DROP TABLE IF EXISTS t_tx; CREATE TABLE t_tx (id int PRIMARY KEY)");
    {
      auto lease = co_await pool.acquire();
      co_await lease.begin();
      co_await lease.query("INSERT INTO t_tx VALUES ($1)", P("1"));
      co_await lease.commit();
    }
    {
      auto lease = co_await pool.acquire();
      co_await lease.begin();
      co_await lease.query("INSERT INTO t_tx VALUES ($1)", P("2"));
      co_await lease.rollback();
    }
    {
      // A failed statement aborts the transaction; rollback recovers the connection.
      auto lease = co_await pool.acquire();
      co_await lease.begin();
      bool failed = false;
      try {
        co_await lease.query("INSERT INTO t_tx VALUES ($1)", P("1"));
      } catch (const PgError& e) {
        failed = e.sqlstate == "23505";
      }
      EXPECT_TRUE(failed);
      std::string state;
      try {
        co_await lease.query("SELECT 1");
      } catch (const PgError& e) {
        state = e.sqlstate;
      }
      EXPECT_EQ(state, "25P02");  // in_failed_sql_transaction
      co_await lease.rollback();
      co_await lease.query("SELECT 1");
    }
    auto r = co_await pool.query("SELECT array_agg(id ORDER BY id)::text FROM t_tx");
    EXPECT_EQ(r.get(0, 0), "{1}");
  });
}

TEST_F(StorePg, LeaseDroppedInsideTransactionDoesNotLeakIt) {
  PgPool pool(io.get_executor(), opts(1));  // one connection: the next user gets the same one
  run(io, [&]() -> asio::awaitable<void> {
    co_await pool.query("CREATE TABLE IF NOT EXISTS t_leak (id int)");
    co_await pool.query("TRUNCATE t_leak");
    std::string pid;
    {
      auto lease = co_await pool.acquire();
      pid = std::string((co_await lease.query("SELECT pg_backend_pid()")).get(0, 0));
      co_await lease.begin();
      co_await lease.query("INSERT INTO t_leak VALUES ($1)", P("1"));
    }  // dropped with the transaction open
    {
      auto lease = co_await pool.acquire();
      auto r = co_await lease.query(
          "SELECT pg_backend_pid(), txid_current_if_assigned(), (SELECT count(*) FROM t_leak)");
      EXPECT_EQ(r.get(0, 0), pid);   // same connection, rolled back and reused
      EXPECT_TRUE(r.is_null(0, 1));  // not inside the previous transaction
      EXPECT_EQ(r.get(0, 2), "0");   // the insert was rolled back
    }
    {
      // Same with a transaction in the failed state.
      auto lease = co_await pool.acquire();
      co_await lease.begin();
      try {
        co_await lease.query("SELECT 1/0");
      } catch (const PgError&) {
      }
    }
    auto r = co_await pool.query("SELECT txid_current_if_assigned() IS NULL, 1");
    EXPECT_EQ(r.get(0, 0), "t");
  });
  EXPECT_EQ(pool.stats().in_use, 0);
  EXPECT_EQ(pool.stats().open, 1);
}

TEST_F(StorePg, PoolIsBoundedAndWaitersGetReleasedConnections) {
  PgPool pool(io.get_executor(), opts(2));
  run(io, [&]() -> asio::awaitable<void> {
    std::optional<PgLease> a(co_await pool.acquire());
    PgLease b = co_await pool.acquire();
    const std::string pid_a((co_await a->query("SELECT pg_backend_pid()")).get(0, 0));

    bool third_done = false;
    std::string third_pid;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto c = co_await pool.acquire();
          third_pid = std::string((co_await c.query("SELECT pg_backend_pid()")).get(0, 0));
          third_done = true;
        },
        asio::detached);
    EXPECT_TRUE(co_await eventually([&] { return pool.stats().waiting == 1; }));
    co_await sleep_for(100ms);
    EXPECT_FALSE(third_done);
    EXPECT_EQ(pool.stats().open, 2);
    EXPECT_EQ(pool.stats().in_use, 2);

    a.reset();  // give one back: the waiter gets exactly that connection
    EXPECT_TRUE(co_await eventually([&] { return third_done; }));
    EXPECT_EQ(third_pid, pid_a);
    EXPECT_EQ(pool.stats().waiting, 0);
    EXPECT_EQ(pool.stats().open, 2);

    // Overwriting a lease by move-assignment drops its connection; the slot is freed.
    b = PgLease{};
    EXPECT_EQ(pool.stats().open, 1);
    EXPECT_EQ(pool.stats().in_use, 0);
  });
}

TEST_F(StorePg, AcquireTimesOutWithPgUnavailable) {
  auto o = opts(1);
  o.acquire_timeout = 200ms;
  PgPool pool(io.get_executor(), o);
  run(io, [&]() -> asio::awaitable<void> {
    auto held = co_await pool.acquire();
    const auto start = Clock::now();
    bool unavailable = false;
    try {
      co_await pool.acquire();
    } catch (const PgUnavailable&) {
      unavailable = true;
    }
    const auto waited = Clock::now() - start;
    EXPECT_TRUE(unavailable);
    EXPECT_GE(waited, 190ms);
    EXPECT_LT(waited, 2000ms);
    EXPECT_EQ(pool.stats().acquire_timeouts, 1u);
    EXPECT_EQ(pool.stats().waiting, 0);
    co_await held.query("SELECT 1");  // the holder is unaffected
  });
}

TEST_F(StorePg, StatementTimeoutIsEnforced) {
  auto o = opts(1);
  o.statement_timeout = 200ms;
  PgPool pool(io.get_executor(), o);
  run(io, [&]() -> asio::awaitable<void> {
    auto lease = co_await pool.acquire();
    auto st = co_await lease.query("SHOW statement_timeout");
    EXPECT_EQ(st.get(0, 0), "200ms");
    auto app = co_await lease.query("SHOW application_name");
    EXPECT_EQ(app.get(0, 0), "swifteats");
    std::string state;
    const auto start = Clock::now();
    try {
      co_await lease.query("SELECT pg_sleep(5)");
    } catch (const PgError& e) {
      state = e.sqlstate;
    }
    EXPECT_EQ(state, "57014");
    EXPECT_LT(Clock::now() - start, 3s);
    auto r = co_await lease.query("SELECT 1");  // still usable
    EXPECT_EQ(r.get(0, 0), "1");
  });
}

TEST_F(StorePg, UnreachableServerFailsFastInsteadOfHanging) {
  // Nothing listens on a port we bound and released: connection refused.
  int closed_port = 0;
  {
    asio::ip::tcp::acceptor a(io, {asio::ip::address_v4::loopback(), 0});
    closed_port = a.local_endpoint().port();
  }
  // A listener that never answers: TCP connects, the PostgreSQL handshake never completes.
  asio::ip::tcp::acceptor silent(io, {asio::ip::address_v4::loopback(), 0});
  const int silent_port = silent.local_endpoint().port();

  for (int port : {closed_port, silent_port}) {
    PgPoolOptions o;
    o.conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " dbname=x user=postgres";
    o.max_connections = 2;
    o.connect_timeout = 300ms;
    o.acquire_timeout = 300ms;
    PgPool pool(io.get_executor(), o);
    run(io, [&]() -> asio::awaitable<void> {
      auto start = Clock::now();
      EXPECT_FALSE(co_await pool.ping(200ms));
      EXPECT_LT(Clock::now() - start, 1000ms) << "port " << port;

      start = Clock::now();
      bool unavailable = false;
      try {
        co_await pool.acquire();
      } catch (const PgUnavailable&) {
        unavailable = true;
      }
      EXPECT_TRUE(unavailable) << "port " << port;
      EXPECT_LT(Clock::now() - start, 2000ms) << "port " << port;
      // Let the detached ping probe finish so nothing is left in flight.
      EXPECT_TRUE(co_await eventually([&] { return pool.stats().open == 0; }));
      EXPECT_EQ(pool.stats().in_use, 0);
    });
  }
}

TEST_F(StorePg, PingSucceedsAgainstRealServer) {
  PgPool pool(io.get_executor(), opts(1));
  run(io, [&]() -> asio::awaitable<void> {
    EXPECT_TRUE(co_await pool.ping(2000ms));
    EXPECT_TRUE(co_await pool.ping(2000ms));
  });
  EXPECT_EQ(pool.stats().open, 1);
  EXPECT_EQ(pool.stats().in_use, 0);
}

TEST_F(StorePg, ManyConcurrentQueriesOnOneIoContext) {
  PgPool pool(io.get_executor(), opts(4));
  constexpr int kTasks = 200;
  int ok = 0;
  int failed = 0;
  int max_in_use = 0;
  run(io, [&]() -> asio::awaitable<void> {
    co_await pool.query("CREATE TABLE IF NOT EXISTS t_many (id int PRIMARY KEY)");
    co_await pool.query("TRUNCATE t_many");
    int finished = 0;
    for (int i = 0; i < kTasks; ++i) {
      asio::co_spawn(
          io,
          [&, i]() -> asio::awaitable<void> {
            try {
              auto lease = co_await pool.acquire();
              max_in_use = std::max(max_in_use, pool.stats().in_use);
              co_await lease.query("INSERT INTO t_many VALUES ($1)", P(std::to_string(i)));
              auto r =
                  co_await lease.query("SELECT $1::int + $2::int", P(std::to_string(i), "1000"));
              if (r.get(0, 0) == std::to_string(i + 1000)) ++ok;
            } catch (const std::exception&) {
              ++failed;
            }
            ++finished;
          },
          asio::detached);
    }
    EXPECT_TRUE(co_await eventually([&] { return finished == kTasks; }, 20000ms));
    auto r = co_await pool.query("SELECT count(*), sum(id) FROM t_many");
    EXPECT_EQ(r.get(0, 0), std::to_string(kTasks));
    EXPECT_EQ(r.get(0, 1), std::to_string(kTasks * (kTasks - 1) / 2));
  });
  EXPECT_EQ(ok, kTasks);
  EXPECT_EQ(failed, 0);
  EXPECT_LE(max_in_use, 4);
  EXPECT_LE(pool.stats().open, 4);
  EXPECT_EQ(pool.stats().in_use, 0);
  EXPECT_EQ(pool.stats().waiting, 0);
}

TEST_F(StorePg, ServerSideDisconnectDiscardsConnection) {
  PgPool pool(io.get_executor(), opts(2));
  run(io, [&]() -> asio::awaitable<void> {
    std::string victim;
    {
      auto lease = co_await pool.acquire();
      victim = std::string((co_await lease.query("SELECT pg_backend_pid()")).get(0, 0));
      // Kill our own backend from another connection.
      co_await pool.query("SELECT pg_terminate_backend($1::int)", P(victim));
      bool failed = false;
      try {
        co_await lease.query("SELECT 1");
      } catch (const PgError&) {
        failed = true;
      }
      EXPECT_TRUE(failed);
    }
    EXPECT_EQ(pool.stats().open, 1);  // the broken one was discarded, not returned
    for (int i = 0; i < 3; ++i) {
      auto r = co_await pool.query("SELECT pg_backend_pid()");
      EXPECT_NE(r.get(0, 0), victim);
    }
  });
}

TEST_F(StorePg, LeaseOutlivingPoolAndShutdownWithQueryInFlight) {
  {
    std::optional<PgPool> pool(std::in_place, io.get_executor(), opts(2));
    run(io, [&]() -> asio::awaitable<void> {
      auto lease = co_await pool->acquire();
      co_await pool->query("SELECT 1");  // leaves one idle connection
      pool.reset();                      // closes the idle one; the lease stays valid
      auto r = co_await lease.query("SELECT 2");
      EXPECT_EQ(r.get(0, 0), "2");
    });
  }
  {
    // Shut down while a query is in flight: the io_context is destroyed with the coroutine
    // suspended inside the query. Must be clean under ASan/LSan.
    asio::io_context local;
    PgPool pool(local.get_executor(), opts(1));
    bool started = false;
    asio::co_spawn(
        local,
        [&]() -> asio::awaitable<void> {
          auto lease = co_await pool.acquire();
          started = true;
          co_await lease.query("SELECT pg_sleep(10)");
        },
        asio::detached);
    const auto deadline = Clock::now() + 5s;
    while (!started && Clock::now() < deadline) local.run_one_for(50ms);
    EXPECT_TRUE(started);
    local.run_for(50ms);
  }
}

}  // namespace
