// Orders through real HTTP against real server processes (orders + payment gateway), PostgreSQL
// and Redis: concurrency on the last units, idempotency, payment failure, lifecycle and
// authorization, cancellation with refund, and kill -9 during payment.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <latch>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "orders_support.hpp"
#include "support/server_process.hpp"

using namespace se::test::orders;  // NOLINT(google-build-using-namespace): the suite's helpers

namespace {

class Orders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    conninfo_ = se::test::TestEnv::get().fresh_database("orders_it");
    server_ = std::make_unique<se::test::ServerProcess>(
        server_args(conninfo_, {"--payments-latency-ms", "1-5", "--payments-success-rate", "1"}));
  }
  static void TearDownTestSuite() { server_.reset(); }
  static int port() { return server_->port(); }
  static inline std::string conninfo_;
  static inline std::unique_ptr<se::test::ServerProcess> server_;
};

TEST_F(Orders, FiftyConcurrentOrdersForTheLastTenUnits) {
  Db db(conninfo_);
  auto w = make_world(db, 10, 50);
  // The menu is cached before the rush; the orders' events must drop it so it shows the sell-out.
  auto stock_on_menu = [&] {
    auto m = json::parse(
        se::test::http_request(port(), "GET", "/restaurants/" + w.restaurant + "/menu").body);
    for (const auto& c : m["categories"])
      for (const auto& i : c["items"])
        if (i["id"] == w.prepared) return i["stock"].get<int>();
    return -1;
  };
  ASSERT_EQ(stock_on_menu(), 10);
  std::atomic<int> created{0}, sold_out{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&, i] {
      auto r = place(port(), w.customers[i], order_body(w, 1), "k50-" + std::to_string(i));
      if (r.status == 201)
        created++;
      else if (r.status == 409 && code_of(r) == "out_of_stock")
        sold_out++;
      else {
        other++;
        ADD_FAILURE() << r.status << " " << r.body;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 10);
  EXPECT_EQ(sold_out.load(), 40);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(stock_of(db, w.prepared), 0);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders WHERE restaurant_id = '" + w.restaurant +
                   "' AND status = 'confirmed'"),
            10);
  EXPECT_EQ(db.num("SELECT coalesce(sum(quantity), 0) FROM order_items WHERE food_item_id = '" +
                   w.prepared + "'"),
            10);
  EXPECT_TRUE(eventually([&] { return stock_on_menu() == 0; }))
      << "menu still shows " << stock_on_menu();
}

