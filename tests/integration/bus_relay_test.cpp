// The outbox relay: commit order per key, several relays at once, and a relay process killed
// (SIGKILL) between commit and publish, or between publish and marking published.
#include "bus_support.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "bus/outbox.hpp"
#include "bus/relay.hpp"
#include "store/args.hpp"
#include "store/pg.hpp"
#include "support/server_process.hpp"

namespace {

using namespace se::test::bus;
using se::bus::Record;
using se::store::pg_params;
using se::store::PgPool;

bool is_zombie_or_gone(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_s, comm, state;
  if (!(f >> pid_s >> comm >> state)) return true;
  return state == "Z";
}

class BusRelay : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ =
        se::test::TestEnv::get().fresh_database("bus_relay_" + se::bus::new_uuid().substr(0, 6));
    pool_ = std::make_unique<PgPool>(io_.get_executor(), se::store::PgPoolOptions{conninfo_});
    auto cfg = config_for("redis");
    bus_ = se::bus::make_bus(io_.get_executor(), cfg);
  }
  void TearDown() override {
    bus_->stop();
    bus_.reset();
    pool_.reset();
  }

  // Commits `n` events for `key` (one transaction each) on `topic`.
  asio::awaitable<void> commit_events(const std::string& topic, const std::string& key, int from,
                                      int n) {
    for (int i = from; i < from + n; ++i) {
      auto tx = co_await pool_->acquire();
      co_await tx.begin();
      se::bus::OutboxEvent ev;
      ev.topic = topic;
      ev.key = key;
      ev.event_type = "Seq";
      ev.version = i;
      ev.payload = "{\"seq\":" + std::to_string(i) + "}";
      co_await se::bus::enqueue(tx, ev);
      co_await tx.commit();
    }
  }

  // Polls `count_sql` (a count of outbox rows) until it answers 0 or `limit` passes; its last
  // answer.
  asio::awaitable<std::string> outbox_rows_left(const std::string& count_sql,
                                                std::chrono::seconds limit = 10s) {
    std::string left = "?";
    const auto until = Clock::now() + limit;
    while (left != "0" && Clock::now() < until) {
      auto r = co_await pool_->query(count_sql);
      left = r.get(0, 0);
      if (left != "0") co_await sleep_for(20ms);
    }
    co_return left;
  }

  asio::awaitable<std::vector<Record>> read_all(const std::string& topic, std::size_t n,
                                                std::chrono::seconds limit) {
    se::bus::ReadCursor cur;
    co_return co_await read_records(*bus_, topic, cur, n, limit);
  }

  std::vector<std::string> relay_args(const std::string& fault = {}) {
    std::vector<std::string> a{"--pg",
                               conninfo_,
                               "--redis",
                               "127.0.0.1:" + std::to_string(se::test::TestEnv::get().redis_port()),
                               "--services",
                               "relay",
                               "--threads",
                               "1",
                               "--log-level",
                               "warn",
                               "--relay-lease-ms",
                               "800",
                               "--relay-poll-ms",
                               "200"};
    if (!fault.empty()) {
      a.emplace_back("--relay-fault");
      a.push_back(fault);
    }
    return a;
  }

  std::string conninfo_;
  asio::io_context io_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<se::bus::EventBus> bus_;
};

TEST_F(BusRelay, TwoRelaysPublishEveryEventInCommitOrderPerKey) {
  const auto t = fresh_topic("redis", "relay.order");
  se::bus::RelayOptions ro;
  ro.conninfo = conninfo_;
  ro.batch = 50;
  ro.lease = 800ms;
  ro.poll_interval = 200ms;
  se::bus::Relay r1(io_.get_executor(), *pool_, *bus_, ro);
  se::bus::Relay r2(io_.get_executor(), *pool_, *bus_, ro);
  run(io_, [&]() -> asio::awaitable<void> {
    asio::co_spawn(io_, r1.run(), asio::detached);
    asio::co_spawn(io_, r2.run(), asio::detached);
    for (int round = 0; round < 4; ++round)
      for (int k = 0; k < 6; ++k)
        co_await commit_events(t, "key-" + std::to_string(k), round * 25 + 1, 25);
    auto got = co_await read_all(t, 600, 30s);
    EXPECT_EQ(got.size(), 600u);
    std::map<std::string, std::int64_t> last;
    for (const auto& r : got) {
      auto e = se::bus::from_json(r.value);
      EXPECT_EQ(e.version, last[e.key] + 1) << e.key;
      last[e.key] = e.version;
      EXPECT_FALSE(e.occurred_at.empty());
    }
    // The bus has them all; the relays stamp each batch right after the bus confirmed it.
    EXPECT_EQ(co_await outbox_rows_left("SELECT count(*) FROM outbox WHERE published_at IS NULL"),
              "0");
    EXPECT_EQ(r1.published() + r2.published(), 600u);
    r1.stop();
    r2.stop();
    while (r1.running() || r2.running()) co_await sleep_for(10ms);
  });
}

