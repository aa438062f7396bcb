// Redis Streams keep what a consumer group may still need and trim what every group has
// acknowledged (BusConfig::acked_keep), on the private Redis.
#include "bus_support.hpp"

namespace {

using namespace se::test::bus;
using se::bus::Record;
using se::bus::SubscribeOptions;

class RedisBusTrim : public ::testing::Test {
 protected:
  void SetUp() override { se::test::TestEnv::get(); }

  // One stream per topic and a trim after every publish, so what is trimmed is exact.
  std::unique_ptr<se::bus::EventBus> make(std::chrono::milliseconds acked_keep) {
    auto cfg = config_for("redis");
    cfg.partitions = 1;
    cfg.acked_keep = acked_keep;
    cfg.trim_interval = 0ms;
    return se::bus::make_bus(io_.get_executor(), cfg);
  }
  static std::vector<Record> records(const std::string& topic, int n) {
    std::vector<Record> out;
    for (int i = 0; i < n; ++i) out.push_back(make_record(topic, "k", "T", i + 1, "{}"));
    return out;
  }
  static SubscribeOptions group(const std::string& name, const std::string& topic) {
    return SubscribeOptions{name, name + "-m", std::vector<std::string>{topic}, true, false};
  }
  asio::io_context io_;
};

TEST_F(RedisBusTrim, TrimsOnlyWhatEveryGroupHasAcknowledged) {
  auto bus = make(0ms);
  const auto t = fresh_topic("redis", "trim.acked");
  run(io_, [&]() -> asio::awaitable<void> {
    co_await bus->publish(records(t, 10));
    EXPECT_EQ(co_await bus->length(t), 10) << "a stream without groups is left to MAXLEN";

    auto a = co_await bus->subscribe(group("trim-a", t));
    auto b = co_await bus->subscribe(group("trim-b", t));
    auto got_a = co_await fetch_n(*a, 10, 30s, /*ack=*/false);
    auto got_b = co_await fetch_n(*b, 10, 30s, /*ack=*/false);
    EXPECT_EQ(got_a.size(), 10u);
    EXPECT_EQ(got_b.size(), 10u);
    co_await a->ack(got_a);
    // B acknowledges its first four; the other six stay pending (delivered, not handled).
    co_await b->ack(std::vector<Record>(got_b.begin(), got_b.begin() + 4));
    co_await bus->publish(records(t, 1));
    EXPECT_EQ(co_await bus->length(t), 7) << "B's six pending entries and the new one stay";

    co_await b->ack(std::vector<Record>(got_b.begin() + 4, got_b.end()));
    co_await bus->publish(records(t, 1));
    // Both groups' last delivered entry (the tenth) bounds the trim; the two new ones were
    // delivered to nobody.
    EXPECT_EQ(co_await bus->length(t), 3);
    auto rest_a = co_await fetch_n(*a, 2, 30s, /*ack=*/false);
    EXPECT_EQ(rest_a.size(), 2u) << "an undelivered entry was trimmed";
    co_await a->close();
    co_await b->close();
  });
  bus->stop();
}

TEST_F(RedisBusTrim, KeepsAcknowledgedEntriesForAckedKeepOrWhenDisabled) {
  for (const auto keep : {std::chrono::milliseconds(3'600'000), std::chrono::milliseconds(-1)}) {
    auto bus = make(keep);
    const auto t = fresh_topic("redis", "trim.keep");
    run(io_, [&]() -> asio::awaitable<void> {
      co_await bus->publish(records(t, 10));
      auto a = co_await bus->subscribe(group("keep-a", t));
      auto got = co_await fetch_n(*a, 10, 30s, /*ack=*/false);
      EXPECT_EQ(got.size(), 10u);
      co_await a->ack(got);
      co_await bus->publish(records(t, 1));
      EXPECT_EQ(co_await bus->length(t), 11) << "acked_keep " << keep.count() << " ms";
      co_await a->close();
    });
    bus->stop();
  }
}

}  // namespace