TEST_F(Orders, IdempotentReplayReturnsTheSameOrderAndRefusesAnotherBody) {
  Db db(conninfo_);
  auto w = make_world(db, 5);
  auto body = order_body(w, 2, 1);
  auto first = place(port(), w.customers[0], body, "idem-1");
  ASSERT_EQ(first.status, 201) << first.body;
  auto o = json::parse(first.body);
  EXPECT_EQ(o["status"], "confirmed");
  EXPECT_EQ(o["subtotal_cents"], 2 * 1500 + 2500);  // from the database, not the client
  EXPECT_EQ(o["delivery_fee_cents"], 300);
  EXPECT_EQ(o["total_cents"], 2 * 1500 + 2500 + 300);
  EXPECT_TRUE(first.header("server-timing").starts_with("payment;dur="))
      << first.header("server-timing");
  auto again = place(port(), w.customers[0], body, "idem-1");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(json::parse(again.body)["id"], o["id"]);
  EXPECT_EQ(json::parse(again.body), o);
  auto other_body = place(port(), w.customers[0], order_body(w, 1), "idem-1");
  EXPECT_EQ(other_body.status, 422) << other_body.body;
  EXPECT_EQ(code_of(other_body), "idempotency_key_reused");
  // The same key from another customer is another request.
  auto other_customer = place(port(), w.customers[1], body, "idem-1");
  EXPECT_EQ(other_customer.status, 201) << other_customer.body;
  EXPECT_NE(json::parse(other_customer.body)["id"], o["id"]);
  EXPECT_EQ(stock_of(db, w.prepared), 1);
  auto missing = http_request(port(), "POST", "/orders", body.dump(),
                              {{"Authorization", token(se::auth::Role::customer, w.customers[0])}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(code_of(missing), "idempotency_key_required");
  // A key that is not printable ASCII is refused before anything is stored or echoed.
  for (const std::string& bad : {std::string("idem\xff"), std::string("caf\xc3\xa9")}) {
    auto refused = place(port(), w.customers[0], body, bad);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(code_of(refused), "idempotency_key_required");
  }
  EXPECT_EQ(stock_of(db, w.prepared), 1);
}

TEST_F(Orders, PlacementRulesComeFromTheDatabase) {
  Db db(conninfo_);
  auto w = make_world(db, 5);
  auto far = place(port(), w.customers[0], order_body(w, 1, 0, 13.5, 77.59), "far");
  EXPECT_EQ(far.status, 422);
  EXPECT_EQ(code_of(far), "outside_delivery_area");
  json unavailable = order_body(w, 1);
  unavailable["items"].push_back({{"food_item_id", w.unavailable}, {"quantity", 1}});
  auto u = place(port(), w.customers[0], unavailable, "unavail");
  EXPECT_EQ(u.status, 409);
  EXPECT_EQ(code_of(u), "item_unavailable");
  json priced = order_body(w, 1);
  priced["total_cents"] = 1;
  EXPECT_EQ(place(port(), w.customers[0], priced, "priced").status, 400);  // unknown field
  // Valid JSON that no PostgreSQL text can hold: refused up front, never a database error that
  // would fail the other placements batched with it.
  json nul = order_body(w, 1);
  nul["delivery_address"] = std::string("1 Test Road\0 flat 2", 19);
  auto n = place(port(), w.customers[0], nul, "nul");
  EXPECT_EQ(n.status, 400) << n.body;
  EXPECT_EQ(code_of(n), "invalid_field");
  // A total past what one order can hold is the client's problem, not a database error (which,
  // batched, would fail the placements beside it).
  db.rows("UPDATE food_items SET price_cents = 1000000000 WHERE id = '" + w.made + "'");
  auto huge = place(port(), w.customers[0], order_body(w, 1, 3), "huge");
  EXPECT_EQ(huge.status, 422) << huge.body;
  EXPECT_EQ(code_of(huge), "order_too_large");
  db.rows("UPDATE restaurants SET hours = '{}' WHERE id = '" + w.restaurant + "'");
  auto closed = place(port(), w.customers[0], order_body(w, 1), "closed");
  EXPECT_EQ(closed.status, 422);
  EXPECT_EQ(code_of(closed), "restaurant_closed");
  EXPECT_EQ(stock_of(db, w.prepared), 5);  // nothing reserved by refused orders
  auto anon =
      http_request(port(), "POST", "/orders", order_body(w, 1).dump(), {{"Idempotency-Key", "x"}});
  EXPECT_EQ(anon.status, 401);
  auto staff = http_request(
      port(), "POST", "/orders", order_body(w, 1).dump(),
      {{"Idempotency-Key", "x"},
       {"Authorization", token(se::auth::Role::restaurant_staff, {}, {w.restaurant})}});
  EXPECT_EQ(staff.status, 403);
}

// Sum of the samples of one metric whose labels contain `fragment`.
long metric_value(int port, const std::string& name, const std::string& fragment);

// A placement whose items the server already knows is written without a read; the write
// re-checks what it was priced from, so whatever changed in the database since wins. One
// worker, so every placement meets the same cache.
TEST(OrdersPlacementCache, ChangesBehindTheCacheAreHonoured) {
  const auto conninfo = se::test::TestEnv::get().fresh_database("orders_cache_it");
  auto args =
      server_args(conninfo, {"--payments-latency-ms", "0-0", "--payments-success-rate", "1"});
  args[5] = "1";  // --threads
  se::test::ServerProcess server(args);
  const int port = server.port();
  Db db(conninfo);
  auto w = make_world(db, 10);
  const auto& c = w.customers[0];
  auto hits = [&] { return metric_value(port, "orders_placement_cache_total", "hit"); };
  auto misses = [&] { return metric_value(port, "orders_placement_cache_total", "miss"); };
  auto total_of = [](const HttpResponse& r) {
    return json::parse(r.body)["total_cents"].get<long>();
  };
  int n = 0;
  auto order = [&](const json& body) {
    return place(port, c, body, "cache-" + std::to_string(++n));
  };
  // The next placement of `body` after `change` to the database is refused with `status`/`code`.
  auto refused_after = [&](const std::string& change, const json& body, int status,
                           const std::string& code) {
    db.rows(change);
    auto r = order(body);
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(code_of(r), code);
  };

  ASSERT_EQ(order(order_body(w, 1, 1)).status, 201);  // read, then write: fills the cache
  ASSERT_EQ(hits(), 0);
  auto second = order(order_body(w, 1, 1));
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(hits(), 1);
  EXPECT_EQ(total_of(second), 1500 + 2500 + 300);
  EXPECT_EQ(stock_of(db, w.prepared), 8);

  // A new price, written without touching any version: charged at once.
  db.rows("UPDATE food_items SET price_cents = 1700 WHERE id = '" + w.prepared + "'");
  auto repriced = order(order_body(w, 1, 1));
  ASSERT_EQ(repriced.status, 201) << repriced.body;
  EXPECT_EQ(total_of(repriced), 1700 + 2500 + 300);
  EXPECT_EQ(misses(), 1);
  auto cached_again = order(order_body(w, 1, 1));
  ASSERT_EQ(cached_again.status, 201);
  EXPECT_EQ(total_of(cached_again), 1700 + 2500 + 300);
  EXPECT_EQ(hits(), 2);
  // A replay meets the claimed key in the write (nothing written, no stock taken) and is then
  // answered from the read, with the original response.
  auto replay = place(port, c, order_body(w, 1, 1), "cache-2");
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.header("idempotent-replayed"), "true");
  EXPECT_EQ(json::parse(replay.body), json::parse(second.body));
  EXPECT_EQ(misses(), 2);
  EXPECT_EQ(stock_of(db, w.prepared), 6);

  // Stock emptied behind the cache's back, version unchanged: refused, never oversold.
  refused_after("UPDATE food_item_inventory SET available_quantity = 0 WHERE food_item_id = '" +
                    w.prepared + "'",
                order_body(w, 1), 409, "out_of_stock");
  EXPECT_EQ(stock_of(db, w.prepared), 0);

  // The made-to-order item withdrawn, the fee raised, the area shrunk, the doors closed: each
  // refused or charged as the database now says, though the cache knew the old state.
  db.rows("UPDATE food_item_inventory SET available_quantity = 8 WHERE food_item_id = '" +
          w.prepared + "'");
  ASSERT_EQ(order(order_body(w, 1, 1)).status, 201);  // read again after the refusals
  ASSERT_EQ(order(order_body(w, 1, 1)).status, 201);
  const long hits_before = hits();
  EXPECT_GT(hits_before, 2);
  db.rows("UPDATE restaurants SET delivery_fee_cents = 450 WHERE id = '" + w.restaurant + "'");
  auto fee = order(order_body(w, 1, 1));
  ASSERT_EQ(fee.status, 201) << fee.body;
  EXPECT_EQ(total_of(fee), 1700 + 2500 + 450);
  ASSERT_EQ(order(order_body(w, 1, 1)).status, 201);
  refused_after("UPDATE food_items SET available = false WHERE id = '" + w.made + "'",
                order_body(w, 0, 1), 409, "item_unavailable");
  ASSERT_EQ(order(order_body(w, 1)).status, 201);
  ASSERT_EQ(order(order_body(w, 1)).status, 201);
  refused_after("UPDATE restaurants SET delivery_radius_m = 100 WHERE id = '" + w.restaurant + "'",
                order_body(w, 1), 422, "outside_delivery_area");
  db.rows("UPDATE restaurants SET delivery_radius_m = 5000 WHERE id = '" + w.restaurant + "'");
  ASSERT_EQ(order(order_body(w, 1)).status, 201);
  ASSERT_EQ(order(order_body(w, 1)).status, 201);
  refused_after("UPDATE restaurants SET hours = '{}' WHERE id = '" + w.restaurant + "'",
                order_body(w, 1), 422, "restaurant_closed");
  EXPECT_GT(hits(), hits_before + 2);  // the orders between the changes went without a read
  // Every accepted order charged what the database said at the time, and stock adds up.
  EXPECT_EQ(db.num("SELECT count(*) FROM orders WHERE restaurant_id = '" + w.restaurant +
                   "' AND status = 'confirmed'"),
            12);
  EXPECT_EQ(stock_of(db, w.prepared), 0);
}

TEST_F(Orders, LifecycleByAllowedRolesWithHistoryAndOutboxEvents) {
  Db db(conninfo_);
  auto w = make_world(db, 5);
  auto placed = place(port(), w.customers[0], order_body(w, 1), "life-1");
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string id = json::parse(placed.body)["id"];
  const auto customer = token(se::auth::Role::customer, w.customers[0]);
  const auto stranger = token(se::auth::Role::customer, w.customers[1]);
  const auto staff = token(se::auth::Role::restaurant_staff, {}, {w.restaurant});
  const auto other_staff =
      token(se::auth::Role::restaurant_staff, {}, {"00000000-0000-4000-8000-000000000001"});
  const auto driver = token(se::auth::Role::driver, {}, {}, w.driver);
  auto move = [&](const std::string& who, const std::string& to) {
    return http_request(port(), "POST", "/orders/" + id + "/status", json{{"status", to}}.dump(),
                        {{"Authorization", who}});
  };
  // Other users' orders do not exist for them.
  EXPECT_EQ(http_request(port(), "GET", "/orders/" + id, {}, {{"Authorization", stranger}}).status,
            404);
  EXPECT_EQ(
      http_request(port(), "GET", "/orders/" + id, {}, {{"Authorization", other_staff}}).status,
      404);
  EXPECT_EQ(move(stranger, "cancelled").status, 404);
  EXPECT_EQ(http_request(port(), "GET", "/orders/" + id, {}, {{"Authorization", customer}}).status,
            200);
  // The customer cannot accept; the restaurant can.
  auto r = move(customer, "accepted");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code_of(r), "transition_forbidden");
  ASSERT_EQ(move(staff, "accepted").status, 200);
  // Restaurant queue shows it.
  auto q = http_request(port(), "GET", "/restaurants/" + w.restaurant + "/orders?status=accepted",
                        {}, {{"Authorization", staff}});
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(json::parse(q.body)["items"].size(), 1u);
  EXPECT_EQ(http_request(port(), "GET", "/restaurants/" + w.restaurant + "/orders", {},
                         {{"Authorization", other_staff}})
                .status,
            403);
  ASSERT_EQ(move(staff, "preparing").status, 200);
  // Once preparing, the customer can no longer cancel; an illegal edge is a 409.
  r = http_request(port(), "POST", "/orders/" + id + "/cancel", "{}",
                   {{"Authorization", customer}});
  EXPECT_EQ(r.status, 403) << r.body;
  r = move(staff, "accepted");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code_of(r), "illegal_transition");
  ASSERT_EQ(move(staff, "ready_for_pickup").status, 200);
  // Only the assigned driver picks up.
  EXPECT_EQ(move(driver, "picked_up").status, 404);
  db.rows("UPDATE orders SET driver_id = '" + w.driver + "' WHERE id = '" + id + "'");
  EXPECT_EQ(move(staff, "picked_up").status, 403);
  ASSERT_EQ(move(driver, "picked_up").status, 200);
  auto done = move(driver, "delivered");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(json::parse(done.body)["version"], 7);
  EXPECT_EQ(move(driver, "picked_up").status, 409);
  auto g = json::parse(
      http_request(port(), "GET", "/orders/" + id, {}, {{"Authorization", customer}}).body);
  std::vector<std::string> seen;
  for (auto& h : g["history"]) seen.push_back(h["to"]);
  EXPECT_EQ(seen, (std::vector<std::string>{"pending_payment", "confirmed", "accepted", "preparing",
                                            "ready_for_pickup", "picked_up", "delivered"}));
  // Every transition reached the bus through the outbox, in order, with its version.
  auto events = published_events({id}, 7);
  ASSERT_EQ(events.size(), 7u);
  for (std::size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(events[i].version, static_cast<std::int64_t>(i + 1));
  EXPECT_EQ(events.front().type, "OrderPlaced");
  EXPECT_EQ(events.back().type, "OrderDelivered");
  // The relay deletes a batch's rows right after the bus confirmed it, so they go shortly after.
  EXPECT_TRUE(eventually(
      [&] { return db.num("SELECT count(*) FROM outbox WHERE key = '" + id + "'") == 0; }));
}

