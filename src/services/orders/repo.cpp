#include "services/orders/repo.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/problem.hpp"
#include "store/args.hpp"

namespace se::orders::repo {

namespace {
using boost::asio::awaitable;
using nlohmann::json;
using store::pg_params;

// The API representation of an order row aliased `o`.
constexpr const char* kOrderJson =
    "jsonb_build_object('id', o.id, 'status', o.status, 'version', o.version, 'customer_id', o.customer_id, "
    "'restaurant_id', o.restaurant_id, 'driver_id', o.driver_id, 'items', o.items, "
    "'subtotal_cents', o.subtotal_cents, 'delivery_fee_cents', o.delivery_fee_cents, "
    "'total_cents', o.total_cents, 'currency', o.currency, 'delivery_address', o.delivery_address, "
    "'delivery_point', jsonb_build_object('lat', ST_Y(o.destination::geometry), 'lng', ST_X(o.destination::geometry)), "
    "'payment_id', o.payment_id, 'notes', o.notes, 'cancel_reason', o.cancel_reason, "
    "'created_at', o.created_at, 'updated_at', o.updated_at)";

std::string str(const store::PgResult& r, int row, int col) { return std::string(r.get(row, col)); }
std::int64_t num(const store::PgResult& r, int row, int col) { return std::stoll(std::string(r.get(row, col))); }

awaitable<void> sleep_for(std::chrono::microseconds d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
  co_await t.async_wait(boost::asio::use_awaitable);
}

// Reserves `qty` of a prepared item: compare-and-set on the inventory version, retried with
// jittered exponential backoff; after the optimistic attempts a guarded atomic decrement
// (available_quantity >= qty) settles it, so contention never turns into a false "sold out"
// and stock can never go negative either way.
awaitable<void> reserve(store::PgLease& tx, const std::string& item, int qty, std::int64_t version,
                        std::int64_t available, const InventoryPolicy& pol, std::mt19937_64& rng,
                        InventoryStats& stats) {
  const std::string q = std::to_string(qty);
  for (int attempt = 1; attempt <= pol.cas_attempts; ++attempt) {
    if (available < qty) throw conflict("out_of_stock", "not enough stock left for item " + item);
    auto r = co_await tx.query(
        "UPDATE food_item_inventory SET available_quantity = available_quantity - $2::int, version = version + 1, "
        "last_updated = now() WHERE food_item_id = $1 AND version = $3::bigint AND available_quantity >= $2::int",
        pg_params(item, q, std::to_string(version)));
    if (r.affected() == 1) co_return;
    ++stats.cas_conflicts;
    if (attempt < pol.cas_attempts) co_await sleep_for(backoff_delay(attempt, pol.backoff_base, pol.backoff_cap, rng));
    auto cur = co_await tx.query(
        "SELECT available_quantity, version FROM food_item_inventory WHERE food_item_id = $1", pg_params(item));
    if (cur.rows() == 0) throw conflict("out_of_stock", "item " + item + " has no stock");
    available = num(cur, 0, 0);
    version = num(cur, 0, 1);
  }
  if (available < qty) throw conflict("out_of_stock", "not enough stock left for item " + item);
  ++stats.guarded_fallbacks;
  auto r = co_await tx.query(
      "UPDATE food_item_inventory SET available_quantity = available_quantity - $2::int, version = version + 1, "
      "last_updated = now() WHERE food_item_id = $1 AND available_quantity >= $2::int",
      pg_params(item, q));
  if (r.affected() != 1) throw conflict("out_of_stock", "not enough stock left for item " + item);
}

awaitable<PlaceResult> replay(store::PgLease& tx, const PlaceRequest& r) {
  auto k = co_await tx.query(
      "SELECT request_hash, order_id::text, order_created_at::text, response_status, response_body::text "
      "FROM idempotency_keys WHERE scope = 'orders' AND key = $1",
      pg_params(r.idempotency_key));
  co_await tx.rollback();
  if (k.rows() == 0) throw unavailable("idempotency_race", "the idempotency key changed hands; retry");
  if (str(k, 0, 0) != r.request_hash)
    throw unprocessable("idempotency_key_reused",
                        "this Idempotency-Key was already used with a different request body; use a new key");
  PlaceResult out;
  out.order_id = str(k, 0, 1);
  out.created_at = str(k, 0, 2);
  if (k.is_null(0, 3)) {
    out.kind = PlaceResult::Kind::in_progress;
  } else {
    out.kind = PlaceResult::Kind::replay;
    out.response_status = static_cast<int>(num(k, 0, 3));
    out.response_body = str(k, 0, 4);
  }
  co_return out;
}
}  // namespace

awaitable<PlaceResult> place(store::PgPool& pg, const PlaceRequest& r, const InventoryPolicy& pol,
                             std::mt19937_64& rng, InventoryStats& stats) {
  auto tx = co_await pg.acquire();
  co_await tx.begin();
  auto key = co_await tx.query(
      "INSERT INTO idempotency_keys (scope, key, owner_id, request_hash) VALUES ('orders', $1, $2::uuid, $3) "
      "ON CONFLICT DO NOTHING",
      pg_params(r.idempotency_key, r.customer_id, r.request_hash));
  if (key.affected() == 0) co_return co_await replay(tx, r);

  // The restaurant and every requested item in one round trip.
  std::string ids = "{";
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    if (i) ids += ',';
    ids += r.lines[i].food_item_id;
  }
  ids += '}';
  auto rows = co_await tx.query(
      "SELECT r.is_active, restaurant_is_open(r.hours, r.timezone, now()), "
      "ST_DWithin(r.location, ST_SetSRID(ST_MakePoint($3::float8, $2::float8), 4326)::geography, r.delivery_radius_m), "
      "r.delivery_fee_cents, r.min_order_cents, r.geo_key, "
      "f.id::text, f.restaurant_id::text, f.name, f.kind, f.price_cents, f.available, "
      "i.available_quantity, i.version "
      "FROM restaurants r LEFT JOIN food_items f ON f.id = ANY($4::uuid[]) "
      "LEFT JOIN food_item_inventory i ON i.food_item_id = f.id WHERE r.id = $1",
      pg_params(r.restaurant_id, fmt::format("{}", r.lat), fmt::format("{}", r.lng), ids));
  if (rows.rows() == 0 || str(rows, 0, 0) != "t") throw not_found("restaurant_not_found", "no restaurant " + r.restaurant_id);
  if (str(rows, 0, 1) != "t") throw unprocessable("restaurant_closed", "the restaurant is closed right now");
  if (str(rows, 0, 2) != "t")
    throw unprocessable("outside_delivery_area", "the restaurant does not deliver to that point");
  const auto fee = num(rows, 0, 3), min_order = num(rows, 0, 4);
  const std::string geo_key = str(rows, 0, 5);
  std::vector<CatalogItem> catalog;
  struct Stock { std::int64_t available = -1, version = 0; };
  std::unordered_map<std::string, Stock> stock;
  for (int i = 0; i < rows.rows(); ++i) {
    if (rows.is_null(i, 6)) continue;
    catalog.push_back({str(rows, i, 6), str(rows, i, 7), str(rows, i, 8), str(rows, i, 9), num(rows, i, 10),
                       str(rows, i, 11) == "t"});
    if (!rows.is_null(i, 12)) stock[str(rows, i, 6)] = {num(rows, i, 12), num(rows, i, 13)};
  }
  auto priced = price_order(r.lines, catalog, r.restaurant_id, fee, min_order);
  switch (priced.error) {
    case QuoteError::none: break;
    case QuoteError::unknown_item:
    case QuoteError::wrong_restaurant:
      throw unprocessable("item_not_on_menu", "item " + priced.item_id + " is not on this restaurant's menu");
    case QuoteError::unavailable:
      throw conflict("item_unavailable", "item " + priced.item_id + " is not available right now");
    case QuoteError::below_minimum:
      throw unprocessable("below_minimum_order", fmt::format("the minimum order is {} cents", min_order));
  }
  // Lines are sorted by item id: every order locks inventory rows in the same order.
  for (const auto& l : priced.quote.lines) {
    if (l.kind != "prepared") continue;  // made-to-order: availability only
    auto s = stock.find(l.food_item_id);
    if (s == stock.end()) throw conflict("out_of_stock", "item " + l.food_item_id + " has no stock");
    co_await reserve(tx, l.food_item_id, l.quantity, s->second.version, s->second.available, pol, rng, stats);
  }

