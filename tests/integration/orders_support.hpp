// Helpers of the orders integration tests: blocking SQL, tokens, server arguments, a restaurant
// world with stock, placements, and the order_updates events as the bus holds them.
#pragma once
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bus/bus.hpp"
#include "bus/envelope.hpp"
#include "bus_support.hpp"
#include "core/jwt.hpp"
#include "support/http_client.hpp"
#include "support/test_env.hpp"

namespace se::test::orders {

using nlohmann::json;
using se::test::http_request;
using se::test::HttpResponse;

inline constexpr const char* kJwtKeys = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

// Blocking SQL for fixtures and assertions.
class Db {
 public:
  explicit Db(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c_));
  }
  ~Db() { PQfinish(c_); }
  // Rows of text values.
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      std::string e = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error(e + " in: " + sql);
    }
    std::vector<std::vector<std::string>> out;
    for (int i = 0; i < PQntuples(r); ++i) {
      out.emplace_back();
      for (int j = 0; j < PQnfields(r); ++j) out.back().emplace_back(PQgetvalue(r, i, j));
    }
    PQclear(r);
    return out;
  }
  std::string one(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() || r[0].empty() ? std::string{} : r[0][0];
  }
  long num(const std::string& sql) { return std::stol(one(sql)); }

 private:
  PGconn* c_;
};

inline se::jwt::Config jwt_config() {
  se::jwt::Config c;
  c.keys = se::jwt::parse_keys(kJwtKeys);
  c.active_kid = "k1";
  return c;
}

inline std::string token(se::auth::Role role, const std::string& customer = {},
                         std::vector<std::string> restaurants = {},
                         const std::string& driver = {}) {
  se::auth::Principal p;
  p.account_id = "00000000-0000-4000-8000-00000000000a";
  p.role = role;
  p.customer_id = customer;
  p.restaurants = std::move(restaurants);
  p.driver_id = driver;
  return "Bearer " + se::jwt::sign(jwt_config(), p, static_cast<std::int64_t>(std::time(nullptr)));
}

inline std::vector<std::string> server_args(const std::string& conninfo,
                                            std::vector<std::string> extra) {
  std::vector<std::string> a{
      "--pg",           conninfo,
      "--redis",        "127.0.0.1:" + std::to_string(se::test::TestEnv::get().redis_port()),
      "--threads",      "2",
      "--log-level",    "warn",
      "--jwt-keys",     kJwtKeys,
      "--rate-limits",  "off",
      "--pg-pool-size", "24"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// An order_updates event as the bus holds it.
struct Published {
  std::string key, type;
  std::int64_t version = 0;
};

// The order_updates events of the given orders in each order's stream order, read from the start
// of the stream on the bus (the relay deletes outbox rows once published) until `enough` of the
// events read so far holds or `limit` passed.
inline std::vector<Published> published_events(
    const std::set<std::string>& order_ids,
    const std::function<bool(const std::vector<Published>&)>& enough,
    std::chrono::seconds limit = std::chrono::seconds(20)) {
  namespace tb = se::test::bus;
  boost::asio::io_context io;
  auto bus = se::bus::make_bus(io.get_executor(), tb::config_for("redis"));
  std::vector<Published> out;
  tb::run(io, [&]() -> boost::asio::awaitable<void> {
    se::bus::ReadCursor cursor;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!enough(out) && std::chrono::steady_clock::now() < deadline) {
      for (const auto& r :
           co_await bus->read("order_updates", cursor, 1000, std::chrono::milliseconds(200))) {
        if (!order_ids.count(r.key)) continue;
        const auto e = se::bus::from_json(r.value);
        out.push_back({r.key, e.event_type, e.version});
      }
    }
  });
  bus->stop();
  return out;
}

// The same, until `n` have arrived or 20 s passed.
inline std::vector<Published> published_events(const std::set<std::string>& order_ids,
                                               std::size_t n) {
  return published_events(order_ids,
                          [n](const std::vector<Published>& got) { return got.size() >= n; });
}

template <typename Pred>
bool eventually(Pred p, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (p()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return p();
}

struct World {
  std::string restaurant, prepared, made, unavailable, far_point_lat;
  std::vector<std::string> customers;
  std::string driver;
};

// A restaurant open around the clock at (12.97, 77.59), delivering 5 km, with a prepared item
// (stock `stock`), a made-to-order item and an unavailable item; `n` customers and one driver.
inline World make_world(Db& db, int stock, int n_customers = 3) {
  World w;
  const std::string hours =
      R"({"mon":[["00:00","00:00"]],"tue":[["00:00","00:00"]],"wed":[["00:00","00:00"]],"thu":[["00:00","00:00"]],)"
      R"("fri":[["00:00","00:00"]],"sat":[["00:00","00:00"]],"sun":[["00:00","00:00"]]})";
  w.restaurant = db.one(
      "INSERT INTO restaurants (name, cuisine, location, geo_key, hours, delivery_radius_m, "
      "delivery_fee_cents) "
      "VALUES ('Test Kitchen', 'indian', ST_SetSRID(ST_MakePoint(77.59, 12.97), 4326)::geography, "
      "'tdr1', '" +
      hours + "', 5000, 300) RETURNING id");
  auto item = [&](const std::string& name, const std::string& kind, int price, bool available) {
    return db.one(
        "INSERT INTO food_items (restaurant_id, restaurant_name, restaurant_location, name, "
        "price_cents, kind, "
        "available) SELECT id, name, location, '" +
        name + "', " + std::to_string(price) + ", '" + kind + "', " +
        (available ? "true" : "false") + " FROM restaurants WHERE id = '" + w.restaurant +
        "' RETURNING id");
  };
  w.prepared = item("Samosa", "prepared", 1500, true);
  w.made = item("Dosa", "made_to_order", 2500, true);
  w.unavailable = item("Idli", "made_to_order", 1000, false);
  db.rows(
      "INSERT INTO food_item_inventory (food_item_id, restaurant_id, item_type, "
      "available_quantity) VALUES ('" +
      w.prepared + "', '" + w.restaurant + "', 'prepared', " + std::to_string(stock) + ")");
  for (int i = 0; i < n_customers; ++i)
    w.customers.push_back(
        db.one("INSERT INTO customers (name) VALUES ('c" + std::to_string(i) + "') RETURNING id"));
  w.driver = db.one("INSERT INTO drivers (name) VALUES ('d') RETURNING id");
  return w;
}

inline json order_body(const World& w, int prepared_qty, int made_qty = 0, double lat = 12.975,
                       double lng = 77.59) {
  json items = json::array();
  if (prepared_qty) items.push_back({{"food_item_id", w.prepared}, {"quantity", prepared_qty}});
  if (made_qty) items.push_back({{"food_item_id", w.made}, {"quantity", made_qty}});
  return {{"restaurant_id", w.restaurant},
          {"items", items},
          {"delivery_address", "1 Test Road"},
          {"delivery_point", {{"lat", lat}, {"lng", lng}}}};
}

inline HttpResponse place(int port, const std::string& customer, const json& body,
                          const std::string& key) {
  return http_request(
      port, "POST", "/orders", body.dump(),
      {{"Authorization", token(se::auth::Role::customer, customer)}, {"Idempotency-Key", key}});
}

// A fixed, valid UUID numbered i.
inline std::string fmt_uuid(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012d", i);
  return buf;
}

inline std::string code_of(const HttpResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() ? j.value("code", "") : "";
}

inline long stock_of(Db& db, const std::string& item) {
  return db.num("SELECT available_quantity FROM food_item_inventory WHERE food_item_id = '" + item +
                "'");
}

}  // namespace se::test::orders
