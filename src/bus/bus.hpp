// EventBus: one small interface over the message transport, with two real backends
// (Redis Streams, the default, and Kafka through librdkafka). One EventBus per io_context.
//
// Contract (tests/integration/bus_contract_test.cpp runs it against both backends):
//   - publish() returns once every record is durable in the transport (Redis: XADD replied;
//     Kafka: delivery report with acks=all); records of one key keep their order.
//   - A subscription belongs to a consumer group; each record is delivered to one member of
//     the group, records of one key in order, and stays pending until acked. A member that
//     dies without acking has its records redelivered to another member (Redis: partition
//     lease + XAUTOCLAIM; Kafka: group rebalance from the committed offset).
//   - Several groups each see every record (fan-out).
#pragma once
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace se::bus {

struct Record {
  std::string topic;
  std::string key;
  std::string value;  // the serialized envelope (or a DLQ entry)
  std::string
      position;  // backend position: Redis "<partition>/<stream id>", Kafka "<partition>/<offset>"
  bool redelivered = false;  // known to have been delivered before (taken over from a dead member)
};

struct SubscribeOptions {
  std::string group;
  std::string member;               // unique within the group
  std::vector<std::string> topics;  // in priority order: earlier topics are handled first
  bool from_beginning =
      true;                // a new group starts at the oldest retained record, else only new ones
  bool ephemeral = false;  // the group is private to this member and removed on close()
};

struct TopicLag {
  std::string topic;
  std::int64_t lag = 0;      // records not yet delivered to the group (-1 unknown)
  std::int64_t pending = 0;  // delivered, not yet acked (-1 unknown)
};

class Subscription {
 public:
  virtual ~Subscription() = default;
  // Up to `max` records (per topic partition), waiting up to `block` when none is ready.
  // Records come grouped by topic in the priority order of SubscribeOptions::topics.
  virtual boost::asio::awaitable<std::vector<Record>> fetch(int max,
                                                            std::chrono::milliseconds block) = 0;
  // Marks records handled (Redis XACK; Kafka commits offset+1 per partition).
  virtual boost::asio::awaitable<void> ack(const std::vector<Record>& records) = 0;
  virtual boost::asio::awaitable<std::vector<TopicLag>> lag() = 0;
  // Leaves the group (removing it when ephemeral). Unacked records stay pending for others.
  virtual boost::asio::awaitable<void> close() = 0;
};

// Where a plain read (no group) starts and has got to: partition -> position.
struct ReadCursor {
  bool from_end = false;  // start after the newest record (tail -f) instead of the oldest
  std::map<int, std::string> next;
};

class EventBus {
 public:
  virtual ~EventBus() = default;
  [[nodiscard]] virtual std::string name() const = 0;  // "redis" or "kafka"
  virtual boost::asio::awaitable<void> publish(std::vector<Record> records) = 0;
  virtual boost::asio::awaitable<std::unique_ptr<Subscription>> subscribe(
      SubscribeOptions opts) = 0;
  // Reads retained records without a group (tail, DLQ listing), from the cursor on.
  virtual boost::asio::awaitable<std::vector<Record>> read(const std::string& topic,
                                                           ReadCursor& cursor, int max,
                                                           std::chrono::milliseconds block) = 0;
  // Records retained in a topic (DLQ size).
  virtual boost::asio::awaitable<std::int64_t> length(const std::string& topic) = 0;
  // Drops one record for good where the transport can (Redis XDEL after a DLQ replay);
  // returns false where it cannot (Kafka: the log keeps it until retention).
  virtual boost::asio::awaitable<bool> remove(const Record& record) = 0;
  virtual void stop() {}
};

struct BusConfig {
  std::string backend = "redis";  // redis | kafka
  // Redis Streams
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  int partitions = 4;                  // streams per topic (key-hashed)
  std::int64_t retention = 1'000'000;  // approximate MAXLEN per stream
  // An entry that every consumer group of its stream has acknowledged is trimmed once it is this
  // old (negative: never, only `retention` bounds the stream). Redis keeps its whole data set in
  // memory and rewrites all of it into its append-only file, so a stream that keeps what it no
  // longer needs makes every rewrite longer (docs/events.md).
  std::chrono::milliseconds acked_keep{10000};
  std::chrono::milliseconds trim_interval{1000};  // per stream, checked after a publish
  std::chrono::milliseconds lease{10000};         // partition lease of a group member
  // Kafka
  std::string kafka_brokers = "127.0.0.1:9092";
  std::map<std::string, std::string> kafka_config;  // extra librdkafka properties
  std::chrono::milliseconds kafka_session_timeout{10000};
};

std::unique_ptr<EventBus> make_redis_bus(boost::asio::any_io_executor ex, const BusConfig& cfg);
std::unique_ptr<EventBus> make_kafka_bus(boost::asio::any_io_executor ex, const BusConfig& cfg);
std::unique_ptr<EventBus> make_bus(boost::asio::any_io_executor ex, const BusConfig& cfg);

}  // namespace se::bus
