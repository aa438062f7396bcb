#include "services/catalog/repo.hpp"

#include <fmt/format.h>

#include "core/problem.hpp"
#include "store/args.hpp"

namespace se::catalog::repo {

namespace {
using store::Param;
using store::Params;
using store::pg_params;

Param opt(const std::optional<std::int64_t>& v) {
  return v ? Param{std::to_string(*v)} : std::nullopt;
}
Param opt(const std::optional<bool>& v) { return v ? Param{*v ? "true" : "false"} : std::nullopt; }
std::string num(double d) { return fmt::format("{:.10g}", d); }

// An item as the API shows it. `available` is what a customer can order: the owner's flag and,
// for prepared food, stock on hand.
constexpr const char* kItemJson = R"(json_build_object(
  'id', f.id, 'restaurant_id', f.restaurant_id, 'category_id', f.category_id, 'name', f.name,
  'description', f.description, 'price_cents', f.price_cents, 'kind', f.kind,
  'available', f.available AND (f.kind <> 'prepared' OR COALESCE(inv.available_quantity, 0) > 0),
  'listed', f.available,
  'stock', CASE WHEN f.kind = 'prepared' THEN COALESCE(inv.available_quantity, 0) END,
  'prep_minutes', f.prep_minutes, 'tags', f.tags, 'picture', f.picture, 'position', f.position,
  'version', f.version))";

constexpr const char* kSummaryJson = R"(json_build_object(
  'id', r.id, 'name', r.name, 'cuisine', r.cuisine, 'rating', r.rating, 'rating_count', r.rating_count,
  'tags', r.tags, 'location', json_build_object('lat', ST_Y(r.location::geometry), 'lng', ST_X(r.location::geometry)),
  'open_now', restaurant_is_open(r.hours, r.timezone, now()),
  'delivery_fee_cents', r.delivery_fee_cents, 'min_order_cents', r.min_order_cents,
  'avg_prep_minutes', r.avg_prep_minutes))";
}  // namespace

awaitable<std::vector<NearbyRow>> nearby(PgPool& pg, const NearbyQuery& q) {
  // Sphere distances (use_spheroid = false) for both the filter and the order, so the cursor's
  // distance compares exactly with the next page's.
  static const std::string sql = fmt::format(R"(
    WITH p AS (SELECT ST_SetSRID(ST_MakePoint($2::float8, $1::float8), 4326)::geography AS g),
    hits AS (
      SELECT r.*, ST_Distance(r.location, p.g, false) AS d
      FROM restaurants r, p
      WHERE r.is_active AND ST_DWithin(r.location, p.g, $3::float8, false)
        AND ($4::text IS NULL OR r.cuisine = $4::text)
        AND (NOT $5::bool OR restaurant_is_open(r.hours, r.timezone, now())))
    SELECT jsonb_set({}::jsonb, '{{distance_m}}', to_jsonb(round(r.d::numeric, 1)))::text, r.d::text, r.id::text
    FROM hits r
    WHERE $6::float8 IS NULL OR (r.d, r.id) > ($6::float8, $7::uuid)
    ORDER BY r.d, r.id
    LIMIT $8::int)",
                                             kSummaryJson);
  Params params{num(q.at.lat),
                num(q.at.lng),
                std::to_string(q.radius_m),
                q.cuisine,
                q.open_now ? "true" : "false",
                q.after ? Param{q.after->distance} : std::nullopt,
                q.after ? Param{q.after->id} : std::nullopt,
                std::to_string(q.limit)};
  auto res = co_await pg.query(sql, params);
  std::vector<NearbyRow> rows;
  rows.reserve(static_cast<std::size_t>(res.rows()));
  for (int i = 0; i < res.rows(); ++i)
    rows.push_back(
        {std::string(res.get(i, 0)), std::string(res.get(i, 1)), std::string(res.get(i, 2))});
  co_return rows;
}