TEST_F(Orders, CustomerCancellationRefundsAndRestoresStock) {
  Db db(conninfo_);
  auto w = make_world(db, 5);
  auto placed = place(port(), w.customers[0], order_body(w, 3), "cancel-1");
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string id = json::parse(placed.body)["id"];
  EXPECT_EQ(stock_of(db, w.prepared), 2);
  auto r = http_request(port(), "POST", "/orders/" + id + "/cancel",
                        json{{"reason", "changed my mind"}}.dump(),
                        {{"Authorization", token(se::auth::Role::customer, w.customers[0])}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "cancelled");
  EXPECT_EQ(stock_of(db, w.prepared), 5);
  EXPECT_EQ(db.one("SELECT status FROM payments WHERE order_id = '" + id + "'"), "refunded");
  EXPECT_EQ(db.one("SELECT g.status FROM gateway_charges g JOIN orders o ON o.payment_id = "
                   "g.payment_id WHERE o.id = '" +
                   id + "'"),
            "refunded");
}

TEST_F(Orders, MyOrdersPagesNewestFirst) {
  Db db(conninfo_);
  auto w = make_world(db, 50);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = place(port(), w.customers[2], order_body(w, 1), "page-" + std::to_string(i));
    ASSERT_EQ(r.status, 201);
    ids.push_back(json::parse(r.body)["id"]);
  }
  std::vector<std::string> seen;
  std::string target = "/orders?limit=2";
  for (int guard = 0; guard < 10; ++guard) {
    auto r = http_request(port(), "GET", target, {},
                          {{"Authorization", token(se::auth::Role::customer, w.customers[2])}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto p = json::parse(r.body);
    for (auto& o : p["items"]) seen.push_back(o["id"]);
    if (p["next_cursor"].is_null()) break;
    target = "/orders?limit=2&cursor=" + p["next_cursor"].get<std::string>();
  }
  std::reverse(ids.begin(), ids.end());
  EXPECT_EQ(seen, ids);
}

// Sum of the samples of one metric whose labels contain `fragment`.
long metric_value(int port, const std::string& name, const std::string& fragment) {
  const auto text = http_request(port, "GET", "/metrics").body;
  long total = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + "{", 0) == 0 && line.find(fragment) != std::string::npos)
      total += std::stol(line.substr(line.rfind(' ') + 1));
  return total;
}

