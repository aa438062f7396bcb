// events_bench: producers commit events through the transactional outbox; the relay (in this
// process, like `swifteats serve`) publishes them; a consumer group member handles them. Reports
// consumed events/s and the latency from each producing transaction's commit to its handling.
//
//   events_bench --pg CONNINFO --redis HOST:PORT [--rate 2000 | --rate 0 (full speed)]
//                [--seconds 10] [--producers 8] [--per-tx 10] [--keys 1000] [--bus redis|kafka]
//
// Threads: producers on one io_context, relay + consumer on another (two cores here).
#include <utility>

#include <fmt/format.h>
#include <sodium.h>
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "bus/consumer.hpp"
#include "bus/outbox.hpp"
#include "bus/relay.hpp"
#include "bus/runtime.hpp"
#include "core/log.hpp"
#include "store/args.hpp"
#include "store/pg.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Shared {
  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> committed;  // eventId -> commit time
  std::unordered_set<std::string> early;  // handled before its producer noted the commit
  std::vector<double> latencies_ms;
  std::atomic<std::uint64_t> produced{0}, consumed{0};
  std::atomic<bool> measuring{false}, stop{false};
};

int main(int argc, char** argv) {
  CLI::App app{"events_bench"};
  std::string pg, redis = "127.0.0.1:6379", backend = "redis", brokers = "127.0.0.1:9092";
  double rate = 0;
  int seconds = 10, producers = 8, per_tx = 10, keys = 1000, warmup = 2, relay_batch = 1000;
  app.add_option("--pg", pg)->required();
  app.add_option("--redis", redis);
  app.add_option("--bus", backend);
  app.add_option("--kafka-brokers", brokers);
  app.add_option("--rate", rate, "events/s (0 = as fast as possible)");
  app.add_option("--seconds", seconds);
  app.add_option("--warmup", warmup);
  app.add_option("--producers", producers);
  app.add_option("--per-tx", per_tx, "events per producing transaction");
  app.add_option("--keys", keys);
  app.add_option("--relay-batch", relay_batch);
  CLI11_PARSE(app, argc, argv);
  if (sodium_init() < 0) return 2;
  se::log::init("warn");

  se::bus::BusConfig bc;
  bc.backend = backend;
  se::bus::set_redis_address(bc, redis);
  bc.kafka_brokers = brokers;
  const std::string topic = "bench_events." + se::bus::new_uuid().substr(0, 8);
  Shared sh;

  // --- consumer side: relay + consumer on their own thread
  asio::io_context cio;
  se::store::PgPool cpool(cio.get_executor(), se::store::PgPoolOptions{pg, 4});
  auto cbus = se::bus::make_bus(cio.get_executor(), bc);
  se::bus::RelayOptions ro;
  ro.conninfo = pg;
  ro.batch = relay_batch;
  se::bus::Relay relay(cio.get_executor(), cpool, *cbus, ro);
  se::bus::ConsumerOptions co;
  co.group = "bench";
  co.topics = {topic};
  co.transactional = false;
  co.batch = 500;
  co.block = 200ms;
  se::bus::Consumer consumer(
      cio.get_executor(), *cbus, nullptr, co,
      [&sh](const se::bus::Envelope& e, se::store::PgLease*) -> asio::awaitable<void> {
        const auto now = Clock::now();
        sh.consumed++;
        if (sh.measuring) {
          std::lock_guard lk(sh.mu);
          auto it = sh.committed.find(e.event_id);
          if (it != sh.committed.end()) {
            sh.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(now - it->second).count());
            sh.committed.erase(it);
          } else {
            sh.early.insert(e.event_id);
          }
        }
        co_return;
      });
  asio::co_spawn(cio, relay.run(), asio::detached);
  asio::co_spawn(cio, consumer.run(), asio::detached);
  std::thread consumer_thread([&] { cio.run(); });

  // --- producers
  asio::io_context pio;
  se::store::PgPool ppool(pio.get_executor(), se::store::PgPoolOptions{pg, producers});
  const double tx_rate = rate > 0 ? rate / per_tx : 0;  // transactions per second, all producers
  const auto start = Clock::now();
  const auto measure_from = start + std::chrono::seconds(warmup);
  const auto end = measure_from + std::chrono::seconds(seconds);
  std::atomic<std::uint64_t> produced_measured{0};
  for (int p = 0; p < producers; ++p) {
    asio::co_spawn(
        pio,
        [&, p]() -> asio::awaitable<void> {
          asio::steady_timer timer(pio);
          std::uint64_t n = 0;
          std::uint32_t seed = static_cast<std::uint32_t>(p * 7919 + 1);
          while (Clock::now() < end) {
            if (tx_rate > 0) {  // open loop: producer p's n-th transaction is due at a fixed time
              const auto due =
                  start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>((double(n) * producers + p) / tx_rate));
              if (due > Clock::now()) {
                timer.expires_at(due);
                co_await timer.async_wait(asio::use_awaitable);
              }
            }
            ++n;
            std::vector<se::bus::OutboxEvent> evs;
            for (int i = 0; i < per_tx; ++i) {
              seed = seed * 1103515245u + 12345u;
              se::bus::OutboxEvent ev;
              ev.topic = topic;
              ev.key = "k" + std::to_string((seed >> 8) % static_cast<std::uint32_t>(keys));
              ev.event_type = "BenchEvent";
              ev.payload = R"({"bench":true})";
              evs.push_back(std::move(ev));
            }
            std::vector<std::string> ids;
            try {
              auto tx = co_await ppool.acquire();
              co_await tx.begin();
              ids = co_await se::bus::enqueue_many(tx, std::move(evs));
              co_await tx.commit();
            } catch (const std::exception& e) {
              std::cerr << "producer " << p << ": " << e.what() << std::endl;
              continue;
            }
            const auto t = Clock::now();
            sh.produced += static_cast<std::uint64_t>(per_tx);
            if (t >= measure_from && t < end) {
              produced_measured += static_cast<std::uint64_t>(per_tx);
              std::lock_guard lk(sh.mu);
              for (auto& id : ids) {
                if (sh.early.erase(id))
                  sh.latencies_ms.push_back(0.0);
                else
                  sh.committed.emplace(std::move(id), t);
              }
            }
          }
        },
        asio::detached);
  }
  std::thread timer_thread([&] {
    std::this_thread::sleep_until(measure_from);
    sh.measuring = true;
  });
  pio.run();
  timer_thread.join();
  const std::uint64_t consumed_at_end = sh.consumed;
  // Drain: wait until every measured event has been consumed (or 30 s).
  const auto drain_deadline = Clock::now() + 30s;
  while (Clock::now() < drain_deadline) {
    {
      std::lock_guard lk(sh.mu);
      if (sh.committed.empty()) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  const auto drained = Clock::now();
  std::size_t lost = 0;
  {
    std::lock_guard lk(sh.mu);
    lost = sh.committed.size();
  }
  relay.stop();
  consumer.stop();
  std::this_thread::sleep_for(300ms);
  cio.stop();
  consumer_thread.join();

  auto& lat = sh.latencies_ms;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double q) {
    return lat.empty()
               ? 0.0
               : lat[std::min(lat.size() - 1, static_cast<std::size_t>(q * double(lat.size())))];
  };
  const double window =
      std::chrono::duration<double>(std::max(end, drained) - measure_from).count();
  const double produced_rate = double(produced_measured) / seconds;
  const double e2e_rate = double(lat.size()) / window;
  (void)consumed_at_end;
  std::cout
      << fmt::format(
             R"({{"bench":"events","bus":"{}","target_rate":{},"producers":{},"per_tx":{},"seconds":{},)"
             R"("produced_per_s":{:.0f},"end_to_end_per_s":{:.0f},"measured":{},"not_consumed":{},)"
             R"("p50_ms":{:.2f},"p90_ms":{:.2f},"p99_ms":{:.2f},"max_ms":{:.2f}}})",
             backend, rate, producers, per_tx, seconds, produced_rate, e2e_rate, lat.size(), lost,
             pct(0.50), pct(0.90), pct(0.99), lat.empty() ? 0.0 : lat.back())
      << std::endl;
  return lost == 0 ? 0 : 1;
}