awaitable<std::optional<std::string>> restaurant(PgPool& pg, const std::string& id) {
  static const std::string sql = fmt::format(R"(
    SELECT (jsonb_build_object('description', r.description, 'address', r.address, 'phone', r.phone,
              'timezone', r.timezone, 'hours', r.hours, 'pictures', r.pictures,
              'delivery_radius_m', r.delivery_radius_m, 'geo_key', r.geo_key, 'version', r.version)
            || {}::jsonb)::text
    FROM restaurants r WHERE r.id = $1::uuid AND r.is_active)",
                                             kSummaryJson);
  auto res = co_await pg.query(sql, pg_params(id));
  if (res.rows() == 0) co_return std::nullopt;
  co_return std::string(res.get(0, 0));
}

awaitable<std::optional<Menu>> menu(PgPool& pg, const std::string& id) {
  static const std::string sql = fmt::format(R"(
    WITH r AS (SELECT id, name, version FROM restaurants WHERE id = $1::uuid AND is_active),
    items AS (
      SELECT f.category_id, f.position, f.name, {} AS j
      FROM food_items f LEFT JOIN food_item_inventory inv ON inv.food_item_id = f.id
      WHERE f.restaurant_id = $1::uuid),
    cats AS (
      SELECT c.id, c.name, c.position FROM menu_categories c WHERE c.restaurant_id = $1::uuid
      UNION ALL
      SELECT NULL, 'Other', 2147483647 WHERE EXISTS (SELECT 1 FROM items WHERE category_id IS NULL))
    SELECT r.version, json_build_object('restaurant_id', r.id, 'name', r.name, 'version', r.version,
      'categories', COALESCE((
        SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'position', c.position,
                 'items', COALESCE((SELECT json_agg(i.j ORDER BY i.position, i.name) FROM items i
                                    WHERE i.category_id IS NOT DISTINCT FROM c.id), '[]'::json))
               ORDER BY c.position, c.name)
        FROM cats c), '[]'::json))::text
    FROM r)",
                                             kItemJson);
  auto res = co_await pg.query(sql, pg_params(id));
  if (res.rows() == 0) co_return std::nullopt;
  co_return Menu{std::string(res.get(0, 1)), std::stoll(std::string(res.get(0, 0)))};
}

awaitable<bool> touch_restaurant(PgLease& tx, const std::string& id) {
  auto res = co_await tx.query(
      "UPDATE restaurants SET version = version + 1, updated_at = now() WHERE id = $1::uuid",
      pg_params(id));
  co_return res.affected() == 1;
}

awaitable<std::string> create_restaurant(PgLease& tx, const nlohmann::json& f) {
  const double lat = f.at("lat").get<double>();
  const double lng = f.at("lng").get<double>();
  co_await require_timezone(tx, f.value("timezone", "UTC"));
  auto res = co_await tx.query(
      R"(INSERT INTO restaurants (name, description, cuisine, tags, location, geo_key, address, phone,
                                  timezone, hours, delivery_radius_m, min_order_cents,
                                  delivery_fee_cents, avg_prep_minutes)
         VALUES ($1, $2, $3, $4::jsonb, ST_SetSRID(ST_MakePoint($6::float8, $5::float8), 4326)::geography,
                 $7, $8, $9, $10, $11::jsonb, $12::int, $13::int, $14::int, $15::int)
         RETURNING id::text)",
      pg_params(f.at("name").get<std::string>(), f.value("description", ""),
                f.at("cuisine").get<std::string>(), f.value("tags", nlohmann::json::array()).dump(),
                num(lat), num(lng), geo::geo_key({lat, lng}), f.value("address", ""),
                f.value("phone", ""), f.value("timezone", "UTC"), f.at("hours").dump(),
                std::to_string(f.value("delivery_radius_m", 5000)),
                std::to_string(f.value("min_order_cents", 0)),
                std::to_string(f.value("delivery_fee_cents", 0)),
                std::to_string(f.value("avg_prep_minutes", 15))));
  co_return std::string(res.get(0, 0));
}

