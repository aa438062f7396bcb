// SQL of the orders service. Every statement that names an order names its partition key
// (created_at, recovered from the UUIDv7 id), so it touches one monthly partition.
//
// Plans are generic (store::PgPoolOptions::plan_cache_mode) and made once per connection,
// possibly while a table is still nearly empty. So every row a statement touches is reached
// through a parameter or a scalar sub-select on an indexed key, never by joining a CTE to a
// table: a join planned against a tiny table becomes a hash join over a full scan, and stays one
// as the table grows.
#pragma once
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "services/orders/domain/lifecycle.hpp"
#include "services/orders/domain/placement.hpp"
#include "services/orders/domain/placement_cache.hpp"
#include "store/batcher.hpp"
#include "store/pg.hpp"

namespace se::orders::repo {

struct PlaceRequest {
  std::string order_id;    // UUIDv7
  std::string created_at;  // timestamp literal from the id
  std::string payment_id;  // UUIDv4
  std::string customer_id;
  std::string restaurant_id;
  std::vector<RequestedLine> lines;  // normalised
  std::string delivery_address;
  double lat = 0, lng = 0;
  std::string notes;
  std::string idempotency_key;  // already scoped to the customer
  std::string request_hash;
  std::string correlation_id;
  std::string event_id;
};

struct InventoryPolicy {
  int cas_attempts = 3;  // optimistic attempts before the guarded decrement
  std::chrono::microseconds backoff_base{1000};
  std::chrono::microseconds backoff_cap{20000};
};

struct PlaceResult {
  enum class Kind { created, replay, in_progress } kind = Kind::created;
  // created
  Quote quote;
  // replay
  int response_status = 0;
  std::string response_body;
  std::string order_id;
  std::string created_at;
};

struct InventoryStats {
  int cas_conflicts = 0;
  int guarded_fallbacks = 0;
  int cache_hits = 0;    // placed without a read (PlacementCache)
  int cache_misses = 0;  // tried without a read, then read
};

// One placement's read (batched like the write): its idempotency key, restaurant, delivery
// point and requested items.
struct PlacementQuery {
  std::string key, restaurant_id;
  double lat = 0, lng = 0;
  std::vector<std::string> item_ids;
};
// Its answer: rows [begin, end) of the batch's result.
struct PlacementRows {
  std::shared_ptr<const store::PgResult> result;
  int begin = 0, end = 0;
};
boost::asio::awaitable<std::vector<PlacementRows>> read_placements(
    store::PgPool& pg, const std::vector<PlacementQuery>& batch);
using PlacementReader = store::Batcher<PlacementQuery, PlacementRows>;

// One placement's write, as place() hands it to the batched statement.
struct PlacementWrite {
  std::string key;                       // its idempotency key
  std::vector<std::string> stock_items;  // the prepared items it takes
  nlohmann::json row;                    // everything else, as the statement's record reads it
};
enum class WriteOutcome {
  created,    // written, stock taken
  key_taken,  // a concurrent duplicate holds the idempotency key: nothing written
  lost,       // a compare-and-set lost: nothing written, retry from a fresh read
};
// Placements sharing a stock item or a key never share a batch.
bool placements_conflict(const PlacementWrite& a, const PlacementWrite& b);
// One statement for the batch; one outcome per placement, in order.
boost::asio::awaitable<std::vector<WriteOutcome>> write_placements(
    store::PgPool& pg, const std::vector<PlacementWrite>& batch);
using PlacementWriter = store::Batcher<PlacementWrite, WriteOutcome>;

// Throws se::Problem for every business refusal (key reused with another body, restaurant
// closed / out of range / unknown, items unknown / unavailable / sold out). Reads through
// `reads` (read_placements), writes through `writes` (write_placements). Row locks live only
// inside the write statement, never across the payment call. `cache` is filled by the reads;
// when it knows everything a placement needs, the placement is written without a read.
boost::asio::awaitable<PlaceResult> place(PlacementReader& reads, PlacementWriter& writes,
                                          const PlaceRequest& r, const InventoryPolicy& pol,
                                          std::mt19937_64& rng, InventoryStats& stats,
                                          PlacementCache& cache);

struct OrderRow {
  std::string id, created_at, customer_id, restaurant_id, driver_id, payment_id, status_text;
  Status status = Status::pending_payment;
  std::int64_t version = 0;
  std::int64_t total_cents = 0;
  std::string json;  // the API representation
};

boost::asio::awaitable<std::optional<OrderRow>> load(store::PgPool& pg, const std::string& id,
                                                     const std::string& created_at);
boost::asio::awaitable<std::string> history_json(store::PgPool& pg, const std::string& id,
                                                 const std::string& created_at);

struct Transition {
  std::string order_id, created_at;
  Status from = Status::pending_payment, to = Status::confirmed;
  std::optional<std::int64_t> expected_version;
  std::string actor;  // "customer:<id>", "restaurant:<id>", "system:sweeper", ...
  std::string reason;
  std::optional<std::string> payment_status;  // new payments.status, if it changes
  bool request_refund = false;                // flag the captured payment for a refund
  std::optional<int> idempotent_response;     // store the placement's response (201 / 402)
  std::string correlation_id;
  std::string event_id;
};

// One statement: CAS on (status, version), stock restoration when the domain says so, payment
// row, status history, the order_updates outbox event and the idempotent response, atomically.
// Returns the order JSON after the change, or nullopt when the CAS lost (someone moved it first).
boost::asio::awaitable<std::optional<std::string>> transition(store::PgPool& pg,
                                                              const Transition& t);

// pending_payment -> confirmed for a batch of paid orders (store::Batcher): one result per
// input, in order, each as transition() would answer it for that order alone.
struct Confirm {
  std::string order_id, created_at;
  std::string actor, reason, correlation_id, event_id;
};
boost::asio::awaitable<std::vector<std::optional<std::string>>> confirm_paid(
    store::PgPool& pg, const std::vector<Confirm>& batch);

struct ListQuery {
  std::string customer_id;
  std::optional<std::string> after_id, after_created_at;
  int limit = 20;
};
boost::asio::awaitable<std::vector<std::string>> list_for_customer(store::PgPool& pg,
                                                                   const ListQuery& q);
boost::asio::awaitable<std::vector<std::string>> restaurant_queue(
    store::PgPool& pg, const std::string& restaurant_id, const std::vector<std::string>& statuses,
    int limit);

struct Stuck {
  std::string order_id, created_at, payment_id;
  std::int64_t total_cents = 0;
};
// Orders still pending payment `grace` after placement (crash between reserve, pay and confirm).
boost::asio::awaitable<std::vector<Stuck>> stuck_payments(store::PgPool& pg,
                                                          std::chrono::milliseconds grace,
                                                          int limit);
// Payments of cancelled orders flagged for a refund the gateway has not confirmed yet.
boost::asio::awaitable<std::vector<std::string>> refunds_due(store::PgPool& pg,
                                                             std::chrono::milliseconds grace,
                                                             int limit);
boost::asio::awaitable<void> mark_refunded(store::PgPool& pg, const std::string& payment_id);

}  // namespace se::orders::repo