  json items = json::array();
  for (const auto& l : priced.quote.lines)
    items.push_back({{"food_item_id", l.food_item_id}, {"name", l.name}, {"kind", l.kind},
                     {"unit_price_cents", l.unit_price_cents}, {"quantity", l.quantity},
                     {"line_total_cents", l.line_total_cents}});
  const auto& q = priced.quote;
  co_await tx.query(
      "WITH o AS (INSERT INTO orders (id, created_at, customer_id, restaurant_id, status, version, subtotal_cents, "
      "  delivery_fee_cents, total_cents, items, delivery_address, destination, geo_key, idempotency_key, "
      "  payment_id, notes) "
      "  VALUES ($1::uuid, $2::timestamptz, $3::uuid, $4::uuid, 'pending_payment', 1, $5::int, $6::int, $7::int, "
      "  $8::jsonb, $9, ST_SetSRID(ST_MakePoint($11::float8, $10::float8), 4326)::geography, $12, $13, $14::uuid, $15) "
      "  RETURNING *), "
      "it AS (INSERT INTO order_items (order_id, order_created_at, food_item_id, name, kind, unit_price_cents, "
      "  quantity, line_total_cents) SELECT o.id, o.created_at, x.food_item_id, x.name, x.kind, "
      "  x.unit_price_cents, x.quantity, x.line_total_cents FROM o, jsonb_to_recordset($8::jsonb) AS "
      "  x(food_item_id uuid, name text, kind text, unit_price_cents int, quantity int, line_total_cents int)), "
      "pay AS (INSERT INTO payments (id, order_id, order_created_at, amount_cents, status, idempotency_key) "
      "  SELECT o.payment_id, o.id, o.created_at, o.total_cents, 'pending', o.payment_id::text FROM o), "
      "h AS (INSERT INTO order_status_history (order_id, order_created_at, from_status, to_status, actor, reason, "
      "  version) SELECT o.id, o.created_at, NULL, 'pending_payment', 'customer:' || o.customer_id, 'placed', 1 "
      "  FROM o), "
      "l AS (SELECT pg_advisory_xact_lock(24075, hashtext(o.id::text)) FROM o), "
      "ev AS (INSERT INTO outbox (event_id, topic, key, event_type, payload, version, correlation_id) "
      "  SELECT $16::uuid, 'order_updates', o.id::text, 'OrderPlaced', jsonb_build_object('orderId', o.id, "
      "  'status', o.status, 'previousStatus', NULL, 'version', o.version, 'customerId', o.customer_id, "
      "  'restaurantId', o.restaurant_id, 'geoKey', o.geo_key, 'totalCents', o.total_cents, "
      "  'items', o.items, 'actor', 'customer:' || o.customer_id, 'at', o.updated_at), o.version, $17 FROM o, l), "
      "ik AS (UPDATE idempotency_keys SET order_id = o.id, order_created_at = o.created_at FROM o "
      "  WHERE scope = 'orders' AND key = $18) "
      "SELECT 1 FROM o",
      pg_params(r.order_id, r.created_at, r.customer_id, r.restaurant_id, std::to_string(q.subtotal_cents),
                std::to_string(q.delivery_fee_cents), std::to_string(q.total_cents), items.dump(), r.delivery_address,
                fmt::format("{}", r.lat), fmt::format("{}", r.lng), geo_key, r.idempotency_key, r.payment_id, r.notes,
                r.event_id, r.correlation_id, r.idempotency_key));
  co_await tx.commit();
  PlaceResult out;
  out.kind = PlaceResult::Kind::created;
  out.quote = priced.quote;
  out.order_id = r.order_id;
  out.created_at = r.created_at;
  co_return out;
}

