// The event backbone inside `swifteats serve`: the bus, the outbox relay and the consumers of
// this process, all on one worker's io_context. Services only declare what they consume.
#pragma once
#include <utility>

#include <CLI/CLI.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "bus/consumer.hpp"
#include "bus/relay.hpp"
#include "store/pg.hpp"

namespace se::bus {

struct ServeBusConfig {
  BusConfig bus;
  std::string redis;  // host:port of the bus's Redis ("" = the server's --redis)
  RelayOptions relay;
  RetryPolicy retry;
  std::string instance;  // this process's name in ephemeral groups (host-pid-random when empty)
  std::vector<std::string> kafka_config;  // key=value librdkafka properties
};

// --bus, --bus-redis, --bus-partitions, --bus-retention, --kafka-brokers, --kafka-config,
// --event-max-attempts, --event-retry-base-ms, --relay-batch, --relay-poll-ms, --relay-lease-ms.
void add_flags(CLI::App& cmd, ServeBusConfig& cfg);

// Parses host:port into the bus config (Redis backend).
void set_redis_address(BusConfig& cfg, const std::string& host_port);

// A unique name for this process: host-pid-random.
std::string instance_name();

class Runtime {
 public:
  Runtime(boost::asio::any_io_executor ex, store::PgPool& pool, ServeBusConfig cfg,
          std::string pg_conninfo);
  ~Runtime();
  EventBus& bus() { return *bus_; }
  const ServeBusConfig& config() const { return cfg_; }
  void start_relay();
  // Starts a consumer (retry policy defaults to the configured one when left at default).
  Consumer& add_consumer(ConsumerOptions opts, Handler handler);
  // Stops the relay and consumers and waits (bounded) for them to let go of their leases.
  boost::asio::awaitable<void> shutdown();

 private:
  boost::asio::any_io_executor ex_;
  store::PgPool& pool_;
  ServeBusConfig cfg_;
  std::string conninfo_;
  std::unique_ptr<EventBus> bus_;
  std::unique_ptr<Relay> relay_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
};

}  // namespace se::bus