// Concurrent placements are written (and confirmed) several to a statement; each keeps its own
// outcome. 20 items with one unit each, two buyers per item, all at once, one batch in flight per
// worker: exactly one buyer of each item gets it, and every order's rows are all there.
TEST(OrdersBatching, ConcurrentPlacementsShareStatementsAndKeepTheirOwnOutcomes) {
  const auto conninfo = se::test::TestEnv::get().fresh_database("orders_batch");
  se::test::ServerProcess server(
      server_args(conninfo, {"--payments-latency-ms", "1-5", "--payments-success-rate", "1",
                             "--db-batch-in-flight", "1"}));
  Db db(conninfo);
  auto w = make_world(db, 1, 40);
  std::vector<std::string> items{w.prepared};
  for (int i = 1; i < 20; ++i) {
    items.push_back(
        db.one("INSERT INTO food_items (restaurant_id, restaurant_name, restaurant_location, name, "
               "price_cents, kind) SELECT id, name, location, 'Item " +
               std::to_string(i) + "', 1000, 'prepared' FROM restaurants WHERE id = '" +
               w.restaurant + "' RETURNING id"));
    db.rows(
        "INSERT INTO food_item_inventory (food_item_id, restaurant_id, item_type, "
        "available_quantity) VALUES ('" +
        items.back() + "', '" + w.restaurant + "', 'prepared', 1)");
  }
  constexpr int kBuyers = 40;
  std::vector<int> status(kBuyers);
  std::vector<std::string> codes(kBuyers);
  std::latch start(kBuyers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBuyers; ++i)
    threads.emplace_back([&, i] {
      json body = order_body(w, 0, 1);  // a made-to-order line: no stock, but still a line
      body["items"].push_back({{"food_item_id", items[i % 20]}, {"quantity", 1}});
      start.arrive_and_wait();
      auto r = place(server.port(), w.customers[i], body, "batch-" + std::to_string(i));
      status[i] = r.status;
      codes[i] = code_of(r);
    });
  for (auto& t : threads) t.join();
  for (int item = 0; item < 20; ++item) {
    const int a = item, b = item + 20;
    EXPECT_EQ((status[a] == 201) + (status[b] == 201), 1)
        << "item " << item << ": " << status[a] << " " << status[b];
    EXPECT_EQ((codes[a] == "out_of_stock") + (codes[b] == "out_of_stock"), 1) << "item " << item;
    EXPECT_EQ(stock_of(db, items[item]), 0);
  }
  const std::string mine = "(SELECT id FROM orders WHERE restaurant_id = '" + w.restaurant + "')";
  EXPECT_EQ(db.num("SELECT count(*) FROM orders WHERE restaurant_id = '" + w.restaurant +
                   "' AND status = 'confirmed' "
                   "AND version = 2"),
            20);
  EXPECT_EQ(db.num("SELECT count(*) FROM order_items WHERE order_id IN " + mine), 40);
  EXPECT_EQ(
      db.num("SELECT count(*) FROM payments WHERE status = 'captured' AND order_id IN " + mine),
      20);
  EXPECT_EQ(db.num("SELECT count(*) FROM order_status_history WHERE order_id IN " + mine), 40);
  std::set<std::string> ids;
  for (const auto& row :
       db.rows("SELECT id FROM orders WHERE restaurant_id = '" + w.restaurant + "'"))
    ids.insert(row[0]);
  std::map<std::string, std::vector<std::string>> types;
  for (const auto& e : published_events(ids, 40)) types[e.key].push_back(e.type);
  EXPECT_EQ(types.size(), 20u);
  for (const auto& [key, seen] : types)
    EXPECT_EQ(seen, (std::vector<std::string>{"OrderPlaced", "OrderConfirmed"})) << key;
  EXPECT_EQ(
      db.num("SELECT count(*) FROM idempotency_keys WHERE response_status = 201 AND order_id IN " +
             mine),
      20);
  // Each confirmed order's stored response is its own.
  EXPECT_EQ(db.num("SELECT count(*) FROM idempotency_keys k JOIN orders o ON o.id = k.order_id "
                   "WHERE (k.response_body->>'id')::uuid = o.id AND o.restaurant_id = '" +
                   w.restaurant + "'"),
            20);
  // Batches formed: fewer statements than calls.
  const long calls =
      metric_value(server.port(), "db_batched_calls_total", "statement=\"orders_place_write\"");
  const long batches =
      metric_value(server.port(), "db_batches_total", "statement=\"orders_place_write\"");
  EXPECT_GE(calls, 20);  // every winner wrote; a loser that read zero stock never got to write
  EXPECT_LT(batches, calls);
}