awaitable<std::optional<OrderRow>> load(store::PgPool& pg, const std::string& id, const std::string& created_at) {
  auto r = co_await pg.query(
      fmt::format("SELECT o.id::text, o.created_at::text, o.customer_id::text, o.restaurant_id::text, "
                  "coalesce(o.driver_id::text, ''), coalesce(o.payment_id::text, ''), o.status, o.version, "
                  "o.total_cents, {}::text FROM orders o WHERE o.id = $1::uuid AND o.created_at = $2::timestamptz",
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

awaitable<std::string> history_json(store::PgPool& pg, const std::string& id, const std::string& created_at) {
  auto r = co_await pg.query(
      "SELECT coalesce(jsonb_agg(jsonb_build_object('from', from_status, 'to', to_status, 'actor', actor, "
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
          "  cancelled_at = CASE WHEN $4 IN ('cancelled', 'failed') THEN now() ELSE cancelled_at END, "
          "  cancel_reason = CASE WHEN $4 IN ('cancelled', 'failed') THEN nullif($7, '') ELSE cancel_reason END "
          "  WHERE id = $1::uuid AND created_at = $2::timestamptz AND status = $3 "
          "  AND ($5::bigint IS NULL OR version = $5::bigint) RETURNING *), "
          "inv AS (UPDATE food_item_inventory i SET available_quantity = i.available_quantity + x.quantity, "
          "  version = i.version + 1, last_updated = now() FROM o, order_items x "
          "  WHERE $8::boolean AND x.order_id = o.id AND x.order_created_at = o.created_at "
          "  AND x.kind = 'prepared' AND i.food_item_id = x.food_item_id), "
          "pay AS (UPDATE payments p SET status = coalesce($9, p.status), updated_at = now(), "
          "  refund_requested_at = CASE WHEN $10::boolean AND p.status = 'captured' THEN now() "
          "  ELSE p.refund_requested_at END FROM o WHERE p.id = o.payment_id), "
          "h AS (INSERT INTO order_status_history (order_id, order_created_at, from_status, to_status, actor, "
          "  reason, version) SELECT o.id, o.created_at, $3, $4, $6, $7, o.version FROM o), "
          "j AS (SELECT o.id, o.version, {} AS body, jsonb_build_object('orderId', o.id, 'status', o.status, "
          "  'previousStatus', $3, 'version', o.version, 'customerId', o.customer_id, "
          "  'restaurantId', o.restaurant_id, 'driverId', o.driver_id, 'geoKey', o.geo_key, "
          "  'totalCents', o.total_cents, 'actor', $6, 'reason', $7, 'at', o.updated_at, "
          "  'destination', jsonb_build_object('lat', ST_Y(o.destination::geometry), "
          "  'lng', ST_X(o.destination::geometry))) AS payload FROM o), "
          "l AS (SELECT pg_advisory_xact_lock(24075, hashtext(j.id::text)) FROM j), "
          "ev AS (INSERT INTO outbox (event_id, topic, key, event_type, payload, version, correlation_id) "
          "  SELECT $14::uuid, 'order_updates', j.id::text, $12, j.payload, j.version, $11 FROM j, l), "
          "ik AS (UPDATE idempotency_keys k SET response_status = $13::int, response_body = CASE "
          "  WHEN $13::int >= 400 THEN jsonb_build_object('type', 'about:blank', 'title', 'Payment failed', "
          "  'status', $13::int, 'code', 'payment_declined', 'detail', 'the payment was declined: ' || $7, "
          "  'order_id', j.id, 'order', j.body) ELSE j.body END "
          "  FROM j WHERE $13::int IS NOT NULL AND k.order_id = j.id AND k.scope = 'orders') "
          "SELECT j.body::text FROM j",
          kOrderJson),
      pg_params(t.order_id, t.created_at, status_name(t.from), status_name(t.to), expected, t.actor, t.reason,
                restore ? "true" : "false", t.payment_status, t.request_refund ? "true" : "false", t.correlation_id,
                event_type_for(t.to), idem, t.event_id));
  if (r.rows() == 0) co_return std::nullopt;
  co_return str(r, 0, 0);
}

awaitable<std::vector<std::string>> list_for_customer(store::PgPool& pg, const ListQuery& q) {
  store::PgResult r;
  const auto sql = fmt::format(
      "SELECT {}::text FROM orders o WHERE o.customer_id = $1::uuid "
      "AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2::timestamptz, $3::uuid)) "
      "ORDER BY o.created_at DESC, o.id DESC LIMIT $4::int",
      kOrderJson);
  r = co_await pg.query(sql, pg_params(q.customer_id, q.after_created_at, q.after_id, std::to_string(q.limit)));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(str(r, i, 0));
  co_return out;
}

awaitable<std::vector<std::string>> restaurant_queue(store::PgPool& pg, const std::string& restaurant_id,
                                                     const std::vector<std::string>& statuses, int limit) {
  std::string arr = "{";
  for (std::size_t i = 0; i < statuses.size(); ++i) arr += (i ? "," : "") + statuses[i];
  arr += "}";
  // Live orders are at most a couple of days old: the bound prunes to the current partitions.
  auto r = co_await pg.query(
      fmt::format("SELECT {}::text FROM orders o WHERE o.restaurant_id = $1::uuid AND o.status = ANY($2::text[]) "
                  "AND o.status IN ('confirmed', 'accepted', 'preparing', 'ready_for_pickup', 'picked_up') "
                  "AND o.created_at > now() - interval '2 days' ORDER BY o.created_at LIMIT $3::int",
                  kOrderJson),
      pg_params(restaurant_id, arr, std::to_string(limit)));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(str(r, i, 0));
  co_return out;
}

awaitable<std::vector<Stuck>> stuck_payments(store::PgPool& pg, std::chrono::milliseconds grace, int limit) {
  auto r = co_await pg.query(
      "SELECT id::text, created_at::text, payment_id::text, total_cents FROM orders "
      "WHERE status = 'pending_payment' AND created_at < now() - $1::int * interval '1 millisecond' "
      "AND created_at > now() - interval '60 days' ORDER BY created_at LIMIT $2::int",
      pg_params(std::to_string(grace.count()), std::to_string(limit)));
  std::vector<Stuck> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back({str(r, i, 0), str(r, i, 1), str(r, i, 2), num(r, i, 3)});
  co_return out;
}

awaitable<std::vector<std::string>> refunds_due(store::PgPool& pg, std::chrono::milliseconds grace, int limit) {
  auto r = co_await pg.query(
      "SELECT id::text FROM payments WHERE status = 'captured' AND refund_requested_at IS NOT NULL "
      "AND refund_requested_at < now() - $1::int * interval '1 millisecond' ORDER BY refund_requested_at "
      "LIMIT $2::int",
      pg_params(std::to_string(grace.count()), std::to_string(limit)));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(str(r, i, 0));
  co_return out;
}

awaitable<void> mark_refunded(store::PgPool& pg, const std::string& payment_id) {
  co_await pg.query("UPDATE payments SET status = 'refunded', updated_at = now() WHERE id = $1::uuid AND status = 'captured'",
                    pg_params(payment_id));
}

}  // namespace se::orders::repo
