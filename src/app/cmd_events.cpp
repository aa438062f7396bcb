// `swifteats events`: operate the event bus.
//   events tail <topic> [--from-beginning] [--max N]   print records as JSON lines (follows)
//   events dlq list <topic> [--max N]                  print the DLQ of <topic>
//   events dlq replay <topic> [--max N]                put DLQ records back on <topic>
#include <utility>

#include <fmt/format.h>
#include <sodium.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/command_registry.hpp"
#include "bus/consumer.hpp"
#include "bus/runtime.hpp"
#include "core/log.hpp"

namespace se::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using nlohmann::json;

struct EventsConfig {
  bus::ServeBusConfig bus;
  std::string redis = "127.0.0.1:6380";
  std::string topic;
  bool from_beginning = false;
  long max = -1;  // -1: unlimited (tail follows; dlq: all)
};

void print(const bus::Record& r) {
  json line{{"topic", r.topic}, {"key", r.key}, {"position", r.position}};
  auto v = json::parse(r.value, nullptr, false);
  if (v.is_discarded())
    line["raw"] = r.value;
  else
    line["value"] = std::move(v);
  std::cout << line.dump() << "\n" << std::flush;
}

std::string dlq_name(const std::string& topic) {
  return bus::topics::origin_of_dlq(topic) ? topic : bus::topics::dlq_of(topic);
}

void run_blocking(EventsConfig& cfg,
                  const std::function<asio::awaitable<void>(bus::EventBus&)>& body) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  log::init("warn");
  asio::io_context io;
  auto bc = cfg.bus.bus;
  bus::set_redis_address(bc, cfg.bus.redis.empty() ? cfg.redis : cfg.bus.redis);
  for (const auto& kv : cfg.bus.kafka_config) {
    const auto eq = kv.find('=');
    if (eq != std::string::npos) bc.kafka_config[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto b = bus::make_bus(io.get_executor(), bc);
  std::exception_ptr error;
  asio::co_spawn(io, body(*b), [&](std::exception_ptr e) {
    error = e;
    io.stop();
  });
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { io.stop(); });
  io.run();
  b->stop();
  if (error) std::rethrow_exception(error);
}

void common(CLI::App& c, EventsConfig& cfg) {
  c.add_option("--redis", cfg.redis, "Redis host:port")
      ->envname("SWIFTEATS_REDIS")
      ->capture_default_str();
  c.add_option("--bus", cfg.bus.bus.backend, "redis or kafka")
      ->envname("SWIFTEATS_BUS")
      ->capture_default_str();
  c.add_option("--bus-redis", cfg.bus.redis, "Redis host:port of the bus (default: --redis)")
      ->envname("SWIFTEATS_BUS_REDIS");
  c.add_option("--bus-partitions", cfg.bus.bus.partitions,
               "Redis Streams: streams per topic (as the servers)")
      ->envname("SWIFTEATS_BUS_PARTITIONS")
      ->capture_default_str();
  c.add_option("--kafka-brokers", cfg.bus.bus.kafka_brokers, "Kafka bootstrap servers")
      ->envname("SWIFTEATS_KAFKA_BROKERS")
      ->capture_default_str();
  c.add_option("--kafka-config", cfg.bus.kafka_config, "Extra librdkafka key=value")
      ->envname("SWIFTEATS_KAFKA_CONFIG")
      ->delimiter(',');
  c.add_option("topic", cfg.topic, "Topic, e.g. restaurant_updates.medium")->required();
  c.add_option("--max", cfg.max, "Stop after this many records");
}

void setup(CLI::App& root) {
  auto* ev = root.add_subcommand("events", "Inspect and operate the event bus");
  ev->require_subcommand(1);

  auto tail_cfg = std::make_shared<EventsConfig>();
  auto* tail =
      ev->add_subcommand("tail", "Print a topic's records as JSON lines, following new ones");
  common(*tail, *tail_cfg);
  tail->add_flag("--from-beginning", tail_cfg->from_beginning,
                 "Start at the oldest retained record");
  tail->callback([tail_cfg] {
    run_blocking(*tail_cfg, [tail_cfg](bus::EventBus& b) -> asio::awaitable<void> {
      bus::ReadCursor cur;
      cur.from_end = !tail_cfg->from_beginning;
      long seen = 0;
      while (tail_cfg->max < 0 || seen < tail_cfg->max) {
        auto recs = co_await b.read(tail_cfg->topic, cur, 100, 1000ms);
        for (const auto& r : recs) {
          print(r);
          if (++seen == tail_cfg->max) break;
        }
      }
    });
  });

  auto* dlq = ev->add_subcommand("dlq", "Dead-letter queues");
  dlq->require_subcommand(1);
  auto list_cfg = std::make_shared<EventsConfig>();
  auto* list =
      dlq->add_subcommand("list", "Print the DLQ of a topic (error, attempts, original event)");
  common(*list, *list_cfg);
  list->callback([list_cfg] {
    run_blocking(*list_cfg, [list_cfg](bus::EventBus& b) -> asio::awaitable<void> {
      const auto name = dlq_name(list_cfg->topic);
      bus::ReadCursor cur;
      long seen = 0;
      while (list_cfg->max < 0 || seen < list_cfg->max) {
        auto recs = co_await b.read(name, cur, 100, 500ms);
        if (recs.empty()) break;
        for (const auto& r : recs) {
          print(r);
          if (++seen == list_cfg->max) break;
        }
      }
      std::cerr << fmt::format("{} record(s) in {}\n", seen, name);
    });
  });

  auto replay_cfg = std::make_shared<EventsConfig>();
  auto* replay = dlq->add_subcommand("replay", "Publish a topic's DLQ records back onto the topic");
  common(*replay, *replay_cfg);
  replay->callback([replay_cfg] {
    run_blocking(*replay_cfg, [replay_cfg](bus::EventBus& b) -> asio::awaitable<void> {
      const auto name = dlq_name(replay_cfg->topic);
      // A consumer group remembers what was replayed (Kafka cannot delete); Redis also deletes.
      bus::SubscribeOptions so{"swifteats-dlq-replay", "cli", {name}, true, false};
      auto sub = co_await b.subscribe(so);
      long done = 0;
      const auto start = std::chrono::steady_clock::now();
      while (replay_cfg->max < 0 || done < replay_cfg->max) {
        auto recs = co_await sub->fetch(100, 1000ms);
        if (recs.empty()) {
          // Allow a Kafka group a few seconds to be assigned its partitions.
          if (done > 0 || std::chrono::steady_clock::now() - start > 8s) break;
          continue;
        }
        std::vector<bus::Record> handled;
        for (const auto& r : recs) {
          if (replay_cfg->max >= 0 && done >= replay_cfg->max) break;
          auto back = bus::replay_record(r);
          if (!back) {
            std::cerr << "skipping a record that is not a DLQ entry at " << r.position << "\n";
          } else {
            std::vector<bus::Record> one{*back};
            co_await b.publish(one);
            ++done;
          }
          handled.push_back(r);
        }
        co_await sub->ack(handled);
        for (const auto& r : handled) co_await b.remove(r);
      }
      co_await sub->close();
      std::cerr << fmt::format("replayed {} record(s) from {}\n", done, name);
    });
  });
}

const RegisterCommand registered{setup};

}  // namespace
}  // namespace se::app