// The delete of a round's rows rides on the next round; when no event brings one, the relay runs
// one within a linger anyway, so an idle relay does not keep published rows (which a crash would
// publish again) until its next poll or lease renewal, both a minute away here.
TEST_F(BusRelay, AnIdleRelayDeletesItsLastRoundWithinALinger) {
  const auto t = fresh_topic("redis", "relay.idle");
  se::bus::RelayOptions ro;
  ro.conninfo = conninfo_;
  ro.lease = 180s;
  ro.poll_interval = 60s;
  ro.linger = 20ms;
  se::bus::Relay relay(io_.get_executor(), *pool_, *bus_, ro);
  run(io_, [&]() -> asio::awaitable<void> {
    asio::co_spawn(io_, relay.run(), asio::detached);
    co_await commit_events(t, "order-9", 1, 5);
    auto got = co_await read_all(t, 5, 20s);
    EXPECT_EQ(got.size(), 5u);
    EXPECT_EQ(co_await outbox_rows_left("SELECT count(*) FROM outbox"), "0");
    relay.stop();
    while (relay.running()) co_await sleep_for(10ms);
  });
}

// The relay's read, outbox_next(shards, n), against the same question asked in plain SQL, with
// shard sets and limits varying, on one connection, over more calls than PL/pgSQL makes before it
// switches from custom plans to its cached generic plan (5).
TEST_F(BusRelay, OutboxNextReturnsTheOldestRowsOfItsShardsInIdOrder) {
  const auto t = fresh_topic("redis", "relay.next");
  run(io_, [&]() -> asio::awaitable<void> {
    for (int k = 0; k < 12; ++k) co_await commit_events(t, "key-" + std::to_string(k), 1, 3);
    co_await pool_->query(
        "UPDATE outbox SET published_at = now() "
        "WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT 5)");
    const std::string all = "{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15}";
    const std::string odd = "{1,3,5,7,9,11,13,15}";
    const std::vector<std::pair<std::string, int>> calls{
        {all, 7},        {odd, 4},       {"{0,2,4,6,8,10,12,14}", 100},
        {"{2}", 1},      {"{5,6,7}", 3}, {all, 100},
        {"{3,9,12}", 2}, {"{}", 5},      {odd, 30}};
    auto conn = co_await pool_->acquire();
    int non_empty = 0;
    for (const auto& [shards, n] : calls) {
      const auto params = pg_params(shards, std::to_string(n));
      auto got = co_await conn.query(
          "SELECT string_agg(id::text, ',') FROM outbox_next($1::int[], $2::int)", params);
      auto want = co_await conn.query(
          "SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id FROM outbox "
          "WHERE published_at IS NULL AND shard = ANY($1::int[]) ORDER BY id LIMIT $2::int) x",
          params);
      EXPECT_EQ(got.get(0, 0), want.get(0, 0)) << shards << " n=" << n;
      if (!want.is_null(0, 0)) ++non_empty;
    }
    EXPECT_GE(non_empty, 7);
  });
}

