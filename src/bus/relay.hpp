// The outbox relay: publishes committed outbox rows to the EventBus in id order per key, then
// deletes them (in the statement that reads its next round). Woken by LISTEN/NOTIFY (trigger
// outbox_notify), with a slow poll as a safety net; under load it drains in batches back to
// back. Several relays may run (one per process): each holds leases on some of the outbox's 16
// key shards, so a key is relayed by one relay at a time. A crash at any point loses nothing:
// rows are deleted only after the bus confirmed them, so the worst case is a duplicate publish,
// which consumers ignore by eventId.
#pragma once
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "store/pg.hpp"
#include "store/pg_listener.hpp"

namespace se::bus {

struct RelayOptions {
  std::string conninfo;  // for the LISTEN connection (the pool serves the rest)
  std::string owner;     // unique per relay (host-pid-random when empty)
  int batch = 1000;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds lease{10000};
  // Shortest time between the starts of two rounds, unless the last one was a full batch: a round
  // (one statement, one publish) costs about the same for one row as for twenty, so under a
  // steady trickle of notifications a short wait turns many tiny rounds into fewer larger ones.
  // An event waits at most this much longer. 0 drains at every notification.
  std::chrono::milliseconds linger{5};
  // Fault injection for tests: "before-publish" or "before-mark" makes the process SIGKILL
  // itself at that point of the first non-empty batch.
  std::string fault;
};

class Relay {
 public:
  Relay(boost::asio::any_io_executor ex, store::PgPool& pool, EventBus& bus, RelayOptions opts);
  ~Relay();
  // Runs until stop(); never throws (errors are logged and retried).
  boost::asio::awaitable<void> run();
  void stop();
  [[nodiscard]] bool running() const { return running_; }
  [[nodiscard]] std::uint64_t published() const { return published_; }

 private:
  boost::asio::awaitable<void> acquire_leases();
  boost::asio::awaitable<int> drain_once();
  boost::asio::awaitable<void> cleanup();
  boost::asio::awaitable<void> delete_published();

  boost::asio::any_io_executor ex_;
  store::PgPool& pool_;
  EventBus& bus_;
  RelayOptions opts_;
  std::unique_ptr<store::PgListener> listener_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer linger_;  // cut short by stop() only, not by notifications
  bool dirty_ = true;
  bool stopped_ = false;
  bool running_ = false;
  std::vector<int> shards_;
  std::chrono::steady_clock::time_point next_lease_{};
  std::chrono::steady_clock::time_point next_cleanup_{};
  std::chrono::steady_clock::time_point last_round_{};
  std::uint64_t published_ = 0;
  std::vector<std::string> published_ids_;  // the last round's rows, published, not yet deleted
};

}  // namespace se::bus