// Many copies at once, so some read "no such key" before any of them has written it: only the
// one that claims the key may take stock. With compare-and-set the losers also lose on the
// version; with 0 optimistic attempts (straight to the guarded decrement, which has no version
// to lose on) only the key claim protects the stock.
class OrdersDuplicateKey : public ::testing::TestWithParam<const char*> {};

TEST_P(OrdersDuplicateKey, ConcurrentCopiesPlaceOneOrderAndTakeStockOnce) {
  const auto conninfo =
      se::test::TestEnv::get().fresh_database(std::string("orders_dup_") + GetParam());
  se::test::ServerProcess server(
      server_args(conninfo, {"--payments-latency-ms", "20-30", "--payments-success-rate", "1",
                             "--orders-cas-attempts", GetParam()}));
  Db db(conninfo);
  auto w = make_world(db, 100, 1);
  const auto body = order_body(w, 3);
  constexpr int kCopies = 24;
  std::vector<std::thread> threads;
  std::atomic<int> created{0}, replayed{0}, in_progress{0}, other{0};
  std::latch start(kCopies);
  for (int i = 0; i < kCopies; ++i)
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto r = place(server.port(), w.customers[0], body, "dup-1");
      if (r.status == 201 && r.header("idempotent-replayed").empty())
        created++;
      else if (r.status == 201)
        replayed++;
      else if (r.status == 409 && code_of(r) == "request_in_progress")
        in_progress++;
      else {
        other++;
        ADD_FAILURE() << r.status << " " << r.body;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(created + replayed + in_progress, kCopies);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders WHERE customer_id = '" + w.customers[0] + "'"), 1);
  EXPECT_EQ(stock_of(db, w.prepared), 97);
}

INSTANTIATE_TEST_SUITE_P(InventoryModes, OrdersDuplicateKey, ::testing::Values("3", "0"));

TEST(OrdersPayment, DeclinedPaymentFailsTheOrderAndRestoresStock) {
  const auto conninfo = se::test::TestEnv::get().fresh_database("orders_decline_it");
  se::test::ServerProcess server(
      server_args(conninfo, {"--payments-latency-ms", "1-2", "--payments-success-rate", "0"}));
  Db db(conninfo);
  auto w = make_world(db, 4);
  auto r = place(server.port(), w.customers[0], order_body(w, 3), "fail-1");
  ASSERT_EQ(r.status, 402) << r.body;
  EXPECT_EQ(code_of(r), "payment_declined");
  EXPECT_EQ(stock_of(db, w.prepared), 4);
  // The gateway's share of the wait (here 1-2 ms of configured latency) is in Server-Timing.
  const auto timing = r.header("server-timing");
  ASSERT_TRUE(timing.starts_with("payment;dur=")) << timing;
  EXPECT_GE(std::stod(timing.substr(12)), 1.0) << timing;
  const std::string id = json::parse(r.body)["order_id"];
  EXPECT_EQ(db.one("SELECT status FROM orders WHERE id = '" + id + "'"), "failed");
  EXPECT_EQ(db.one("SELECT status FROM payments WHERE order_id = '" + id + "'"), "failed");
  auto again = place(server.port(), w.customers[0], order_body(w, 3), "fail-1");
  EXPECT_EQ(again.status, 402);
  EXPECT_EQ(again.header("idempotent-replayed"), "true");
  EXPECT_EQ(stock_of(db, w.prepared), 4);
  // The gateway shares the public port in this profile but answers internal callers only.
  const std::string payment = db.one("SELECT payment_id FROM orders WHERE id = '" + id + "'");
  for (const std::string& path :
       {"/payments/charges/" + payment, "/payments/charges/" + payment + "/resolve"}) {
    auto outsider = se::test::http_request(server.port(),
                                           path.ends_with("resolve") ? "POST" : "GET", path, "{}");
    EXPECT_EQ(outsider.status, 403) << path << outsider.body;
  }
  EXPECT_EQ(db.one("SELECT status FROM gateway_charges WHERE payment_id = '" + payment + "'"),
            "declined");
}

// The orders process dies (SIGKILL) while payments are in flight at a separate gateway process.
// After a restart the sweeper asks the gateway: every order ends confirmed with its stock taken
// or failed with its stock back, and agrees with the gateway's record.
constexpr const char* kPaymentsKey = "test-internal-key";

TEST(OrdersPayment, KillNineDuringPaymentLeavesNoOrderStuckAndNoStockLeaked) {
  const auto conninfo = se::test::TestEnv::get().fresh_database("orders_kill_it");
  se::test::ServerProcess gateway(
      server_args(conninfo, {"--services", "payments", "--payments-latency-ms", "3000-4000",
                             "--payments-success-rate", "0.5", "--payments-key", kPaymentsKey}));
  const std::string url = "http://127.0.0.1:" + std::to_string(gateway.port());
  const std::vector<std::string> orders_args{"--services",
                                             "orders",
                                             "--payments-url",
                                             url,
                                             "--payments-key",
                                             kPaymentsKey,
                                             "--orders-sweep-interval-ms",
                                             "200",
                                             "--orders-sweep-grace-ms",
                                             "300",
                                             "--payment-timeout-ms",
                                             "20000"};
  Db db(conninfo);
  const int n = 20;
  auto w = make_world(db, 100, n);
  auto orders = std::make_unique<se::test::ServerProcess>(server_args(conninfo, orders_args));
  const int port = orders->port();
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      try {
        place(port, w.customers[i], order_body(w, 1 + i % 3), "kill-" + std::to_string(i));
      } catch (const std::exception&) {
        // the server died under this request
      }
    });
  // Kill while most orders are reserved and waiting on the gateway (answers take 3-4 s); which
  // ones already settled doesn't matter: the invariants below hold for every order.
  const bool in_flight = eventually([&] {
    return db.num("SELECT count(*) FROM orders WHERE status = 'pending_payment'") >= n / 2;
  });
  orders->stop(SIGKILL);
  for (auto& t : threads) t.join();
  ASSERT_TRUE(in_flight);
  orders.reset();
  orders = std::make_unique<se::test::ServerProcess>(server_args(conninfo, orders_args));
  ASSERT_TRUE(eventually(
      [&] { return db.num("SELECT count(*) FROM orders WHERE status = 'pending_payment'") == 0; }));
  const long confirmed_qty = db.num(
      "SELECT coalesce(sum(i.quantity), 0) FROM orders o JOIN order_items i ON i.order_id = o.id "
      "AND i.order_created_at = o.created_at WHERE o.status = 'confirmed'");
  EXPECT_EQ(stock_of(db, w.prepared), 100 - confirmed_qty);
  // Requests the kill cut off before their first commit left nothing behind; the rest all settled.
  EXPECT_GE(db.num("SELECT count(*) FROM orders"), n / 2);
  EXPECT_LE(db.num("SELECT count(*) FROM orders"), n);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders WHERE status NOT IN ('confirmed', 'failed')"), 0);
  // Orders and the gateway agree.
  EXPECT_EQ(
      db.num("SELECT count(*) FROM orders o JOIN gateway_charges g ON g.payment_id = o.payment_id "
             "WHERE (o.status = 'confirmed') <> (g.status = 'succeeded')"),
      0);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders o LEFT JOIN gateway_charges g ON g.payment_id = "
                   "o.payment_id "
                   "WHERE g.payment_id IS NULL"),
            0);
  // Replays after recovery answer the settled outcome.
  auto replay = place(orders->port(), w.customers[0], order_body(w, 1), "kill-0");
  EXPECT_TRUE(replay.status == 201 || replay.status == 402) << replay.status << replay.body;
}

}  // namespace

