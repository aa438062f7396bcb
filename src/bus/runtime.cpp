#include "bus/runtime.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bus/envelope.hpp"
#include "core/log.hpp"

namespace se::bus {

namespace asio = boost::asio;

void set_redis_address(BusConfig& cfg, const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  cfg.redis_host = host_port.substr(0, colon);
  cfg.redis_port = colon == std::string::npos ? 6379 : std::stoi(host_port.substr(colon + 1));
}

std::string instance_name() {
  char host[128] = {};
  gethostname(host, sizeof host - 1);
  return fmt::format("{}-{}-{}", host, getpid(), new_uuid().substr(0, 8));
}

void add_flags(CLI::App& cmd, ServeBusConfig& cfg) {
  cmd.add_option("--bus", cfg.bus.backend, "Event bus backend: redis (Streams) or kafka")
      ->envname("SWIFTEATS_BUS")
      ->check(CLI::IsMember({"redis", "kafka"}))
      ->capture_default_str();
  cmd.add_option("--bus-redis", cfg.redis, "Redis host:port for the event bus (default: --redis)")
      ->envname("SWIFTEATS_BUS_REDIS");
  cmd.add_option("--bus-partitions", cfg.bus.partitions, "Redis Streams: streams per topic")
      ->envname("SWIFTEATS_BUS_PARTITIONS")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd.add_option("--bus-retention", cfg.bus.retention,
                 "Redis Streams: approximate entries kept per stream")
      ->envname("SWIFTEATS_BUS_RETENTION")
      ->capture_default_str();
  cmd.add_option("--bus-acked-keep-ms", cfg.bus.acked_keep,
                 "Redis Streams: trim entries every consumer group has acknowledged once they "
                 "are this old (negative: keep them up to --bus-retention)")
      ->envname("SWIFTEATS_BUS_ACKED_KEEP_MS")
      ->capture_default_str();
  cmd.add_option("--bus-lease-ms", cfg.bus.lease,
                 "Redis Streams: partition lease of a group member")
      ->envname("SWIFTEATS_BUS_LEASE_MS")
      ->capture_default_str();
  cmd.add_option("--kafka-brokers", cfg.bus.kafka_brokers,
                 "Kafka bootstrap servers (host:port,...)")
      ->envname("SWIFTEATS_KAFKA_BROKERS")
      ->capture_default_str();
  cmd.add_option("--kafka-config", cfg.kafka_config,
                 "Extra librdkafka properties, key=value (repeatable)")
      ->envname("SWIFTEATS_KAFKA_CONFIG")
      ->delimiter(',');
  cmd.add_option("--kafka-session-timeout-ms", cfg.bus.kafka_session_timeout,
                 "Kafka consumer session timeout")
      ->envname("SWIFTEATS_KAFKA_SESSION_TIMEOUT_MS")
      ->capture_default_str();
  cmd.add_option("--event-max-attempts", cfg.retry.max_attempts, "Handling attempts before the DLQ")
      ->envname("SWIFTEATS_EVENT_MAX_ATTEMPTS")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd.add_option("--event-retry-base-ms", cfg.retry.base, "First retry delay (doubles, jittered)")
      ->envname("SWIFTEATS_EVENT_RETRY_BASE_MS")
      ->capture_default_str();
  cmd.add_option("--relay-batch", cfg.relay.batch, "Outbox rows per relay batch")
      ->envname("SWIFTEATS_RELAY_BATCH")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd.add_option("--relay-poll-ms", cfg.relay.poll_interval,
                 "Relay poll interval besides LISTEN/NOTIFY")
      ->envname("SWIFTEATS_RELAY_POLL_MS")
      ->capture_default_str();
  cmd.add_option("--relay-linger-ms", cfg.relay.linger,
                 "Shortest time between two relay rounds, unless the last one was a full batch")
      ->envname("SWIFTEATS_RELAY_LINGER_MS")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd.add_option("--relay-lease-ms", cfg.relay.lease, "Relay shard lease")
      ->envname("SWIFTEATS_RELAY_LEASE_MS")
      ->capture_default_str();
  cmd.add_option("--relay-fault", cfg.relay.fault, "Testing: before-publish | before-mark")
      ->envname("SWIFTEATS_RELAY_FAULT")
      ->group("");
}

Runtime::Runtime(asio::any_io_executor ex, store::PgPool& pool, ServeBusConfig cfg,
                 std::string pg_conninfo)
    : ex_(ex), pool_(pool), cfg_(std::move(cfg)), conninfo_(std::move(pg_conninfo)) {
  if (cfg_.instance.empty()) cfg_.instance = instance_name();
  for (const auto& kv : cfg_.kafka_config) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("--kafka-config wants key=value, got " + kv);
    cfg_.bus.kafka_config[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  bus_ = make_bus(ex_, cfg_.bus);
  log::info("event bus", {{"backend", bus_->name()}, {"instance", cfg_.instance}});
}

Runtime::~Runtime() {
  if (relay_) relay_->stop();
  for (auto& c : consumers_) c->stop();
}

void Runtime::start_relay() {
  auto ro = cfg_.relay;
  ro.conninfo = conninfo_;
  ro.owner = cfg_.instance;
  relay_ = std::make_unique<Relay>(ex_, pool_, *bus_, ro);
  asio::co_spawn(ex_, relay_->run(), asio::detached);
}

Consumer& Runtime::add_consumer(ConsumerOptions opts, Handler handler) {
  if (opts.member.empty()) opts.member = cfg_.instance;
  opts.retry = cfg_.retry;
  consumers_.push_back(
      std::make_unique<Consumer>(ex_, *bus_, &pool_, std::move(opts), std::move(handler)));
  asio::co_spawn(ex_, consumers_.back()->run(), asio::detached);
  return *consumers_.back();
}

asio::awaitable<void> Runtime::shutdown() {
  if (relay_) relay_->stop();
  for (auto& c : consumers_) c->stop();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  asio::steady_timer t(ex_);
  while (std::chrono::steady_clock::now() < deadline) {
    bool busy = relay_ && relay_->running();
    for (auto& c : consumers_) busy |= c->running();
    if (!busy) break;
    t.expires_after(std::chrono::milliseconds(10));
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  bus_->stop();
}

}  // namespace se::bus