awaitable<std::string> create_category(PgLease& tx, const std::string& restaurant_id,
                                       const std::string& name, int position) {
  auto res = co_await tx.query(
      R"(INSERT INTO menu_categories (restaurant_id, name, position) VALUES ($1::uuid, $2, $3::int)
         RETURNING json_build_object('id', id, 'restaurant_id', restaurant_id, 'name', name,
                                     'position', position)::text)",
      pg_params(restaurant_id, name, std::to_string(position)));
  co_return std::string(res.get(0, 0));
}

namespace {
awaitable<void> require_category(PgLease& tx, const std::string& restaurant_id,
                                 const std::optional<std::string>& category_id) {
  if (!category_id) co_return;
  auto res = co_await tx.query(
      "SELECT 1 FROM menu_categories WHERE id = $1::uuid AND restaurant_id = $2::uuid",
      pg_params(*category_id, restaurant_id));
  if (res.rows() == 0)
    throw unprocessable("unknown_category", "category_id is not a category of this restaurant");
}

awaitable<std::optional<std::string>> item_json(PgLease& tx, const std::string& item_id) {
  static const std::string sql = fmt::format(
      "SELECT {}::text FROM food_items f LEFT JOIN food_item_inventory inv ON inv.food_item_id = "
      "f.id "
      "WHERE f.id = $1::uuid",
      kItemJson);
  auto res = co_await tx.query(sql, pg_params(item_id));
  if (res.rows() == 0) co_return std::nullopt;
  co_return std::string(res.get(0, 0));
}
}  // namespace

awaitable<std::string> create_item(PgLease& tx, const std::string& restaurant_id,
                                   const ItemFields& f) {
  co_await require_category(tx, restaurant_id, f.category_id);
  auto res = co_await tx.query(
      R"(INSERT INTO food_items (restaurant_id, category_id, restaurant_name, restaurant_location, name,
                                 description, price_cents, kind, available, tags, picture, prep_minutes,
                                 position)
         SELECT r.id, $2::uuid, r.name, r.location, $3, COALESCE($4, ''), $5::int, $6,
                COALESCE($7::bool, true), COALESCE($8::jsonb, '[]'::jsonb), COALESCE($9, ''),
                COALESCE($10::int, 10), COALESCE($11::int, 0)
         FROM restaurants r WHERE r.id = $1::uuid
         RETURNING id::text)",
      pg_params(restaurant_id, f.category_id, f.name, f.description, opt(f.price_cents), f.kind,
                opt(f.available), f.tags_json, f.picture, opt(f.prep_minutes), opt(f.position)));
  const std::string id(res.get(0, 0));
  co_await tx.query(
      R"(INSERT INTO food_item_inventory (food_item_id, restaurant_id, item_type, available_quantity,
                                          max_prepared_quantity, preparation_time)
         VALUES ($1::uuid, $2::uuid, $3, $4::int, $4::int, COALESCE($5::int, 10)))",
      pg_params(id, restaurant_id, f.kind, std::to_string(f.stock.value_or(0)),
                opt(f.prep_minutes)));
  co_return *co_await item_json(tx, id);
}

awaitable<std::optional<std::string>> update_item(PgLease& tx, const std::string& restaurant_id,
                                                  const std::string& item_id, const ItemFields& f,
                                                  std::optional<std::int64_t> expected_version) {
  co_await require_category(tx, restaurant_id, f.category_id);
  auto res = co_await tx.query(
      R"(UPDATE food_items SET
           name = COALESCE($3, name), description = COALESCE($4, description),
           price_cents = COALESCE($5::int, price_cents), available = COALESCE($6::bool, available),
           tags = COALESCE($7::jsonb, tags), picture = COALESCE($8, picture),
           prep_minutes = COALESCE($9::int, prep_minutes), position = COALESCE($10::int, position),
           category_id = CASE WHEN $11::bool THEN NULL ELSE COALESCE($12::uuid, category_id) END,
           version = version + 1, updated_at = now()
         WHERE id = $1::uuid AND restaurant_id = $2::uuid
         RETURNING version)",
      pg_params(item_id, restaurant_id, f.name, f.description, opt(f.price_cents), opt(f.available),
                f.tags_json, f.picture, opt(f.prep_minutes), opt(f.position),
                f.clear_category ? "true" : "false", f.category_id));
  if (res.rows() == 0) co_return std::nullopt;
  // The row is locked now; a stale expected version means someone else wrote in between.
  const auto new_version = std::stoll(std::string(res.get(0, 0)));
  if (expected_version && *expected_version != new_version - 1)
    throw conflict("version_conflict", fmt::format("item is at version {}, not {}", new_version - 1,
                                                   *expected_version));
  if (f.prep_minutes)
    co_await tx.query(
        "UPDATE food_item_inventory SET preparation_time = $2::int WHERE food_item_id = $1::uuid",
        pg_params(item_id, std::to_string(*f.prep_minutes)));
  co_return co_await item_json(tx, item_id);
}