// A relay round in one statement (migration 0016): outbox_next(shards, n, done) deletes `done`,
// the rows of the previous round, then reads the next n rows of its shards. Round after round on
// one connection (past PL/pgSQL's switch to a cached generic plan), each answer is what plain SQL
// gives once `done` is gone, `done` is gone afterwards, and no other row is.
TEST_F(BusRelay, OutboxNextDeletesThePreviousRoundThenReadsTheNext) {
  const auto t = fresh_topic("redis", "relay.rounds");
  run(io_, [&]() -> asio::awaitable<void> {
    for (int k = 0; k < 6; ++k) co_await commit_events(t, "key-" + std::to_string(k), 1, 4);
    const std::string shards = "{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15}";
    auto conn = co_await pool_->acquire();
    std::string done = "{}";
    int rounds = 0, read = 0;
    for (; rounds < 20; ++rounds) {
      auto want = co_await conn.query(
          "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM (SELECT id FROM outbox "
          "WHERE published_at IS NULL AND NOT id = ANY($1::bigint[]) ORDER BY id LIMIT 3) x",
          pg_params(done));
      auto before = co_await conn.query("SELECT count(*) FROM outbox");
      auto got = co_await conn.query(
          "SELECT coalesce(string_agg(id::text, ','), '') FROM outbox_next($1::int[], 3, "
          "$2::bigint[])",
          pg_params(shards, done));
      EXPECT_EQ(got.get(0, 0), want.get(0, 0)) << "round " << rounds;
      auto gone = co_await conn.query("SELECT count(*) FROM outbox WHERE id = ANY($1::bigint[])",
                                      pg_params(done));
      EXPECT_EQ(gone.get(0, 0), "0");
      auto after = co_await conn.query("SELECT count(*) FROM outbox");
      const auto done_n = done == "{}" ? 0 : std::count(done.begin(), done.end(), ',') + 1;
      EXPECT_EQ(std::stoll(std::string(after.get(0, 0))),
                std::stoll(std::string(before.get(0, 0))) - done_n);
      const std::string ids(got.get(0, 0));
      if (ids.empty()) break;
      read += static_cast<int>(std::count(ids.begin(), ids.end(), ',')) + 1;
      done = "{" + ids + "}";
    }
    EXPECT_EQ(read, 24);
    EXPECT_EQ(rounds, 8);  // 8 rounds of 3, then the one that deletes the last and reads nothing
    auto left = co_await conn.query("SELECT count(*) FROM outbox");
    EXPECT_EQ(left.get(0, 0), "0");
  });
}

TEST_F(BusRelay, KilledBetweenCommitAndPublishTheEventArrivesAfterRestart) {
  const auto t = fresh_topic("redis", "relay.kill1");
  se::test::ServerProcess faulty(relay_args("before-publish"));
  run(io_, [&]() -> asio::awaitable<void> { co_await commit_events(t, "order-1", 1, 1); });
  // The relay picks the committed row up and is SIGKILLed before publishing it.
  const auto deadline = Clock::now() + 20s;
  while (!is_zombie_or_gone(faulty.pid()) && Clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(is_zombie_or_gone(faulty.pid())) << "the faulty relay did not die";
  EXPECT_EQ(faulty.stop(SIGKILL), 128 + SIGKILL);
  run(io_, [&]() -> asio::awaitable<void> {
    EXPECT_EQ(co_await bus_->length(t), 0);
    auto unpublished =
        co_await pool_->query("SELECT count(*) FROM outbox WHERE published_at IS NULL");
    EXPECT_EQ(unpublished.get(0, 0), "1");
  });
  se::test::ServerProcess healthy(
      relay_args());  // takes the dead relay's shards when their lease lapses
  run(io_, [&]() -> asio::awaitable<void> {
    auto got = co_await read_all(t, 1, 20s);
    EXPECT_EQ(got.size(), 1u);
    if (got.size() != 1) co_return;
    EXPECT_EQ(se::bus::from_json(got[0].value).version, 1);
  });
  healthy.stop(SIGTERM);
}

TEST_F(BusRelay, KilledBetweenPublishAndMarkTheEventIsPublishedAgainNotLost) {
  const auto t = fresh_topic("redis", "relay.kill2");
  se::test::ServerProcess faulty(relay_args("before-mark"));
  run(io_, [&]() -> asio::awaitable<void> { co_await commit_events(t, "order-2", 1, 1); });
  const auto deadline = Clock::now() + 20s;
  while (!is_zombie_or_gone(faulty.pid()) && Clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(is_zombie_or_gone(faulty.pid()));
  faulty.stop(SIGKILL);
  se::test::ServerProcess healthy(relay_args());
  run(io_, [&]() -> asio::awaitable<void> {
    auto got = co_await read_all(t, 2, 20s);
    EXPECT_EQ(got.size(), 2u);
    if (got.size() != 2) co_return;  // a duplicate, with the same eventId: consumers drop it
    EXPECT_EQ(se::bus::from_json(got[0].value).event_id, se::bus::from_json(got[1].value).event_id);
    EXPECT_EQ(co_await outbox_rows_left("SELECT count(*) FROM outbox WHERE published_at IS NULL"),
              "0");
  });
  healthy.stop(SIGTERM);
}

}  // namespace
