#include "bus/relay.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <csignal>

#include "bus/envelope.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "store/args.hpp"

namespace se::bus {

namespace asio = boost::asio;
using asio::awaitable;
using Clock = std::chrono::steady_clock;
using store::pg_params;

namespace {
std::string default_owner() {
  char host[128] = {};
  gethostname(host, sizeof host - 1);
  return fmt::format("{}-{}-{}", host, getpid(), new_uuid().substr(0, 8));
}
}  // namespace

Relay::Relay(asio::any_io_executor ex, store::PgPool& pool, EventBus& bus, RelayOptions opts)
    : ex_(ex), pool_(pool), bus_(bus), opts_(std::move(opts)), wake_(ex), linger_(ex) {
  if (opts_.owner.empty()) opts_.owner = default_owner();
  if (opts_.batch < 1) opts_.batch = 1;
  auto& m = metrics::Registry::global();
  m.describe("bus_published_total", "counter", "Events the outbox relay published to the bus");
  m.describe("bus_outbox_backlog", "gauge",
             "Unpublished outbox rows seen by the relay's last batch");
  m.describe("bus_relay_shards", "gauge", "Outbox shards this process's relay holds");
  if (!opts_.conninfo.empty()) {
    listener_ =
        std::make_unique<store::PgListener>(ex, opts_.conninfo, std::vector<std::string>{"outbox"},
                                            [this](const std::string&, const std::string&) {
                                              dirty_ = true;
                                              wake_.cancel();
                                            });
  }
}

Relay::~Relay() { stop(); }

void Relay::stop() {
  stopped_ = true;
  if (listener_) listener_->stop();
  wake_.cancel();
  linger_.cancel();
}

awaitable<void> Relay::acquire_leases() {
  co_await delete_published();
  next_lease_ = Clock::now() + opts_.lease / 3;
  const auto lease_ms = std::to_string(opts_.lease.count());
  co_await pool_.query(
      "INSERT INTO outbox_relays (owner, seen_at) VALUES ($1, now()) "
      "ON CONFLICT (owner) DO UPDATE SET seen_at = now()",
      pg_params(opts_.owner));
  auto live = co_await pool_.query(
      "SELECT count(*) FROM outbox_relays WHERE seen_at > now() - ($1 || ' "
      "milliseconds')::interval",
      pg_params(lease_ms));
  const int relays = std::max(1, std::stoi(std::string(live.get(0, 0))));
  const int share = (16 + relays - 1) / relays;
  // Renew ours; give back what exceeds our share (we are between batches, so nothing of those
  // shards is in flight); then take free or expired shards up to the share.
  auto held = co_await pool_.query(
      "UPDATE outbox_relay_leases SET expires_at = now() + ($2 || ' milliseconds')::interval "
      "WHERE owner = $1 RETURNING shard",
      pg_params(opts_.owner, lease_ms));
  std::vector<int> mine;
  mine.reserve(static_cast<std::size_t>(held.rows()));
  for (int i = 0; i < held.rows(); ++i) mine.push_back(std::stoi(std::string(held.get(i, 0))));
  std::sort(mine.begin(), mine.end());
  while (static_cast<int>(mine.size()) > share) {
    co_await pool_.query("DELETE FROM outbox_relay_leases WHERE shard = $1::int AND owner = $2",
                         pg_params(std::to_string(mine.back()), opts_.owner));
    mine.pop_back();
  }
  if (static_cast<int>(mine.size()) < share) {
    auto got = co_await pool_.query(
        "INSERT INTO outbox_relay_leases (shard, owner, expires_at) "
        "SELECT s, $1, now() + ($2 || ' milliseconds')::interval FROM generate_series(0, 15) s "
        "WHERE NOT EXISTS (SELECT 1 FROM outbox_relay_leases l WHERE l.shard = s AND l.expires_at "
        "> now()) "
        "ORDER BY s LIMIT $3::int "
        "ON CONFLICT (shard) DO UPDATE SET owner = EXCLUDED.owner, expires_at = "
        "EXCLUDED.expires_at "
        "WHERE outbox_relay_leases.expires_at < now() "
        "RETURNING shard",
        pg_params(opts_.owner, lease_ms, std::to_string(share - static_cast<int>(mine.size()))));
    for (int i = 0; i < got.rows(); ++i) mine.push_back(std::stoi(std::string(got.get(i, 0))));
    std::sort(mine.begin(), mine.end());
  }
  if (mine != shards_) log::info("outbox relay shards", {{"owner", opts_.owner}, {"shards", mine}});
  shards_ = std::move(mine);
  metrics::Registry::global()
      .gauge("bus_relay_shards")
      .store(static_cast<std::int64_t>(shards_.size()));
}

awaitable<int> Relay::drain_once() {
  if (shards_.empty()) co_return 0;
  std::vector<std::string> shard_list;
  for (const auto shard : shards_) shard_list.push_back(std::to_string(shard));
  // The same statement deletes the previous round's rows, which the bus has confirmed.
  auto rows = co_await pool_.query(
      "SELECT id, event_id, topic, key, event_type, payload::text, version, correlation_id, "
      "traceparent, "
      "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
      "FROM outbox_next($1::int[], $2::int, $3::bigint[])",
      pg_params(store::pg_array(shard_list), std::to_string(opts_.batch),
                store::pg_array(published_ids_)));
  published_ids_.clear();
  const int n = rows.rows();
  metrics::Registry::global().gauge("bus_outbox_backlog").store(n);
  if (n == 0) co_return 0;
  if (opts_.fault == "before-publish") ::raise(SIGKILL);

  std::vector<Record> records;
  records.reserve(static_cast<std::size_t>(n));
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    Envelope e;
    e.event_id = rows.get(i, 1);
    e.topic = rows.get(i, 2);
    e.key = rows.get(i, 3);
    e.event_type = rows.get(i, 4);
    e.payload = rows.get(i, 5);
    e.version = std::stoll(std::string(rows.get(i, 6)));
    e.correlation_id = rows.get(i, 7);
    e.traceparent = rows.get(i, 8);
    e.occurred_at = rows.get(i, 9);
    records.push_back(Record{e.topic, e.key, to_json(e), {}, false});
    ids.emplace_back(rows.get(i, 0));
  }
  co_await bus_.publish(records);
  if (opts_.fault == "before-mark") ::raise(SIGKILL);
  // The bus holds the events now (its own retention); an outbox row has done its job. Deleting
  // writes no new row version and no index entry, where stamping published_at wrote both. The
  // delete rides on the next round's read (or on delete_published() when no round follows).
  published_ids_ = std::move(ids);
  published_ += static_cast<std::uint64_t>(n);
  auto& m = metrics::Registry::global();
  std::map<std::string, std::uint64_t> per_topic;
  for (const auto& r : records) ++per_topic[r.topic];
  for (const auto& [t, c] : per_topic) m.counter("bus_published_total", {{"topic", t}}) += c;
  co_return n;
}

