// The EventBus contract, run against both backends: Redis Streams (private Redis) and Kafka
// (librdkafka's mock cluster over TCP on loopback).
#include "bus_support.hpp"

#include <map>
#include <set>

namespace {

using namespace se::test::bus;
using se::bus::EventBus;
using se::bus::Record;
using se::bus::SubscribeOptions;

class BusContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "redis") se::test::TestEnv::get();
    bus_ = se::bus::make_bus(io_.get_executor(), config_for(GetParam()));
  }
  void TearDown() override {
    bus_->stop();
    bus_.reset();
  }
  std::string topic(const std::string& stem) { return fresh_topic(GetParam(), stem); }
  static SubscribeOptions sub(const std::string& group, const std::string& member,
                              const std::string& topic) {
    return SubscribeOptions{group, member, std::vector<std::string>{topic}, true, false};
  }
  asio::io_context io_;
  std::unique_ptr<EventBus> bus_;
};

TEST_P(BusContract, DeliversEveryRecordWithPerKeyOrder) {
  const auto t = topic("contract.order");
  run(io_, [&]() -> asio::awaitable<void> {
    std::vector<Record> batch;
    for (int i = 0; i < 300; ++i) {
      const auto key = "key-" + std::to_string(i % 7);
      batch.push_back(make_record(t, key, "Seq", i + 1, "{\"seq\":" + std::to_string(i) + "}"));
    }
    co_await bus_->publish(batch);
    auto s = co_await bus_->subscribe(sub("g-order", "m1", t));
    auto got = co_await fetch_n(*s, 300);
    EXPECT_EQ(got.size(), 300u);
    std::map<std::string, std::int64_t> last;
    std::set<std::string> ids;
    for (const auto& r : got) {
      auto e = se::bus::from_json(r.value);
      EXPECT_EQ(e.key, r.key);
      EXPECT_GT(e.version, last[e.key]) << "out of order for " << e.key;
      last[e.key] = e.version;
      ids.insert(e.event_id);
    }
    EXPECT_EQ(ids.size(), 300u);
    co_await s->close();
  });
}

TEST_P(BusContract, EveryGroupSeesEveryRecord) {
  const auto t = topic("contract.fanout");
  run(io_, [&]() -> asio::awaitable<void> {
    std::vector<Record> batch;
    for (int i = 0; i < 50; ++i)
      batch.push_back(make_record(t, "k" + std::to_string(i), "X", 0, "{}"));
    co_await bus_->publish(batch);
    auto a = co_await bus_->subscribe(sub("g-fan-a", "m", t));
    auto b = co_await bus_->subscribe(sub("g-fan-b", "m", t));
    EXPECT_EQ((co_await fetch_n(*a, 50)).size(), 50u);
    EXPECT_EQ((co_await fetch_n(*b, 50)).size(), 50u);
    co_await a->close();
    co_await b->close();
  });
}

TEST_P(BusContract, UnackedRecordsGoToTheNextMemberAckedOnesDoNot) {
  const auto t = topic("contract.redeliver");
  const auto body = [&]() -> asio::awaitable<void> {
    std::vector<Record> first, second;
    for (int i = 0; i < 20; ++i)
      first.push_back(make_record(t, "k" + std::to_string(i), "First", 0, "{}"));
    co_await bus_->publish(first);
    {
      // Member A handles and acks the first 20.
      auto a = co_await bus_->subscribe(sub("g-redeliver", "member-a", t));
      EXPECT_EQ((co_await fetch_n(*a, 20)).size(), 20u);
      for (int i = 0; i < 10; ++i)
        second.push_back(make_record(t, "k" + std::to_string(i), "Second", 0, "{}"));
      co_await bus_->publish(second);
      // ...receives 10 more and dies without acking them (no close(): its lease/session lapses).
      auto got = co_await fetch_n(*a, 10, 20s, /*ack=*/false);
      EXPECT_EQ(got.size(), 10u);
    }
    // Member B of the same group gets exactly the unacked ten, once A's session has lapsed (a
    // deadline, not a wait: under a loaded sanitizer run the lapse and rebalance took over 30 s).
    auto b = co_await bus_->subscribe(sub("g-redeliver", "member-b", t));
    auto got = co_await fetch_n(*b, 10, 60s);
    EXPECT_EQ(got.size(), 10u);
    for (const auto& r : got) EXPECT_EQ(se::bus::from_json(r.value).event_type, "Second");
    auto extra = co_await b->fetch(100, 1000ms);
    EXPECT_TRUE(extra.empty()) << extra.size() << " acked records came back";
    co_await b->close();
  };
  // Room for the stages' own deadlines (60 + 20 + 60 s at most): within run()'s default 60 s a
  // slow group join followed by a slow lapse once failed the test as a timeout.
  run(io_, body, 150s);
}

TEST_P(BusContract, ReadsRetainedRecordsWithoutAGroup) {
  const auto t = topic("contract.read");
  run(io_, [&]() -> asio::awaitable<void> {
    std::vector<Record> batch;
    for (int i = 0; i < 30; ++i)
      batch.push_back(make_record(t, "k" + std::to_string(i % 3), "R", 0, "{}"));
    co_await bus_->publish(batch);
    EXPECT_EQ(co_await bus_->length(t), 30);
    se::bus::ReadCursor cur;
    const auto got = co_await read_records(*bus_, t, cur, 30, 20s);
    EXPECT_EQ(got.size(), 30u);
    // Nothing more after the cursor.
    auto more = co_await bus_->read(t, cur, 100, 300ms);
    EXPECT_TRUE(more.empty());
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, BusContract, ::testing::Values("redis", "kafka"),
                         [](const auto& info) { return info.param; });

}  // namespace
