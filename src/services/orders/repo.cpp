#include "services/orders/repo.hpp"

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/problem.hpp"
#include "services/orders/domain/placement_cache.hpp"
#include "store/args.hpp"

namespace se::orders::repo {

namespace {
using boost::asio::awaitable;
using nlohmann::json;
using store::pg_params;

// The API representation of an order row aliased `o`.
constexpr const char* kOrderJson =
    "jsonb_build_object('id', o.id, 'status', o.status, 'version', o.version, 'customer_id', "
    "o.customer_id, "
    "'restaurant_id', o.restaurant_id, 'driver_id', o.driver_id, 'items', o.items, "
    "'subtotal_cents', o.subtotal_cents, 'delivery_fee_cents', o.delivery_fee_cents, "
    "'total_cents', o.total_cents, 'currency', o.currency, 'delivery_address', o.delivery_address, "
    "'delivery_point', jsonb_build_object('lat', ST_Y(o.destination::geometry), 'lng', "
    "ST_X(o.destination::geometry)), "
    "'payment_id', o.payment_id, 'notes', o.notes, 'cancel_reason', o.cancel_reason, "
    "'created_at', o.created_at, 'updated_at', o.updated_at)";

// The order_updates event of a transition of the order row aliased `o`; the arguments are SQL
// expressions for the previous status, the actor and the reason.
std::string event_payload(std::string_view previous, std::string_view actor,
                          std::string_view reason) {
  return fmt::format(
      "jsonb_build_object('orderId', o.id, 'status', o.status, 'previousStatus', {}, 'version', "
      "o.version, "
      "'customerId', o.customer_id, 'restaurantId', o.restaurant_id, 'driverId', o.driver_id, "
      "'geoKey', o.geo_key, 'totalCents', o.total_cents, 'actor', {}, 'reason', {}, 'at', "
      "o.updated_at, "
      "'destination', jsonb_build_object('lat', ST_Y(o.destination::geometry), "
      "'lng', ST_X(o.destination::geometry)))",
      previous, actor, reason);
}

std::string str(const store::PgResult& r, int row, int col) { return std::string(r.get(row, col)); }
std::int64_t num(const store::PgResult& r, int row, int col) {
  return std::stoll(std::string(r.get(row, col)));
}

awaitable<void> sleep_for(const boost::asio::any_io_executor& ex, std::chrono::microseconds d) {
  boost::asio::steady_timer t(ex, d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

// SQLSTATE raised by the placement statement (the 'SEC01' in kPlacementWrite) when an inventory
// compare-and-set lost.
constexpr const char* kCasLost = "SEC01";

// Everything a placement needs to know, in one read: an existing idempotency key, the restaurant
// and each requested item with its stock and version; at least one row per placement (the key
// part), its rows together, tagged with the placement's index in the batch (last column).
constexpr const char* kPlacementRead =
    "SELECT k.request_hash, k.order_id::text, k.order_created_at::text, k.response_status, "
    "k.response_body::text, "
    "r.is_active, restaurant_is_open(r.hours, r.timezone, now()), "
    "ST_DWithin(r.location, ST_SetSRID(ST_MakePoint(q.lng, q.lat), 4326)::geography, "
    "r.delivery_radius_m), "
    "r.delivery_fee_cents, r.min_order_cents, r.geo_key, "
    "f.id::text, f.restaurant_id::text, f.name, f.kind, f.price_cents, f.available, "
    "i.available_quantity, i.version, q.idx "
    "FROM jsonb_to_recordset($1::jsonb) AS q(idx int, key text, restaurant_id uuid, lat float8, "
    "lng float8, "
    "  items uuid[]) "
    "LEFT JOIN idempotency_keys k ON k.scope = 'orders' AND k.key = q.key "
    "LEFT JOIN restaurants r ON r.id = q.restaurant_id "
    "LEFT JOIN food_items f ON r.id IS NOT NULL AND f.id = ANY(q.items) "
    "LEFT JOIN food_item_inventory i ON i.food_item_id = f.id "
    "ORDER BY q.idx";
enum PlacementColumn {
  kKeyHash,
  kKeyOrder,
  kKeyCreated,
  kKeyStatus,
  kKeyBody,
  kActive,
  kOpen,
  kInRange,
  kFee,
  kMinOrder,
  kGeoKey,
  kItemId,
  kItemRestaurant,
  kItemName,
  kItemKind,
  kItemPrice,
  kItemAvailable,
  kStock,
  kStockVersion,
  kIndex
};

// The write, for a batch of placements in one statement (store::Batcher; a batch never holds two
// placements of one stock item or one key, so each stock row is taken at most once in it):
// lock every stock row named, in id order (so batches never deadlock); a placement whose
// prepared lines do not all pass their compare-and-set (the version read, or when guarded the
// quantity alone) is `lost` and writes nothing, and so is one priced from the placement cache
// (`verify`) when the restaurant or an item no longer matches what the quote was made from; the
// others claim their idempotency keys (a key claimed meanwhile by a concurrent duplicate: nothing
// written, stock untouched); the placements that hold their key take their stock and write the
// order (its lines are its `items` snapshot; migration 0017), the pending payment, the first
// history row and the OrderPlaced outbox event.
// Everything the statement writes commits together; if the stock taken does not add up (impossible
// while the locks are held), it aborts itself with kCasLost and every placement of the batch
// retries.
constexpr const char* kPlacementWrite =
    "WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(idx int, key text, customer_id "
    "uuid, "
    "  request_hash text, order_id uuid, created_at timestamptz, restaurant_id uuid, "
    "subtotal_cents int, "
    "  delivery_fee_cents int, total_cents int, items jsonb, delivery_address text, lat float8, "
    "lng float8, "
    "  geo_key text, payment_id uuid, notes text, event_id uuid, correlation_id text, want jsonb, "
    "guarded boolean, min_order_cents int, verify boolean)), "
    "want AS (SELECT r.idx, r.guarded, w.food_item_id, w.quantity, w.version FROM r, "
    "  jsonb_to_recordset(r.want) AS w(food_item_id uuid, quantity int, version bigint)), "
    "locked AS (SELECT i.food_item_id, i.available_quantity, i.version FROM food_item_inventory i "
    "  WHERE i.food_item_id = ANY($2::uuid[]) ORDER BY i.food_item_id FOR UPDATE OF i), "
    "stale AS (SELECT r.idx FROM r WHERE r.verify AND (NOT coalesce((SELECT x.is_active "
    "  AND x.delivery_fee_cents = r.delivery_fee_cents AND x.min_order_cents = r.min_order_cents "
    "  AND x.geo_key = r.geo_key AND restaurant_is_open(x.hours, x.timezone, now()) "
    "  AND ST_DWithin(x.location, ST_SetSRID(ST_MakePoint(r.lng, r.lat), 4326)::geography, "
    "  x.delivery_radius_m) FROM restaurants x WHERE x.id = r.restaurant_id), false) "
    "  OR EXISTS (SELECT 1 FROM jsonb_to_recordset(r.items) AS c(food_item_id uuid, name text, "
    "  kind text, unit_price_cents int) WHERE NOT coalesce((SELECT f.restaurant_id = "
    "  r.restaurant_id AND f.name = c.name AND f.kind = c.kind AND f.price_cents = "
    "  c.unit_price_cents AND f.available FROM food_items f WHERE f.id = c.food_item_id), "
    "false)))), "
    "lost AS (SELECT w.idx FROM want w LEFT JOIN locked l ON l.food_item_id = w.food_item_id "
    "  WHERE l.food_item_id IS NULL OR NOT ((w.guarded OR l.version = w.version) "
    "  AND l.available_quantity >= w.quantity) UNION SELECT idx FROM stale), "
    "ik AS (INSERT INTO idempotency_keys (scope, key, owner_id, request_hash, order_id, "
    "order_created_at) "
    "  SELECT 'orders', r.key, r.customer_id, r.request_hash, r.order_id, r.created_at FROM r "
    "  WHERE r.idx NOT IN (SELECT idx FROM lost) ORDER BY r.key ON CONFLICT DO NOTHING RETURNING "
    "key), "
    "ok AS (SELECT r.* FROM r WHERE r.key IN (SELECT key FROM ik)), "
    "inv AS (UPDATE food_item_inventory i SET available_quantity = i.available_quantity - "
    "w.quantity, "
    "  version = i.version + 1, last_updated = now() FROM want w "
    "  WHERE i.food_item_id = ANY(ARRAY(SELECT food_item_id FROM want WHERE idx IN (SELECT idx "
    "FROM ok))) "
    "  AND w.food_item_id = i.food_item_id AND w.idx IN (SELECT idx FROM ok) "
    "  AND i.available_quantity >= w.quantity RETURNING 1), "
    "chk AS (SELECT swifteats_abort_if((SELECT count(*) FROM inv) <> "
    "  (SELECT count(*) FROM want WHERE idx IN (SELECT idx FROM ok)), 'SEC01', "
    "  'an item''s stock changed while the order was being placed') AS fine), "
    "o AS (INSERT INTO orders (id, created_at, customer_id, restaurant_id, status, version, "
    "subtotal_cents, "
    "  delivery_fee_cents, total_cents, items, delivery_address, destination, geo_key, "
    "idempotency_key, "
    "  payment_id, notes) "
    "  SELECT r.order_id, r.created_at, r.customer_id, r.restaurant_id, 'pending_payment', 1, "
    "r.subtotal_cents, "
    "  r.delivery_fee_cents, r.total_cents, r.items, r.delivery_address, "
    "  ST_SetSRID(ST_MakePoint(r.lng, r.lat), 4326)::geography, r.geo_key, r.key, r.payment_id, "
    "r.notes "
    "  FROM ok r, chk WHERE chk.fine RETURNING *), "
    "pay AS (INSERT INTO payments (id, order_id, order_created_at, amount_cents, status, "
    "idempotency_key) "
    "  SELECT o.payment_id, o.id, o.created_at, o.total_cents, 'pending', o.payment_id::text FROM "
    "o), "
    "h AS (INSERT INTO order_status_history (order_id, order_created_at, from_status, to_status, "
    "actor, reason, "
    "  version) SELECT o.id, o.created_at, NULL, 'pending_payment', 'customer:' || o.customer_id, "
    "'placed', 1 "
    "  FROM o), "
    "l AS (SELECT pg_advisory_xact_lock(24075, hashtext(x.id::text)) FROM "
    "  (SELECT id FROM o ORDER BY hashtext(id::text), id) x), "
    "ev AS (INSERT INTO outbox (event_id, topic, key, event_type, payload, version, "
    "correlation_id) "
    "  SELECT ok.event_id, 'order_updates', o.id::text, 'OrderPlaced', "
    "jsonb_build_object('orderId', o.id, "
    "  'status', o.status, 'previousStatus', NULL, 'version', o.version, 'customerId', "
    "o.customer_id, "
    "  'restaurantId', o.restaurant_id, 'geoKey', o.geo_key, 'totalCents', o.total_cents, "
    "  'items', o.items, 'actor', 'customer:' || o.customer_id, 'at', o.updated_at), o.version, "
    "ok.correlation_id "
    "  FROM o JOIN ok ON ok.order_id = o.id WHERE (SELECT count(*) FROM l) >= 0) "
    "SELECT r.idx, r.idx IN (SELECT idx FROM lost), r.key IN (SELECT key FROM ik) FROM r ORDER BY "
    "r.idx";

// One placement's rows of a batched read.
class Rows {
 public:
  explicit Rows(const PlacementRows& p) : r_(*p.result), begin_(p.begin), n_(p.end - p.begin) {}
  [[nodiscard]] int rows() const { return n_; }
  [[nodiscard]] bool is_null(int row, int col) const { return r_.is_null(begin_ + row, col); }
  [[nodiscard]] std::string_view get(int row, int col) const { return r_.get(begin_ + row, col); }

 private:
  const store::PgResult& r_;
  int begin_, n_;
};
std::string str(const Rows& r, int row, int col) { return std::string(r.get(row, col)); }
std::int64_t num(const Rows& r, int row, int col) {
  return std::stoll(std::string(r.get(row, col)));
}

PlaceResult replay_of(const Rows& k, const PlaceRequest& r) {
  if (str(k, 0, kKeyHash) != r.request_hash)
    throw unprocessable(
        "idempotency_key_reused",
        "this Idempotency-Key was already used with a different request body; use a new key");
  PlaceResult out;
  out.order_id = str(k, 0, kKeyOrder);
  out.created_at = str(k, 0, kKeyCreated);
  if (k.is_null(0, kKeyStatus)) {
    out.kind = PlaceResult::Kind::in_progress;
  } else {
    out.kind = PlaceResult::Kind::replay;
    out.response_status = static_cast<int>(num(k, 0, kKeyStatus));
    out.response_body = str(k, 0, kKeyBody);
  }
  return out;
}

// Validates the read and prices the order; throws the business refusal when there is one.
Quote quote_from(const Rows& rows, const PlaceRequest& r) {
  if (rows.is_null(0, kActive) || str(rows, 0, kActive) != "t")
    throw not_found("restaurant_not_found", "no restaurant " + r.restaurant_id);
  if (str(rows, 0, kOpen) != "t")
    throw unprocessable("restaurant_closed", "the restaurant is closed right now");
  if (str(rows, 0, kInRange) != "t")
    throw unprocessable("outside_delivery_area", "the restaurant does not deliver to that point");
  const auto min_order = num(rows, 0, kMinOrder);
  std::vector<CatalogItem> catalog;
  for (int i = 0; i < rows.rows(); ++i) {
    if (rows.is_null(i, kItemId)) continue;
    catalog.push_back({str(rows, i, kItemId), str(rows, i, kItemRestaurant),
                       str(rows, i, kItemName), str(rows, i, kItemKind), num(rows, i, kItemPrice),
                       str(rows, i, kItemAvailable) == "t"});
  }
  auto priced = price_order(r.lines, catalog, r.restaurant_id, num(rows, 0, kFee), min_order);
  switch (priced.error) {
    case QuoteError::none:
      break;
    case QuoteError::unknown_item:
    case QuoteError::wrong_restaurant:
      throw unprocessable("item_not_on_menu",
                          "item " + priced.item_id + " is not on this restaurant's menu");
    case QuoteError::unavailable:
      throw conflict("item_unavailable", "item " + priced.item_id + " is not available right now");
    case QuoteError::below_minimum:
      throw unprocessable("below_minimum_order",
                          fmt::format("the minimum order is {} cents", min_order));
    case QuoteError::above_maximum:
      throw unprocessable("order_too_large",
                          fmt::format("an order's total is at most {} cents", kMaxOrderTotalCents));
  }
  return priced.quote;
}

// The prepared lines to take, each with the version the compare-and-set expects; made-to-order
// lines only needed to be available. Throws out_of_stock when the read already shows too little.
struct StockTake {
  std::string food_item_id;
  std::int64_t quantity = 0;
  std::int64_t version = 0;  // what the compare-and-set expects
};
using Reservations = std::vector<StockTake>;
Reservations reservations_from(const Rows& rows, const Quote& quote) {
  Reservations out;
  for (const auto& l : quote.lines) {
    if (l.kind != "prepared") continue;
    int row = -1;
    for (int i = 0; i < rows.rows(); ++i)
      if (!rows.is_null(i, kItemId) && rows.get(i, kItemId) == l.food_item_id) row = i;
    if (row < 0 || rows.is_null(row, kStock))
      throw conflict("out_of_stock", "item " + l.food_item_id + " has no stock");
    if (num(rows, row, kStock) < l.quantity)
      throw conflict("out_of_stock", "not enough stock left for item " + l.food_item_id);
    out.push_back({l.food_item_id, l.quantity, num(rows, row, kStockVersion)});
  }
  return out;
}

// The same from the cache (lookup() already checked each prepared line has enough stock).
Reservations reservations_from(const CachedPlacement& hit, const Quote& quote) {
  Reservations out;
  for (std::size_t i = 0; i < quote.lines.size(); ++i) {
    const auto& l = quote.lines[i];
    if (l.kind == "prepared") out.push_back({l.food_item_id, l.quantity, hit.stock[i]->version});
  }
  return out;
}

// What a successful read said, for the next placements of these items.
void remember(PlacementCache& cache, const Rows& rows, const std::string& restaurant_id) {
  if (!cache.enabled()) return;
  cache.remember_restaurant(restaurant_id,
                            {num(rows, 0, kFee), num(rows, 0, kMinOrder), str(rows, 0, kGeoKey)});
  for (int i = 0; i < rows.rows(); ++i) {
    if (rows.is_null(i, kItemId)) continue;
    CachedItem c{
        {str(rows, i, kItemId), str(rows, i, kItemRestaurant), str(rows, i, kItemName),
         str(rows, i, kItemKind), num(rows, i, kItemPrice), str(rows, i, kItemAvailable) == "t"},
        std::nullopt};
    if (!rows.is_null(i, kStock))
      c.stock = CachedStock{num(rows, i, kStock), num(rows, i, kStockVersion)};
    cache.remember_item(std::move(c));
  }
}

// A write with these compare-and-sets created its order: the cache moves each row on with it.
void took(PlacementCache& cache, const Reservations& want) {
  for (const auto& t : want) cache.took(t.food_item_id, t.quantity, t.version);
}

struct Priced {
  Quote quote;
  std::string geo_key;
  std::int64_t min_order_cents = 0;
};

PlacementWrite placement_write(const PlaceRequest& r, const Priced& p, const Reservations& want,
                               bool guarded, bool verify) {
  json items = json::array();
  for (const auto& l : p.quote.lines)
    items.push_back({{"food_item_id", l.food_item_id},
                     {"name", l.name},
                     {"kind", l.kind},
                     {"unit_price_cents", l.unit_price_cents},
                     {"quantity", l.quantity},
                     {"line_total_cents", l.line_total_cents}});
  json lines = json::array();  // [{food_item_id, quantity, version}]
  std::vector<std::string> ids;
  for (const auto& t : want) {
    lines.push_back(
        {{"food_item_id", t.food_item_id}, {"quantity", t.quantity}, {"version", t.version}});
    ids.push_back(t.food_item_id);
  }
  return PlacementWrite{r.idempotency_key, std::move(ids),
                        json{{"key", r.idempotency_key},
                             {"customer_id", r.customer_id},
                             {"request_hash", r.request_hash},
                             {"order_id", r.order_id},
                             {"created_at", r.created_at},
                             {"restaurant_id", r.restaurant_id},
                             {"subtotal_cents", p.quote.subtotal_cents},
                             {"delivery_fee_cents", p.quote.delivery_fee_cents},
                             {"total_cents", p.quote.total_cents},
                             {"items", std::move(items)},
                             {"delivery_address", r.delivery_address},
                             {"lat", r.lat},
                             {"lng", r.lng},
                             {"geo_key", p.geo_key},
                             {"payment_id", r.payment_id},
                             {"notes", r.notes},
                             {"event_id", r.event_id},
                             {"correlation_id", r.correlation_id},
                             {"want", std::move(lines)},
                             {"guarded", guarded},
                             {"min_order_cents", p.min_order_cents},
                             {"verify", verify}}};
}

PlaceResult created(const PlaceRequest& r, const Quote& quote) {
  PlaceResult out;
  out.kind = PlaceResult::Kind::created;
  out.quote = quote;
  out.order_id = r.order_id;
  out.created_at = r.created_at;
  return out;
}

// Writes `w`; a lost compare-and-set (or a failed re-check) comes back as WriteOutcome::lost.
awaitable<WriteOutcome> write_once(PlacementWriter& writes, PlacementWrite w) {
  try {
    co_return co_await writes.submit(std::move(w));
  } catch (const store::PgError& e) {
    if (e.sqlstate != kCasLost) throw;
  }
  co_return WriteOutcome::lost;
}

// The write of a placement priced from the cache, without a read. nullopt when it did not
// create the order (a stale entry, a lost compare-and-set, the key already claimed): the
// caller then takes the usual path, which answers all of these from a fresh read.
awaitable<std::optional<PlaceResult>> place_from_cache(PlacementWriter& writes,
                                                       const PlaceRequest& r, PlacementCache& cache,
                                                       InventoryStats& stats) {
  const auto hit = cache.lookup(r.restaurant_id, r.lines);
  if (!hit) co_return std::nullopt;
  auto priced = price_order(r.lines, hit->catalog, r.restaurant_id,
                            hit->restaurant.delivery_fee_cents, hit->restaurant.min_order_cents);
  // A refusal is worded from a fresh read, never from the cache.
  if (priced.error != QuoteError::none) co_return std::nullopt;
  const Priced p{priced.quote, hit->restaurant.geo_key, hit->restaurant.min_order_cents};
  const Reservations want = reservations_from(*hit, p.quote);
  const auto outcome = co_await write_once(writes, placement_write(r, p, want, false, true));
  if (outcome == WriteOutcome::created) {
    took(cache, want);
    ++stats.cache_hits;
    co_return created(r, p.quote);
  }
  ++stats.cache_misses;
  if (outcome == WriteOutcome::lost) {
    cache.forget_items(r.lines);
    cache.forget_restaurant(r.restaurant_id);
  }
  co_return std::nullopt;
}
}  // namespace

// Optimistic inventory: read versions, then one statement that compare-and-sets them. A lost
// compare-and-set is retried from a fresh read after a jittered exponential backoff; after
// `cas_attempts` losses a guarded decrement (available_quantity >= qty, any version) settles it,
// so contention never turns into a false "sold out", and stock can never go negative either way.
// When the cache knows the restaurant and every item, the first write goes without the read
// (place_from_cache); whatever it cannot settle falls through to the loop, read first.
awaitable<PlaceResult> place(PlacementReader& reads, PlacementWriter& writes, const PlaceRequest& r,
                             const InventoryPolicy& pol, std::mt19937_64& rng,
                             InventoryStats& stats, PlacementCache& cache) {
  if (auto done = co_await place_from_cache(writes, r, cache, stats)) co_return std::move(*done);
  PlacementQuery query{r.idempotency_key, r.restaurant_id, r.lat, r.lng, {}};
  for (const auto& l : r.lines) query.item_ids.push_back(l.food_item_id);
  // A lost guarded decrement means the stock ran out after the read: one more read says so. The
  // bound only matters if stock keeps being restocked and taken between our read and write.
  const int max_attempts = pol.cas_attempts + 3;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    const PlacementRows answer = co_await reads.submit(query);
    const Rows rows(answer);
    if (!rows.is_null(0, kKeyHash)) co_return replay_of(rows, r);
    const Priced p{quote_from(rows, r), str(rows, 0, kGeoKey), num(rows, 0, kMinOrder)};
    const Reservations want = reservations_from(rows, p.quote);
    remember(cache, rows, r.restaurant_id);
    const bool guarded = attempt > pol.cas_attempts;
    if (guarded) ++stats.guarded_fallbacks;
    const auto outcome = co_await write_once(writes, placement_write(r, p, want, guarded, false));
    if (outcome == WriteOutcome::created) {
      if (guarded) {
        cache.forget_items(r.lines);  // the version it took is not known
      } else {
        took(cache, want);
      }
      co_return created(r, p.quote);
    }
    if (outcome == WriteOutcome::key_taken) continue;  // claimed meanwhile: the next read replays
    ++stats.cas_conflicts;
    if (attempt < pol.cas_attempts)
      co_await sleep_for(writes.executor(),
                         backoff_delay(attempt, pol.backoff_base, pol.backoff_cap, rng));
  }
  throw unavailable("inventory_contended", "the items' stock is changing too fast; retry");
}

awaitable<std::vector<PlacementRows>> read_placements(store::PgPool& pg,
                                                      const std::vector<PlacementQuery>& qs) {
  json rows = json::array();
  for (std::size_t i = 0; i < qs.size(); ++i)
    rows.push_back({{"idx", i},
                    {"key", qs[i].key},
                    {"restaurant_id", qs[i].restaurant_id},
                    {"lat", qs[i].lat},
                    {"lng", qs[i].lng},
                    {"items", qs[i].item_ids}});
  auto answer = co_await pg.query(kPlacementRead, pg_params(rows.dump()));
  auto result = std::make_shared<const store::PgResult>(std::move(answer));
  std::vector<PlacementRows> out(qs.size(), PlacementRows{result, 0, 0});
  for (int row = 0; row < result->rows();) {
    const auto idx = std::stoul(std::string(result->get(row, kIndex)));
    int end = row + 1;
    while (end < result->rows() && result->get(end, kIndex) == result->get(row, kIndex)) ++end;
    if (idx < out.size()) out[idx] = PlacementRows{result, row, end};
    row = end;
  }
  for (const auto& o : out)
    if (o.begin == o.end)
      throw store::PgError("", "the placement read returned no row for a placement");
  co_return out;
}

bool placements_conflict(const PlacementWrite& a, const PlacementWrite& b) {
  if (a.key == b.key) return true;
  for (const auto& x : a.stock_items)
    for (const auto& y : b.stock_items)
      if (x == y) return true;
  return false;
}

awaitable<std::vector<WriteOutcome>> write_placements(store::PgPool& pg,
                                                      const std::vector<PlacementWrite>& ws) {
  json rows = json::array();
  std::vector<std::string> stock;
  for (std::size_t i = 0; i < ws.size(); ++i) {
    const auto& w = ws[i];
    json row = w.row;
    row["idx"] = i;
    rows.push_back(std::move(row));
    stock.insert(stock.end(), w.stock_items.begin(), w.stock_items.end());
  }
  auto r = co_await pg.query(kPlacementWrite, pg_params(rows.dump(), store::pg_array(stock)));
  std::vector<WriteOutcome> out(ws.size(), WriteOutcome::key_taken);
  for (int i = 0; i < r.rows(); ++i) {
    const auto idx = static_cast<std::size_t>(num(r, i, 0));
    if (idx >= out.size()) continue;
    if (str(r, i, 1) == "t")
      out[idx] = WriteOutcome::lost;
    else if (str(r, i, 2) == "t")
      out[idx] = WriteOutcome::created;
  }
  co_return out;
}

awaitable<std::optional<OrderRow>> load(store::PgPool& pg, const std::string& id,
                                        const std::string& created_at) {
  auto r = co_await pg.query(
      fmt::format(
          "SELECT o.id::text, o.created_at::text, o.customer_id::text, o.restaurant_id::text, "
          "coalesce(o.driver_id::text, ''), coalesce(o.payment_id::text, ''), o.status, o.version, "
          "o.total_cents, {}::text FROM orders o WHERE o.id = $1::uuid AND o.created_at = "
          "$2::timestamptz",
          kOrderJson),
      pg_params(id, created_at));
  if (r.rows() == 0) co_return std::nullopt;
  OrderRow o;
  o.id = str(r, 0, 0);
  o.created_at = str(r, 0, 1);
  o.customer_id = str(r, 0, 2);
  o.restaurant_id = str(r, 0, 3);
  o.driver_id = str(r, 0, 4);
  o.payment_id = str(r, 0, 5);
  o.status_text = str(r, 0, 6);
  o.status = parse_status(o.status_text).value_or(Status::failed);
  o.version = num(r, 0, 7);
  o.total_cents = num(r, 0, 8);
  o.json = str(r, 0, 9);
  co_return o;
}

awaitable<std::string> history_json(store::PgPool& pg, const std::string& id,
                                    const std::string& created_at) {
  auto r = co_await pg.query(
      "SELECT coalesce(jsonb_agg(jsonb_build_object('from', from_status, 'to', to_status, 'actor', "
      "actor, "
      "'reason', reason, 'version', version, 'at', at) ORDER BY version), '[]'::jsonb)::text "
      "FROM order_status_history WHERE order_id = $1::uuid AND order_created_at = $2::timestamptz",
      pg_params(id, created_at));
  co_return str(r, 0, 0);
}

awaitable<std::optional<std::string>> transition(store::PgPool& pg, const Transition& t) {
  const bool restore = restores_stock(t.from, t.to);
  std::optional<std::string> expected;
  if (t.expected_version) expected = std::to_string(*t.expected_version);
  std::optional<std::string> idem;
  if (t.idempotent_response) idem = std::to_string(*t.idempotent_response);
  auto r = co_await pg.query(
      fmt::format(
          "WITH o AS (UPDATE orders SET status = $4, version = version + 1, updated_at = now(), "
          "  confirmed_at = CASE WHEN $4 = 'confirmed' THEN now() ELSE confirmed_at END, "
          "  accepted_at = CASE WHEN $4 = 'accepted' THEN now() ELSE accepted_at END, "
          "  ready_at = CASE WHEN $4 = 'ready_for_pickup' THEN now() ELSE ready_at END, "
          "  picked_up_at = CASE WHEN $4 = 'picked_up' THEN now() ELSE picked_up_at END, "
          "  delivered_at = CASE WHEN $4 = 'delivered' THEN now() ELSE delivered_at END, "
          "  cancelled_at = CASE WHEN $4 IN ('cancelled', 'failed') THEN now() ELSE cancelled_at "
          "END, "
          "  cancel_reason = CASE WHEN $4 IN ('cancelled', 'failed') THEN nullif($7, '') ELSE "
          "cancel_reason END "
          "  WHERE id = $1::uuid AND created_at = $2::timestamptz AND status = $3 "
          "  AND ($5::bigint IS NULL OR version = $5::bigint) RETURNING *), "
          "inv AS (UPDATE food_item_inventory i SET available_quantity = i.available_quantity + "
          "x.quantity, "
          "  version = i.version + 1, last_updated = now() FROM o, jsonb_to_recordset(o.items) AS "
          "  x(food_item_id uuid, kind text, quantity int) "
          "  WHERE $8::boolean AND x.kind = 'prepared' AND i.food_item_id = x.food_item_id), "
          "pay AS (UPDATE payments p SET status = coalesce($9, p.status), updated_at = now(), "
          "  refund_requested_at = CASE WHEN $10::boolean AND p.status = 'captured' THEN now() "
          "  ELSE p.refund_requested_at END WHERE p.id = (SELECT o.payment_id FROM o)), "
          "h AS (INSERT INTO order_status_history (order_id, order_created_at, from_status, "
          "to_status, actor, "
          "  reason, version) SELECT o.id, o.created_at, $3, $4, $6, $7, o.version FROM o), "
          "j AS (SELECT o.id, o.version, {} AS body, {} AS payload FROM o), "
          "l AS (SELECT pg_advisory_xact_lock(24075, hashtext(j.id::text)) FROM j), "
          "ev AS (INSERT INTO outbox (event_id, topic, key, event_type, payload, version, "
          "correlation_id) "
          "  SELECT $14::uuid, 'order_updates', j.id::text, $12, j.payload, j.version, $11 FROM j, "
          "l), "
          "ik AS (UPDATE idempotency_keys k SET response_status = $13::int, response_body = CASE "
          "  WHEN $13::int >= 400 THEN jsonb_build_object('type', 'about:blank', 'title', 'Payment "
          "failed', "
          "  'status', $13::int, 'code', 'payment_declined', 'detail', 'the payment was declined: "
          "' || $7, "
          "  'order_id', j.id, 'order', j.body) ELSE j.body END "
          "  FROM j WHERE $13::int IS NOT NULL AND k.scope = 'orders' "
          "  AND k.key = (SELECT o.idempotency_key FROM o) AND k.order_id = j.id) "
          "SELECT j.body::text FROM j",
          kOrderJson, event_payload("$3", "$6", "$7")),
      pg_params(t.order_id, t.created_at, status_name(t.from), status_name(t.to), expected, t.actor,
                t.reason, restore ? "true" : "false", t.payment_status,
                t.request_refund ? "true" : "false", t.correlation_id, event_type_for(t.to), idem,
                t.event_id));
  if (r.rows() == 0) co_return std::nullopt;
  co_return str(r, 0, 0);
}

// The same statement as transition() for pending_payment -> confirmed (payment captured,
// response 201 stored on the idempotency key), for many orders at once. The UPDATE takes the
// order rows itself, in its plan's scan order. A SELECT ... FOR UPDATE pass in id order used to
// come first; it cost a second visit and a locked-tuple write per order (~4 % of PostgreSQL's
// CPU per order at 1,000 orders/s) to keep two batches that share orders from deadlocking. They
// hardly ever share one: an order is confirmed by the request that placed it, and a sweeper
// confirms the orders it recovers one at a time, so a cycle needs two processes' sweepers each
// recovering an order of the other's batch at the moment it confirms. Should that happen,
// PostgreSQL aborts one statement, its orders stay pending and a sweeper settles them. Advisory
// locks are taken in key-hash order, so a batch and a single transition never deadlock. Tables
// are reached by = ANY(array) on their keys, never by joining a CTE to them (see repo.hpp).
awaitable<std::vector<std::optional<std::string>>> confirm_paid(store::PgPool& pg,
                                                                const std::vector<Confirm>& cs) {
  json rows = json::array();
  std::vector<std::string> ids, created;
  for (const auto& c : cs) {
    rows.push_back({{"id", c.order_id},
                    {"actor", c.actor},
                    {"reason", c.reason},
                    {"correlation_id", c.correlation_id},
                    {"event_id", c.event_id}});
    ids.push_back(c.order_id);
    created.push_back(c.created_at);
  }
  static const std::string sql = fmt::format(
      "WITH t AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS t(id uuid, actor text, reason "
      "text, "
      "  correlation_id text, event_id uuid)), "
      "u AS (UPDATE orders SET status = 'confirmed', version = version + 1, updated_at = now(), "
      "confirmed_at = now() "
      "  WHERE id = ANY($1::uuid[]) AND created_at = ANY($2::timestamptz[]) "
      "  AND status = 'pending_payment' RETURNING *), "
      "o AS (SELECT u.*, t.actor AS t_actor, t.reason AS t_reason, t.correlation_id AS "
      "t_correlation, "
      "  t.event_id AS t_event FROM u JOIN t ON t.id = u.id), "
      "pay AS (UPDATE payments SET status = 'captured', updated_at = now() "
      "  WHERE id = ANY(ARRAY(SELECT payment_id FROM o))), "
      "h AS (INSERT INTO order_status_history (order_id, order_created_at, from_status, to_status, "
      "actor, reason, "
      "  version) SELECT o.id, o.created_at, 'pending_payment', 'confirmed', o.t_actor, "
      "o.t_reason, o.version FROM o), "
      "j AS (SELECT o.id, o.version, o.idempotency_key, o.t_event, o.t_correlation, {} AS body, {} "
      "AS payload FROM o), "
      "l AS (SELECT pg_advisory_xact_lock(24075, hashtext(x.id::text)) FROM "
      "  (SELECT id FROM j ORDER BY hashtext(id::text), id) x), "
      "ev AS (INSERT INTO outbox (event_id, topic, key, event_type, payload, version, "
      "correlation_id) "
      "  SELECT j.t_event, 'order_updates', j.id::text, 'OrderConfirmed', j.payload, j.version, "
      "j.t_correlation "
      "  FROM j WHERE (SELECT count(*) FROM l) >= 0), "
      "ik AS (UPDATE idempotency_keys k SET response_status = 201, "
      "  response_body = (SELECT j.body FROM j WHERE j.id = k.order_id) "
      "  WHERE k.scope = 'orders' AND k.key = ANY(ARRAY(SELECT idempotency_key FROM j)) "
      "  AND k.order_id = ANY(ARRAY(SELECT id FROM j))) "
      "SELECT j.id::text, j.body::text FROM j",
      kOrderJson, event_payload("'pending_payment'", "o.t_actor", "o.t_reason"));
  auto r = co_await pg.query(
      sql, pg_params(store::pg_array(ids), store::pg_array(created), rows.dump()));
  std::vector<std::optional<std::string>> out(cs.size());
  for (int i = 0; i < r.rows(); ++i) {
    const auto id = r.get(i, 0);
    for (std::size_t k = 0; k < cs.size(); ++k)
      if (!out[k] && cs[k].order_id == id) {
        out[k] = str(r, i, 1);
        break;
      }
  }
  co_return out;
}

awaitable<std::vector<std::string>> list_for_customer(store::PgPool& pg, const ListQuery& q) {
  store::PgResult r;
  const auto sql = fmt::format(
      "SELECT {}::text FROM orders o WHERE o.customer_id = $1::uuid "
      "AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2::timestamptz, $3::uuid)) "
      "ORDER BY o.created_at DESC, o.id DESC LIMIT $4::int",
      kOrderJson);
  r = co_await pg.query(
      sql, pg_params(q.customer_id, q.after_created_at, q.after_id, std::to_string(q.limit)));
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(str(r, i, 0));
  co_return out;
}

awaitable<std::vector<std::string>> restaurant_queue(store::PgPool& pg,
                                                     const std::string& restaurant_id,
                                                     const std::vector<std::string>& statuses,
                                                     int limit) {
  // Live orders are at most a couple of days old: the bound prunes to the current partitions.
  auto r = co_await pg.query(
      fmt::format(
          "SELECT {}::text FROM orders o WHERE o.restaurant_id = $1::uuid AND o.status = "
          "ANY($2::text[]) "
          "AND o.status IN ('confirmed', 'accepted', 'preparing', 'ready_for_pickup', 'picked_up') "
          "AND o.created_at > now() - interval '2 days' ORDER BY o.created_at LIMIT $3::int",
          kOrderJson),
      pg_params(restaurant_id, store::pg_array(statuses), std::to_string(limit)));
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(str(r, i, 0));
  co_return out;
}

awaitable<std::vector<Stuck>> stuck_payments(store::PgPool& pg, std::chrono::milliseconds grace,
                                             int limit) {
  auto r = co_await pg.query(
      "SELECT id::text, created_at::text, payment_id::text, total_cents FROM orders "
      "WHERE status = 'pending_payment' AND created_at < now() - $1::int * interval '1 "
      "millisecond' "
      "AND created_at > now() - interval '60 days' ORDER BY created_at LIMIT $2::int",
      pg_params(std::to_string(grace.count()), std::to_string(limit)));
  std::vector<Stuck> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back({str(r, i, 0), str(r, i, 1), str(r, i, 2), num(r, i, 3)});
  co_return out;
}

awaitable<std::vector<std::string>> refunds_due(store::PgPool& pg, std::chrono::milliseconds grace,
                                                int limit) {
  auto r = co_await pg.query(
      "SELECT id::text FROM payments WHERE status = 'captured' AND refund_requested_at IS NOT NULL "
      "AND refund_requested_at < now() - $1::int * interval '1 millisecond' ORDER BY "
      "refund_requested_at "
      "LIMIT $2::int",
      pg_params(std::to_string(grace.count()), std::to_string(limit)));
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(str(r, i, 0));
  co_return out;
}

awaitable<void> mark_refunded(store::PgPool& pg, const std::string& payment_id) {
  co_await pg.query(
      "UPDATE payments SET status = 'refunded', updated_at = now() WHERE id = $1::uuid AND status "
      "= 'captured'",
      pg_params(payment_id));
}

}  // namespace se::orders::repo
