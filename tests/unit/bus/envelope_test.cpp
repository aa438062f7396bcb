// The event envelope, topic names, partitioning, retry schedule and DLQ entries.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "bus/consumer.hpp"
#include "bus/envelope.hpp"

using namespace se::bus;

TEST(BusEnvelope, RoundTripsEveryFieldWithThePayloadEmbeddedAsJson) {
  Envelope e;
  e.event_id = new_uuid();
  e.event_type = "OrderPaid";
  e.occurred_at = now_rfc3339();
  e.correlation_id = "req-42";
  e.key = "order-1";
  e.version = 7;
  e.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  e.payload = R"({"amount_cents":1234,"items":[1,2]})";
  const auto text = to_json(e);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["eventId"], e.event_id);
  EXPECT_EQ(j["payload"]["amount_cents"], 1234);
  EXPECT_EQ(j["version"], 7);
  auto back = from_json(text);
  EXPECT_EQ(back.event_id, e.event_id);
  EXPECT_EQ(back.event_type, e.event_type);
  EXPECT_EQ(back.occurred_at, e.occurred_at);
  EXPECT_EQ(back.correlation_id, e.correlation_id);
  EXPECT_EQ(back.key, e.key);
  EXPECT_EQ(back.version, 7);
  EXPECT_EQ(back.traceparent, e.traceparent);
  EXPECT_EQ(nlohmann::json::parse(back.payload), nlohmann::json::parse(e.payload));
}

TEST(BusEnvelope, RejectsWhatIsNotAnEnvelope) {
  EXPECT_THROW(from_json("not json"), std::invalid_argument);
  EXPECT_THROW(from_json("[1]"), std::invalid_argument);
  EXPECT_THROW(from_json(R"({"eventType":"X"})"), std::invalid_argument);
  EXPECT_THROW(from_json(R"({"eventId":"a","eventType":"X","version":"7"})"),
               std::invalid_argument);
  EXPECT_NO_THROW(from_json(R"({"eventId":"a","eventType":"X"})"));
}

TEST(BusEnvelope, UuidsAreVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = new_uuid();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(std::string("89ab").find(u[19]) != std::string::npos);
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(now_rfc3339().size(), 24u);  // 2026-01-02T03:04:05.678Z
}

TEST(BusEnvelope, PartitionIsStableAndSpreads) {
  EXPECT_EQ(partition_of("order-1", 4), partition_of("order-1", 4));
  EXPECT_EQ(partition_of("anything", 1), 0);
  EXPECT_EQ(partition_of("", 8), partition_of("", 8));
  std::vector<int> counts(8);
  for (int i = 0; i < 8000; ++i)
    ++counts[static_cast<std::size_t>(partition_of("key-" + std::to_string(i), 8))];
  for (int c : counts) EXPECT_GT(c, 800);
}

TEST(BusTopics, DeadLetterNamesFollowTheSeed) {
  EXPECT_EQ(topics::assignment_requests("sf"), "driver_assignment.requests.sf");
  EXPECT_EQ(topics::dlq_of("driver_assignment.requests.sf"), "driver_assignment.requests.dlq.sf");
  EXPECT_EQ(topics::dlq_of("driver_assignment.events.nyc"), "driver_assignment.events.dlq.nyc");
  EXPECT_EQ(topics::dlq_of("order_updates"), "order_updates.dlq");
  EXPECT_EQ(topics::dlq_of(topics::kRestaurantUpdatesHigh), "restaurant_updates.high.dlq");
  EXPECT_EQ(topics::origin_of_dlq("driver_assignment.events.dlq.nyc"),
            "driver_assignment.events.nyc");
  EXPECT_EQ(topics::origin_of_dlq("order_updates.dlq"), "order_updates");
  EXPECT_EQ(topics::origin_of_dlq("order_updates"), std::nullopt);
  const auto prio = topics::restaurant_updates_by_priority();
  ASSERT_EQ(prio.size(), 3u);
  EXPECT_EQ(prio[0], "restaurant_updates.high");
  EXPECT_EQ(prio[2], "restaurant_updates.low");
}

TEST(BusRetry, ExponentialWithEqualJitterAndACap) {
  RetryPolicy p;
  p.base = std::chrono::milliseconds(100);
  p.cap = std::chrono::milliseconds(1000);
  EXPECT_EQ(p.delay_after(1, 0.0).count(), 50);
  EXPECT_EQ(p.delay_after(1, 1.0).count(), 100);
  EXPECT_EQ(p.delay_after(2, 1.0).count(), 200);
  EXPECT_EQ(p.delay_after(3, 0.5).count(), 300);
  EXPECT_EQ(p.delay_after(10, 1.0).count(), 1000);
  EXPECT_EQ(p.delay_after(60, 0.0).count(), 500);  // no overflow
}

TEST(BusDlq, EntriesCarryTheErrorAndReplayRestoresTheEvent) {
  Envelope e;
  e.event_id = new_uuid();
  e.event_type = "MenuChanged";
  e.key = "r1";
  Record rec{"restaurant_updates.medium", "r1", to_json(e), "0/1-0", false};
  auto entry = dlq_entry(rec, "menu-cache.x", "boom", 5);
  auto j = nlohmann::json::parse(entry);
  EXPECT_EQ(j["dlq"]["error"], "boom");
  EXPECT_EQ(j["dlq"]["attempts"], 5);
  EXPECT_EQ(j["eventId"], e.event_id);
  Record dead{"restaurant_updates.medium.dlq", "r1", entry, "0/2-0", false};
  auto back = replay_record(dead);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->topic, "restaurant_updates.medium");
  EXPECT_EQ(from_json(back->value).event_id, e.event_id);
  EXPECT_FALSE(nlohmann::json::parse(back->value).contains("dlq"));
  // Not even JSON: kept raw, replayed raw.
  Record junk{"order_updates", "k", "\x01garbage", "0/3-0", false};
  auto junk_back = replay_record(
      Record{"order_updates.dlq", "k", dlq_entry(junk, "g", "malformed", 1), "", false});
  ASSERT_TRUE(junk_back.has_value());
  EXPECT_EQ(junk_back->value, "\x01garbage");
  EXPECT_FALSE(replay_record(Record{"x.dlq", "k", "{}", "", false}).has_value());
}
