// Consumers (dedup, stale versions, retries, DLQ, takeover of a dead member) and the outbox
// relay (commit order per key, kill -9 between commit and publish), against real PostgreSQL,
// Redis and server processes.
#include "bus_support.hpp"

#include <signal.h>

#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "bus/consumer.hpp"
#include "bus/outbox.hpp"
#include "bus/relay.hpp"
#include "core/metrics.hpp"
#include "store/args.hpp"
#include "store/pg.hpp"
#include "support/server_process.hpp"

namespace {

using namespace se::test::bus;
using se::bus::Consumer;
using se::bus::ConsumerOptions;
using se::bus::Envelope;
using se::bus::Record;
using se::store::pg_params;
using se::store::PgLease;
using se::store::PgPool;

class BusConsumer : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    conninfo_ = se::test::TestEnv::get().fresh_database("bus_it");
    asio::io_context io;
    PgPool pool(io.get_executor(), {conninfo_});
    run(io, [&]() -> asio::awaitable<void> {
      co_await pool.query(
          "CREATE TABLE bus_test_effects (consumer text, event_id uuid, key text, seq int, at "
          "timestamptz DEFAULT clock_timestamp())");
    });
  }
  void SetUp() override {
    pool_ = std::make_unique<PgPool>(io_.get_executor(), se::store::PgPoolOptions{conninfo_});
    bus_ = se::bus::make_bus(io_.get_executor(), config_for(GetParam()));
  }
  void TearDown() override {
    bus_->stop();
    bus_.reset();
    pool_.reset();
  }
  std::string topic(const std::string& stem) { return fresh_topic(GetParam(), stem); }

  ConsumerOptions options(const std::string& group, const std::vector<std::string>& topics) {
    ConsumerOptions o;
    o.group = group + "." + se::bus::new_uuid().substr(0, 6);
    o.topics = topics;
    o.retry.max_attempts = 3;
    o.retry.base = 5ms;
    o.block = 100ms;
    o.stats_interval = 200ms;
    return o;
  }

  // The effect of the test handlers: one row per application.
  static se::bus::Handler recording(const std::string& group) {
    return [group](const Envelope& e, PgLease* tx) -> asio::awaitable<void> {
      auto payload = nlohmann::json::parse(e.payload);
      if (payload.value("poison", false)) throw std::runtime_error("poison pill");
      const auto seq = std::to_string(payload.value("seq", 0));
      co_await tx->query(
          "INSERT INTO bus_test_effects (consumer, event_id, key, seq) VALUES ($1, $2::uuid, $3, "
          "$4::int)",
          pg_params(group, e.event_id, e.key, seq));
    };
  }

  asio::awaitable<std::int64_t> count(const std::string& sql, const se::store::Params& p) {
    auto r = co_await pool_->query(sql, p);
    co_return std::stoll(std::string(r.get(0, 0)));
  }
  // Polls a count until it reaches `want` (observing external state, with a deadline).
  asio::awaitable<std::int64_t> await_count(const std::string& sql, const se::store::Params& p,
                                            std::int64_t want, std::chrono::seconds limit = 20s) {
    const auto deadline = Clock::now() + limit;
    std::int64_t n = 0;
    while ((n = co_await count(sql, p)) < want && Clock::now() < deadline) co_await sleep_for(20ms);
    co_return n;
  }

  static inline std::string conninfo_;
  asio::io_context io_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<se::bus::EventBus> bus_;
};