awaitable<bool> delete_item(PgLease& tx, const std::string& restaurant_id,
                            const std::string& item_id) {
  auto res =
      co_await tx.query("DELETE FROM food_items WHERE id = $1::uuid AND restaurant_id = $2::uuid",
                        pg_params(item_id, restaurant_id));
  co_return res.affected() == 1;
}

awaitable<std::optional<std::string>> set_availability(PgLease& tx,
                                                       const std::string& restaurant_id,
                                                       const std::string& item_id, bool available,
                                                       std::optional<std::int64_t> stock) {
  auto res = co_await tx.query(
      R"(UPDATE food_items SET available = $3::bool, version = version + 1, updated_at = now()
         WHERE id = $1::uuid AND restaurant_id = $2::uuid RETURNING kind)",
      pg_params(item_id, restaurant_id, available ? "true" : "false"));
  if (res.rows() == 0) co_return std::nullopt;
  if (stock) {
    if (res.get(0, 0) != "prepared")
      throw unprocessable("stock_not_applicable",
                          "only prepared items carry stock; made-to-order items "
                          "are ordered against availability alone");
    co_await tx.query(
        R"(UPDATE food_item_inventory SET available_quantity = $2::int,
             max_prepared_quantity = GREATEST(max_prepared_quantity, $2::int),
             version = version + 1, last_updated = now()
           WHERE food_item_id = $1::uuid)",
        pg_params(item_id, std::to_string(*stock)));
  }
  co_return co_await item_json(tx, item_id);
}

awaitable<void> require_timezone(PgLease& tx, const std::string& timezone) {
  // An unknown zone would make every open-now check on this restaurant fail later.
  auto res =
      co_await tx.query("SELECT 1 FROM pg_timezone_names WHERE name = $1", pg_params(timezone));
  if (res.rows() == 0)
    throw unprocessable("invalid_timezone", "'" + timezone + "' is not an IANA time zone name");
}

awaitable<void> set_hours(PgLease& tx, const std::string& restaurant_id,
                          const std::string& hours_json,
                          const std::optional<std::string>& timezone) {
  if (timezone) co_await require_timezone(tx, *timezone);
  co_await tx.query(
      "UPDATE restaurants SET hours = $2::jsonb, timezone = COALESCE($3, timezone) WHERE id = "
      "$1::uuid",
      pg_params(restaurant_id, hours_json, timezone));
}

awaitable<void> set_location(PgLease& tx, const std::string& restaurant_id, geo::Point at,
                             const std::optional<std::string>& address) {
  const std::string lat = num(at.lat), lng = num(at.lng);
  co_await tx.query(
      R"(UPDATE restaurants SET location = ST_SetSRID(ST_MakePoint($3::float8, $2::float8), 4326)::geography,
           geo_key = $4, address = COALESCE($5, address) WHERE id = $1::uuid)",
      pg_params(restaurant_id, lat, lng, geo::geo_key(at), address));
  // Items carry a copy of the location for search; it moves with the restaurant.
  co_await tx.query(
      R"(UPDATE food_items SET restaurant_location = ST_SetSRID(ST_MakePoint($3::float8, $2::float8), 4326)::geography
         WHERE restaurant_id = $1::uuid)",
      pg_params(restaurant_id, lat, lng));
}

}  // namespace se::catalog::repo