// The gateway records new charges several to a statement: many ids at once, each charged by
// several concurrent copies, get one decision each; every copy answers that decision, and a copy
// with another amount is refused.
TEST(PaymentGateway, ConcurrentChargesRecordOneDecisionPerId) {
  const auto conninfo = se::test::TestEnv::get().fresh_database("gateway_batch_it");
  se::test::ServerProcess gateway(server_args(
      conninfo,
      {"--services", "payments", "--payments-latency-ms", "1-3", "--payments-success-rate", "0.5",
       "--payments-key", kPaymentsKey, "--db-batch-in-flight", "1"}));
  constexpr int kIds = 12, kCopies = 3;
  std::vector<std::string> ids;
  for (int i = 0; i < kIds; ++i) ids.push_back(fmt_uuid(i));
  std::vector<std::string> answers(kIds * kCopies);
  std::vector<int> statuses(kIds * kCopies);
  std::latch start(kIds * kCopies);
  std::vector<std::thread> threads;
  for (int k = 0; k < kIds * kCopies; ++k)
    threads.emplace_back([&, k] {
      const auto& id = ids[k % kIds];
      start.arrive_and_wait();
      auto r = http_request(gateway.port(), "POST", "/payments/charges",
                            json{{"payment_id", id}, {"amount_cents", 1000 + k % kIds}}.dump(),
                            {{"X-Internal-Key", kPaymentsKey}});
      statuses[k] = r.status;
      answers[k] = r.body;
    });
  for (auto& t : threads) t.join();
  Db db(conninfo);
  for (int i = 0; i < kIds; ++i) {
    ASSERT_EQ(statuses[i], 200) << answers[i];
    const auto first = json::parse(answers[i]);
    EXPECT_EQ(first["payment_id"], ids[i]);
    EXPECT_EQ(first["amount_cents"], 1000 + i);
    for (int c = 1; c < kCopies; ++c) {
      ASSERT_EQ(statuses[i + c * kIds], 200) << answers[i + c * kIds];
      EXPECT_EQ(json::parse(answers[i + c * kIds]), first) << "copy " << c << " of " << ids[i];
    }
    EXPECT_EQ(db.one("SELECT status FROM gateway_charges WHERE payment_id = '" + ids[i] + "'"),
              first["status"].get<std::string>());
  }
  EXPECT_EQ(db.num("SELECT count(*) FROM gateway_charges"), kIds);
  auto other_amount = http_request(gateway.port(), "POST", "/payments/charges",
                                   json{{"payment_id", ids[0]}, {"amount_cents", 5}}.dump(),
                                   {{"X-Internal-Key", kPaymentsKey}});
  EXPECT_EQ(other_amount.status, 409) << other_amount.body;
  EXPECT_EQ(code_of(other_amount), "payment_id_reused");
}
