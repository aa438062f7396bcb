#include "bus/consumer.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <unistd.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "store/args.hpp"

namespace se::bus {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
using store::pg_params;

std::string dlq_entry(const Record& rec, const std::string& group, const std::string& error,
                      int attempts) {
  json j = json::parse(rec.value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) j = json{{"raw", rec.value}};
  j["dlq"] = {{"error", error},     {"attempts", attempts},      {"consumer", group},
              {"topic", rec.topic}, {"failedAt", now_rfc3339()}, {"position", rec.position}};
  return j.dump();
}

std::optional<Record> replay_record(const Record& dlq_record) {
  json j = json::parse(dlq_record.value, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("dlq")) return std::nullopt;
  Record r;
  r.topic = j["dlq"].value("topic", topics::origin_of_dlq(dlq_record.topic).value_or(""));
  r.key = dlq_record.key;
  j.erase("dlq");
  if (j.contains("raw") && j.size() == 1) {
    r.value = j["raw"].get<std::string>();
  } else {
    r.value = j.dump();
  }
  if (r.topic.empty()) return std::nullopt;
  return r;
}

namespace {
std::string outcome_name(Consumer::Outcome o) {
  switch (o) {
    case Consumer::Outcome::handled:
      return "handled";
    case Consumer::Outcome::duplicate:
      return "duplicate";
    case Consumer::Outcome::stale:
      return "stale";
    case Consumer::Outcome::dead_lettered:
      return "dead_lettered";
  }
  return "unknown";
}
}  // namespace

Consumer::Consumer(asio::any_io_executor ex, EventBus& bus, store::PgPool* pool,
                   ConsumerOptions opts, Handler h)
    : ex_(ex), bus_(bus), pool_(pool), opts_(std::move(opts)), handler_(std::move(h)), timer_(ex) {
  if (opts_.member.empty()) {
    char host[128] = {};
    gethostname(host, sizeof host - 1);
    opts_.member = fmt::format("{}-{}-{}", host, getpid(), new_uuid().substr(0, 8));
  }
  if (opts_.transactional && !pool_)
    throw std::invalid_argument("a transactional consumer needs a PgPool");
  auto& m = metrics::Registry::global();
  m.describe("bus_consumed_total", "counter", "Records a consumer group finished, by outcome");
  m.describe("bus_retries_total", "counter", "Failed handling attempts that were retried");
  m.describe("bus_dead_lettered_total", "counter", "Records moved to a DLQ");
  m.describe("bus_dlq_size", "gauge", "Records retained in a DLQ topic");
  m.describe("bus_consumer_lag", "gauge", "Records not yet delivered to a consumer group");
  m.describe("bus_consumer_pending", "gauge", "Records delivered to a group but not yet acked");
  m.describe("bus_event_age_seconds", "histogram",
             "From the event's commit (occurredAt) to handled");
}

Consumer::~Consumer() { stop(); }

void Consumer::stop() {
  stopped_ = true;
  timer_.cancel();
}

awaitable<void> Consumer::sleep(std::chrono::milliseconds d) {
  timer_.expires_after(d);
  boost::system::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

awaitable<Consumer::Outcome> Consumer::apply(const Envelope& e) {
  if (!opts_.transactional) {
    co_await handler_(e, nullptr);
    co_return Outcome::handled;
  }
  auto tx = co_await pool_->acquire();
  co_await tx.begin();
  auto seen = co_await tx.query(
      "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO "
      "NOTHING",
      pg_params(opts_.group, e.event_id));
  if (seen.affected() == 0) {
    co_await tx.rollback();
    co_return Outcome::duplicate;
  }
  if (e.version > 0 && !e.key.empty()) {
    auto fresh = co_await tx.query(
        "INSERT INTO consumer_versions (consumer, key, version) VALUES ($1, $2, $3::bigint) "
        "ON CONFLICT (consumer, key) DO UPDATE SET version = EXCLUDED.version, updated_at = now() "
        "WHERE consumer_versions.version < EXCLUDED.version",
        pg_params(opts_.group, e.key, std::to_string(e.version)));
    if (fresh.affected() == 0) {
      co_await tx.commit();  // remember the eventId too: a redelivery is then a plain duplicate
      co_return Outcome::stale;
    }
  }
  co_await handler_(e, &tx);
  co_await tx.commit();
  co_return Outcome::handled;
}

awaitable<void> Consumer::dead_letter(const Record& rec, const std::string& error, int attempts) {
  std::vector<Record> out{Record{
      topics::dlq_of(rec.topic), rec.key, dlq_entry(rec, opts_.group, error, attempts), {}, false}};
  // The DLQ write must not be lost: retry until it lands or we are stopped (then the record
  // stays unacked and is redelivered).
  auto delay = std::chrono::milliseconds(100);
  while (true) {
    try {
      co_await bus_.publish(out);
      break;
    } catch (const std::exception& e) {
      if (stopped_) throw;
      log::warn("DLQ publish failed; retrying", {{"topic", out[0].topic}, {"error", e.what()}});
    }
    co_await sleep(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(5000));
  }
  log::warn("event dead-lettered", {{"group", opts_.group},
                                    {"topic", rec.topic},
                                    {"key", rec.key},
                                    {"attempts", attempts},
                                    {"error", error}});
  metrics::Registry::global().counter("bus_dead_lettered_total",
                                      {{"group", opts_.group}, {"topic", rec.topic}})++;
}

// From the event's commit to now; occurredAt has millisecond precision, good enough for the
// latency histogram.
void Consumer::observe_age(const Envelope& e) const {
  if (e.occurred_at.size() < 23) return;
  std::tm tm{};
  if (!strptime(e.occurred_at.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return;
  std::int64_t millis = 0;  // the three digits after the seconds' point; never throws
  for (std::size_t i = 20; i < 23; ++i) {
    const char d = e.occurred_at[i];
    if (d < '0' || d > '9') return;
    millis = millis * 10 + (d - '0');
  }
  const auto ms = static_cast<std::int64_t>(timegm(&tm)) * 1000 + millis;
  const double age = static_cast<double>(now_unix_micros() - ms * 1000) / 1e6;
  metrics::Registry::global()
      .histogram("bus_event_age_seconds", {{"group", opts_.group}})
      .observe(std::max(0.0, age));
}

awaitable<Consumer::Outcome> Consumer::handle(const Record& rec) {
  Envelope e;
  std::string malformed;
  try {
    e = from_json(rec.value);
    e.topic = rec.topic;
  } catch (const std::exception& ex) {
    malformed = ex.what();
  }
  if (!malformed.empty()) {  // cannot become valid by retrying
    co_await dead_letter(rec, "malformed envelope: " + malformed, 1);
    co_return Outcome::dead_lettered;
  }
  auto& m = metrics::Registry::global();
  // Read below; clang 14's analyzer loses track of it across the coroutine's suspensions.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int max_attempts = std::max(1, opts_.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    std::string error;
    try {
      const auto outcome = co_await apply(e);
      if (outcome == Outcome::handled) observe_age(e);
      co_return outcome;
    } catch (const std::exception& ex) {
      error = ex.what();
    }
    if (stopped_) throw std::runtime_error("stopping: " + error);  // leave it unacked
    if (attempt >= max_attempts) {
      co_await dead_letter(rec, error, attempt);
      co_return Outcome::dead_lettered;
    }
    m.counter("bus_retries_total", {{"group", opts_.group}, {"topic", rec.topic}})++;
    const double r = static_cast<double>(randombytes_uniform(1u << 20)) / double(1u << 20);
    co_await sleep(opts_.retry.delay_after(attempt, r));
    if (stopped_) throw std::runtime_error("stopping: " + error);
  }
}

awaitable<void> Consumer::publish_stats(Subscription& sub) {
  auto& m = metrics::Registry::global();
  for (const auto& l : co_await sub.lag()) {
    m.gauge("bus_consumer_lag", {{"group", opts_.group}, {"topic", l.topic}}).store(l.lag);
    m.gauge("bus_consumer_pending", {{"group", opts_.group}, {"topic", l.topic}}).store(l.pending);
  }
  for (const auto& t : opts_.topics) {
    const auto dlq = topics::dlq_of(t);
    const auto size = co_await bus_.length(dlq);
    m.gauge("bus_dlq_size", {{"topic", dlq}}).store(size);
  }
}

awaitable<void> Consumer::run() {
  running_ = true;
  auto& m = metrics::Registry::global();
  std::unique_ptr<Subscription> sub;
  auto backoff = std::chrono::milliseconds(200);
  auto next_stats = Clock::now();
  bool failed = false;
  while (!stopped_) {
    try {
      if (!sub) {
        SubscribeOptions so{opts_.group, opts_.member, opts_.topics, opts_.from_beginning,
                            opts_.ephemeral};
        sub = co_await bus_.subscribe(so);
      }
      auto records = co_await sub->fetch(opts_.batch, opts_.block);
      std::vector<Record> done;
      done.reserve(records.size());
      for (const auto& rec : records) {
        if (stopped_) break;
        const auto outcome = co_await handle(rec);
        done.push_back(rec);
        m.counter(
            "bus_consumed_total",
            {{"group", opts_.group}, {"topic", rec.topic}, {"outcome", outcome_name(outcome)}})++;
      }
      if (!done.empty()) co_await sub->ack(done);
      if (Clock::now() >= next_stats) {
        next_stats = Clock::now() + opts_.stats_interval;
        co_await publish_stats(*sub);
      }
      backoff = std::chrono::milliseconds(200);
    } catch (const std::exception& e) {
      if (!stopped_)
        log::warn("event consumer failed; retrying", {{"group", opts_.group}, {"error", e.what()}});
      failed = true;
    }
    if (failed && !stopped_) {
      failed = false;
      // Unacked records stay pending; a fresh subscription reclaims them.
      sub.reset();
      co_await sleep(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }
  if (sub) {
    try {
      co_await sub->close();
    } catch (const std::exception&) {
    }
  }
  running_ = false;
}

}  // namespace se::bus