// Deletes the rows of the last round that no further round has deleted: before shards may change
// hands (another relay would publish them again) and when stopping.
awaitable<void> Relay::delete_published() {
  if (published_ids_.empty()) co_return;
  co_await pool_.query("DELETE FROM outbox WHERE id = ANY($1::bigint[])",
                       pg_params(store::pg_array(published_ids_)));
  published_ids_.clear();
}

awaitable<void> Relay::cleanup() {
  next_cleanup_ = Clock::now() + std::chrono::minutes(5);
  co_await pool_.query("DELETE FROM outbox_relays WHERE seen_at < now() - interval '1 hour'");
}

awaitable<void> Relay::run() {
  running_ = true;
  if (listener_) listener_->start();
  auto backoff = std::chrono::milliseconds(100);
  bool failed = false;
  bool full = false;  // the last round read a whole batch: more is waiting, no linger
  while (!stopped_) {
    try {
      if (Clock::now() >= next_lease_) co_await acquire_leases();
      if (Clock::now() >= next_cleanup_) co_await cleanup();
      if (!full && Clock::now() < last_round_ + opts_.linger) {
        linger_.expires_at(last_round_ + opts_.linger);
        boost::system::error_code ec;
        co_await linger_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopped_) break;
      }
      last_round_ = Clock::now();
      dirty_ = false;
      int n = 0;
      do {
        n = co_await drain_once();
      } while (!stopped_ && n == opts_.batch && Clock::now() < next_lease_);
      full = n == opts_.batch;
      backoff = std::chrono::milliseconds(100);
      if (n == opts_.batch || dirty_ || stopped_) continue;
      const auto until_lease =
          std::chrono::duration_cast<std::chrono::milliseconds>(next_lease_ - Clock::now());
      auto wait =
          std::min(opts_.poll_interval, std::max(std::chrono::milliseconds(1), until_lease));
      // Rows published but not yet deleted would be published again if this process died while
      // idle; when no notification brings the next round within a linger, one comes anyway.
      if (!published_ids_.empty())
        wait = std::min(wait, std::max(opts_.linger, std::chrono::milliseconds(1)));
      wake_.expires_after(wait);
      boost::system::error_code ec;
      co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    } catch (const std::exception& e) {
      log::warn("outbox relay failed; retrying",
                {{"error", e.what()}, {"backoff_ms", backoff.count()}});
      failed = true;
    }
    if (failed) {
      failed = false;
      next_lease_ = Clock::now();  // re-check leases after an outage
      wake_.expires_after(backoff);
      boost::system::error_code ec;
      co_await wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }
  // Give the shards back so another relay takes over at once.
  try {
    co_await delete_published();
    co_await pool_.query("DELETE FROM outbox_relay_leases WHERE owner = $1",
                         pg_params(opts_.owner));
    co_await pool_.query("DELETE FROM outbox_relays WHERE owner = $1", pg_params(opts_.owner));
  } catch (const std::exception&) {
  }
  running_ = false;
}

}  // namespace se::bus
