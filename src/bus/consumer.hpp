// A consumer group member: fetches from the bus, runs the handler, acks. At-least-once delivery
// becomes effectively-once for transactional handlers: the handler's writes, the eventId in
// processed_events and the key's version in consumer_versions commit in one transaction, so a
// redelivered event is recognised and skipped, and a stale version (<= the newest applied for
// its key) is ignored. Failures are retried in place (so a key's later events wait behind it)
// with jittered exponential backoff; after the last attempt the record goes to the topic's DLQ
// with the error and attempt count, and the stream moves on.
#pragma once
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bus/bus.hpp"
#include "bus/envelope.hpp"
#include "store/pg.hpp"

namespace se::bus {

struct ConsumerOptions {
  std::string group;                // consumer name: processed_events.consumer and the bus group
  std::string member;               // unique in the group (host-pid-random when empty)
  std::vector<std::string> topics;  // priority order
  bool ephemeral = false;           // a private group for this process (cache invalidation fan-out)
  bool from_beginning = true;
  bool transactional = true;  // needs a PgPool: dedup + versions + handler in one transaction
  RetryPolicy retry;
  int batch = 100;
  std::chrono::milliseconds block{1000};
  std::chrono::milliseconds stats_interval{5000};  // lag and DLQ size gauges
};

// tx is the open transaction (transactional consumers) or nullptr. Throwing means "failed".
using Handler =
    std::function<boost::asio::awaitable<void>(const Envelope& event, store::PgLease* tx)>;

class Consumer {
 public:
  Consumer(boost::asio::any_io_executor ex, EventBus& bus, store::PgPool* pool,
           ConsumerOptions opts, Handler h);
  ~Consumer();
  // Runs until stop(); never throws.
  boost::asio::awaitable<void> run();
  void stop();
  [[nodiscard]] bool running() const { return running_; }
  [[nodiscard]] const ConsumerOptions& options() const { return opts_; }

  enum class Outcome { handled, duplicate, stale, dead_lettered };

 private:
  boost::asio::awaitable<Outcome> handle(const Record& rec);
  boost::asio::awaitable<Outcome> apply(const Envelope& e);
  void observe_age(const Envelope& e) const;
  boost::asio::awaitable<void> dead_letter(const Record& rec, const std::string& error,
                                           int attempts);
  boost::asio::awaitable<void> publish_stats(Subscription& sub);
  boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);

  boost::asio::any_io_executor ex_;
  EventBus& bus_;
  store::PgPool* pool_;
  ConsumerOptions opts_;
  Handler handler_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  bool running_ = false;
};

// Builds a DLQ entry: the original envelope with a "dlq" object (error, attempts, consumer,
// topic, failedAt); a value that is not JSON is kept under "raw".
std::string dlq_entry(const Record& rec, const std::string& group, const std::string& error,
                      int attempts);
// The record to publish to put a DLQ entry back on its topic (nullopt if it is not one).
std::optional<Record> replay_record(const Record& dlq_record);

}  // namespace se::bus