TEST_P(BusConsumer, DuplicatesAndStaleVersionsAreAppliedOnce) {
  const auto t = topic("consumer.dedup");
  auto opts = options("dedup", {t});
  const auto group = opts.group;
  Consumer c(io_.get_executor(), *bus_, pool_.get(), opts, recording(group));
  run(io_, [&]() -> asio::awaitable<void> {
    asio::co_spawn(io_, c.run(), asio::detached);
    auto first = make_record(t, "order-1", "OrderUpdated", 5, R"({"seq":1})");
    auto stale = make_record(t, "order-1", "OrderUpdated", 4, R"({"seq":2})");
    auto newer = make_record(t, "order-1", "OrderUpdated", 6, R"({"seq":3})");
    std::vector<Record> batch{first, first, stale, first, newer};  // the same event three times
    co_await bus_->publish(batch);
    const auto q = "SELECT count(*) FROM processed_events WHERE consumer = $1";
    EXPECT_EQ(co_await await_count(q, pg_params(group), 3), 3);
    auto r = co_await pool_->query(
        "SELECT string_agg(seq::text, ',' ORDER BY at) FROM bus_test_effects WHERE consumer = $1",
        pg_params(group));
    EXPECT_EQ(r.get(0, 0), "1,3");  // the duplicate copies and the stale version changed nothing
    // Each applied event's age (commit to handled) is observed once; duplicates and stale
    // versions are not.
    const auto age_count = "bus_event_age_seconds_count{group=\"" + group + "\"} ";
    auto observed = [&] {
      const auto text = se::metrics::Registry::global().render();
      const auto at = text.find(age_count);
      return at == std::string::npos ? -1L : std::stol(text.substr(at + age_count.size()));
    };
    const auto deadline = Clock::now() + 20s;
    while (observed() < 2 && Clock::now() < deadline) co_await sleep_for(20ms);
    EXPECT_EQ(observed(), 2);
    c.stop();
    while (c.running()) co_await sleep_for(10ms);
  });
}

TEST_P(BusConsumer, PoisonMessageGoesToTheDlqAfterTheAttemptsAndOthersKeepFlowing) {
  const auto t = topic("consumer.poison");
  auto opts = options("poison", {t});
  const auto group = opts.group;
  Consumer c(io_.get_executor(), *bus_, pool_.get(), opts, recording(group));
  run(io_, [&]() -> asio::awaitable<void> {
    asio::co_spawn(io_, c.run(), asio::detached);
    std::vector<Record> batch;
    for (int i = 0; i < 20; ++i) {
      if (i == 5) batch.push_back(make_record(t, "k-poison", "Bad", 0, R"({"poison":true})"));
      batch.push_back(make_record(t, "k" + std::to_string(i % 4), "Good", 0,
                                  "{\"seq\":" + std::to_string(i) + "}"));
    }
    co_await bus_->publish(batch);
    const auto q = "SELECT count(*) FROM bus_test_effects WHERE consumer = $1";
    EXPECT_EQ(co_await await_count(q, pg_params(group), 20), 20);
    const auto dlq = se::bus::topics::dlq_of(t);
    se::bus::ReadCursor cur;
    std::vector<Record> dead;
    const auto deadline = Clock::now() + 20s;
    while (dead.empty() && Clock::now() < deadline) dead = co_await bus_->read(dlq, cur, 10, 200ms);
    if (dead.size() != 1) {
      ADD_FAILURE() << "DLQ has " << dead.size() << " records";
      co_return;
    }
    auto j = nlohmann::json::parse(dead[0].value);
    EXPECT_EQ(j["dlq"]["attempts"], 3);
    EXPECT_EQ(j["dlq"]["error"], "poison pill");
    EXPECT_EQ(j["dlq"]["topic"], t);
    EXPECT_EQ(j["eventType"], "Bad");
    EXPECT_EQ(co_await bus_->length(dlq), 1);
    // Replaying puts the original event back on its topic (here it fails again: DLQ grows).
    auto replay = se::bus::replay_record(dead[0]);
    EXPECT_TRUE(replay.has_value());
    if (replay) {
      EXPECT_EQ(replay->topic, t);
      EXPECT_EQ(se::bus::from_json(replay->value).event_type, "Bad");
    }
    c.stop();
    while (c.running()) co_await sleep_for(10ms);
  });
}

// Redis Streams only: on Kafka priority applies within each fetched batch (docs/events.md), so
// the test is not instantiated there rather than skipped.
class RedisBusConsumer : public BusConsumer {};

