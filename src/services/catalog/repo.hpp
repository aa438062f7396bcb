// SQL for restaurants and menus. Reads return JSON built by PostgreSQL; writes run inside the
// caller's transaction. Every function takes the restaurant's id; geo routing would go here.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "geo/geo.hpp"
#include "services/catalog/domain/cursor.hpp"
#include "store/pg.hpp"

namespace se::catalog::repo {

using boost::asio::awaitable;
using store::PgLease;
using store::PgPool;

struct NearbyQuery {
  geo::Point at;
  int radius_m = 5000;
  std::optional<std::string> cuisine;
  bool open_now = false;
  int limit = 20;
  std::optional<NearbyCursor> after;
};

struct NearbyRow {
  std::string json;      // one restaurant summary object
  std::string distance;  // for the cursor
  std::string id;
};

awaitable<std::vector<NearbyRow>> nearby(PgPool& pg, const NearbyQuery& q);

// The restaurant detail object, or nullopt when there is no such (active) restaurant.
awaitable<std::optional<std::string>> restaurant(PgPool& pg, const std::string& id);

struct Menu {
  std::string json;
  std::int64_t version = 0;
};
awaitable<std::optional<Menu>> menu(PgPool& pg, const std::string& id);

// --- writes (inside a transaction on `tx`) ---

// Bumps the restaurant's version (so menu ETags change) and locks its row for the transaction.
// Returns false when the restaurant does not exist.
awaitable<bool> touch_restaurant(PgLease& tx, const std::string& id);

awaitable<std::string> create_restaurant(PgLease& tx, const nlohmann::json& fields);
awaitable<std::string> create_category(PgLease& tx, const std::string& restaurant_id,
                                       const std::string& name, int position);

struct ItemFields {
  std::optional<std::string> name, description, kind, picture, category_id;
  bool clear_category = false;
  std::optional<std::int64_t> price_cents, prep_minutes, position, stock;
  std::optional<bool> available;
  std::optional<std::string> tags_json;
};
// Returns the item JSON; throws Problem for an unknown category.
awaitable<std::string> create_item(PgLease& tx, const std::string& restaurant_id,
                                   const ItemFields& f);
// nullopt when the item does not exist; throws Problem on a version conflict.
awaitable<std::optional<std::string>> update_item(PgLease& tx, const std::string& restaurant_id,
                                                  const std::string& item_id, const ItemFields& f,
                                                  std::optional<std::int64_t> expected_version);
awaitable<bool> delete_item(PgLease& tx, const std::string& restaurant_id,
                            const std::string& item_id);
awaitable<std::optional<std::string>> set_availability(PgLease& tx,
                                                       const std::string& restaurant_id,
                                                       const std::string& item_id, bool available,
                                                       std::optional<std::int64_t> stock);
// Throws a 422 Problem unless `timezone` is an IANA zone PostgreSQL knows.
awaitable<void> require_timezone(PgLease& tx, const std::string& timezone);
awaitable<void> set_hours(PgLease& tx, const std::string& restaurant_id,
                          const std::string& hours_json,
                          const std::optional<std::string>& timezone);
awaitable<void> set_location(PgLease& tx, const std::string& restaurant_id, geo::Point at,
                             const std::optional<std::string>& address);

}  // namespace se::catalog::repo