TEST_P(RedisBusConsumer, RestaurantUpdatesAreHandledHighPriorityFirst) {
  const auto hi = topic("prio.high"), mid = topic("prio.medium"), lo = topic("prio.low");
  auto opts = options("prio", {hi, mid, lo});
  opts.batch = 1000;
  const auto group = opts.group;
  run(io_, [&]() -> asio::awaitable<void> {
    // A backlog: low first in time, then medium, then high.
    std::vector<Record> batch;
    for (int i = 0; i < 10; ++i)
      batch.push_back(make_record(lo, "r1", "RatingChanged", 0, R"({"seq":3})"));
    for (int i = 0; i < 10; ++i)
      batch.push_back(make_record(mid, "r1", "MenuChanged", 0, R"({"seq":2})"));
    for (int i = 0; i < 10; ++i)
      batch.push_back(make_record(hi, "r1", "HoursChanged", 0, R"({"seq":1})"));
    co_await bus_->publish(batch);
    Consumer c(io_.get_executor(), *bus_, pool_.get(), opts, recording(group));
    asio::co_spawn(io_, c.run(), asio::detached);
    const auto q = "SELECT count(*) FROM bus_test_effects WHERE consumer = $1";
    EXPECT_EQ(co_await await_count(q, pg_params(group), 30), 30);
    auto r = co_await pool_->query(
        "SELECT string_agg(seq::text, '' ORDER BY at) FROM bus_test_effects WHERE consumer = $1",
        pg_params(group));
    const std::string order(r.get(0, 0));
    // Whatever arrived together was handled high, then medium, then low.
    EXPECT_EQ(order.substr(0, 10), std::string(10, '1')) << order;
    c.stop();
    while (c.running()) co_await sleep_for(10ms);
  });
}

// A member that hangs mid-handling (its transaction open, its lease lapsing, never acking) is
// replaced: another member claims the record and applies it; its effect lands exactly once.
TEST_P(BusConsumer, AMemberKilledMidHandlingIsReplacedAndTheEffectAppliesOnce) {
  const auto t = topic("consumer.kill");
  auto opts = options("kill", {t});
  const auto group = opts.group;

  // The victim runs on its own thread and io_context.
  asio::io_context victim_io;
  PgPool victim_pool(victim_io.get_executor(), se::store::PgPoolOptions{conninfo_});
  auto victim_bus = se::bus::make_bus(victim_io.get_executor(), config_for(GetParam()));
  std::atomic<bool> entered{false};
  asio::steady_timer hang(victim_io, asio::steady_timer::time_point::max());
  auto victim_opts = opts;
  victim_opts.member = "victim";
  se::bus::Handler victim_handler = [&](const Envelope& e, PgLease* tx) -> asio::awaitable<void> {
    co_await tx->query(
        "INSERT INTO bus_test_effects (consumer, event_id, key, seq) VALUES ($1, $2::uuid, $3, 0)",
        pg_params(group, e.event_id, e.key));
    // Dies here: PostgreSQL ends the abandoned transaction, the bus never hears an ack.
    co_await tx->query("SET LOCAL idle_in_transaction_session_timeout = '300ms'");
    entered = true;
    boost::system::error_code ec;
    co_await hang.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    throw std::runtime_error("victim woke up");
  };
  Consumer victim(victim_io.get_executor(), *victim_bus, &victim_pool, victim_opts, victim_handler);
  asio::co_spawn(victim_io, victim.run(), asio::detached);
  std::thread victim_thread([&] { victim_io.run(); });

  run(io_, [&]() -> asio::awaitable<void> {
    std::vector<Record> batch{make_record(t, "order-9", "OrderPaid", 1, R"({"seq":1})")};
    co_await bus_->publish(batch);
    const auto deadline = Clock::now() + 20s;
    while (!entered && Clock::now() < deadline) co_await sleep_for(10ms);
    EXPECT_TRUE(entered.load());
  });

  auto survivor_opts = opts;
  survivor_opts.member = "survivor";
  Consumer survivor(io_.get_executor(), *bus_, pool_.get(), survivor_opts, recording(group));
  run(io_, [&]() -> asio::awaitable<void> {
    asio::co_spawn(io_, survivor.run(), asio::detached);
    const auto q = "SELECT count(*) FROM processed_events WHERE consumer = $1";
    EXPECT_EQ(co_await await_count(q, pg_params(group), 1, 30s), 1);
    EXPECT_EQ(co_await count("SELECT count(*) FROM bus_test_effects WHERE consumer = $1",
                             pg_params(group)),
              1);
    survivor.stop();
    while (survivor.running()) co_await sleep_for(10ms);
  });

  // Let the victim's coroutines finish before tearing its objects down.
  victim.stop();
  asio::post(victim_io, [&] { hang.cancel(); });
  const auto deadline = Clock::now() + 10s;
  while (victim.running() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  victim_io.stop();
  victim_thread.join();
}

INSTANTIATE_TEST_SUITE_P(Backends, BusConsumer, ::testing::Values("redis", "kafka"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, RedisBusConsumer, ::testing::Values("redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
