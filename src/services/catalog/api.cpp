#include "services/catalog/api.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "bus/envelope.hpp"
#include "bus/outbox.hpp"
#include "core/authz.hpp"
#include "core/input.hpp"
#include "core/problem.hpp"
#include "services/catalog/domain/hours.hpp"
#include "services/catalog/menu_cache.hpp"
#include "services/catalog/repo.hpp"
#include "store/args.hpp"

namespace se::catalog {

namespace {
using boost::asio::awaitable;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr const char* kMenuCacheControl = "public, max-age=15";

std::string body_etag(const std::string& body) {
  unsigned char h[12];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                     nullptr, 0);
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return std::string("\"") + hex + "\"";
}

// If-None-Match may list several tags, weak or strong, or "*".
bool etag_matches(const Request& req, const std::string& etag) {
  const std::string* inm = req.header("if-none-match");
  if (!inm) return false;
  if (*inm == "*") return true;
  return inm->find(etag) != std::string::npos;
}

Response cached_json(const Request& req, const std::string& etag, std::string body,
                     const char* cache_control) {
  Response res;
  if (etag_matches(req, etag)) {
    res.status = 304;
  } else {
    res = Response::json(200, std::move(body));
  }
  res.set_header("ETag", etag);
  res.set_header("Cache-Control", cache_control);
  return res;
}

repo::ItemFields item_fields(const json& b, bool creating) {
  repo::ItemFields f;
  if (creating) {
    f.name = input::require_string(b, "name", 200);
    f.price_cents = input::require_int(b, "price_cents", 0, 10'000'000);
    f.kind = input::require_string(b, "kind", 20);
  } else {
    f.name = input::opt_string(b, "name", 200);
    if (f.name && f.name->empty()) throw bad_request("invalid_field", "'name' must not be empty");
    f.price_cents = input::opt_int(b, "price_cents", 0, 10'000'000);
    if (b.contains("kind"))
      throw bad_request("immutable_field", "'kind' cannot change; create a new item instead");
  }
  if (f.kind && *f.kind != "prepared" && *f.kind != "made_to_order")
    throw bad_request("invalid_field", "'kind' must be \"prepared\" or \"made_to_order\"");
  f.description = input::opt_string(b, "description", 2000);
  f.picture = input::opt_string(b, "picture", 500);
  f.available = input::opt_bool(b, "available");
  f.prep_minutes = input::opt_int(b, "prep_minutes", 1, 600);
  f.position = input::opt_int(b, "position", 0, 100000);
  if (b.contains("category_id")) {
    if (b["category_id"].is_null()) {
      f.clear_category = !creating;
    } else {
      f.category_id =
          input::require_uuid(input::opt_string(b, "category_id", 36).value_or(""), "category_id");
    }
  }
  if (b.contains("tags") && !b["tags"].is_null()) {
    const auto& tags = b["tags"];
    if (!tags.is_array() || tags.size() > 20)
      throw bad_request("invalid_field", "'tags' must be a list of at most 20 strings");
    for (const auto& t : tags)
      if (!t.is_string() || t.get_ref<const std::string&>().empty() ||
          t.get_ref<const std::string&>().size() > 40)
        throw bad_request("invalid_field",
                          "each tag must be a non-empty string of at most 40 bytes");
    f.tags_json = tags.dump();
  }
  if (creating) {
    f.stock = input::opt_int(b, "stock", 0, 1'000'000);
    if (f.stock && *f.kind != "prepared")
      throw unprocessable("stock_not_applicable", "only prepared items carry stock");
  }
  return f;
}

struct Catalog : std::enable_shared_from_this<Catalog> {
  store::PgPool& pg;
  CatalogOptions opts;
  MenuCache cache;

  Catalog(boost::asio::any_io_executor ex, store::PgPool& pg, store::Redis& redis, CatalogOptions o)
      : pg(pg), opts(o), cache(std::move(ex), redis, opts.menu_cache_ttl) {}

  // Owner writes: on /restaurants/{id}/... the restaurant's own staff (restaurant_staff binding,
  // carried in the access token) or an admin; creating a restaurant (no {id}) is admin only.
  static void require_owner(const Request& req) {
    if (auto it = req.params.find("id"); it != req.params.end()) {
      authz::require_restaurant(req, it->second);
    } else {
      authz::require_role(req, {auth::Role::admin});
    }
  }

  awaitable<Response> nearby(Request& req) {
    input::allow_query(req, {"lat", "lng", "radius_m", "cuisine", "open_now", "limit", "cursor"});
    const auto lat = input::query_number(req, "lat", -90, 90);
    const auto lng = input::query_number(req, "lng", -180, 180);
    if (!lat || !lng)
      throw bad_request("missing_parameter", "'lat' and 'lng' are required (degrees, WGS 84)");
    repo::NearbyQuery q;
    q.at = {*lat, *lng};
    q.radius_m =
        static_cast<int>(input::query_int(req, "radius_m", 1, opts.max_radius_m).value_or(5000));
    q.limit = static_cast<int>(input::query_int(req, "limit", 1, 100).value_or(20));
    q.open_now = input::query_bool(req, "open_now").value_or(false);
    if (const std::string* c = req.query_param("cuisine")) {
      if (c->empty() || c->size() > 40)
        throw bad_request("invalid_parameter", "'cuisine' must be 1 to 40 characters");
      q.cuisine = *c;
    }
    const std::string fingerprint =
        fmt::format("{}|{}|{}|{}|{}", *lat, *lng, q.radius_m, q.cuisine.value_or(""), q.open_now);
    if (const std::string* c = req.query_param("cursor")) {
      q.after = decode_cursor(*c, fingerprint);
      if (!q.after)
        throw bad_request("invalid_cursor",
                          "'cursor' is malformed or belongs to a different search");
    }
    const int page = q.limit;
    q.limit = page + 1;  // one extra row tells whether another page exists
    auto rows = co_await repo::nearby(pg, q);
    std::string body = "{\"items\":[";
    const std::size_t n = std::min<std::size_t>(rows.size(), static_cast<std::size_t>(page));
    for (std::size_t i = 0; i < n; ++i) {
      if (i) body.push_back(',');
      body += rows[i].json;
    }
    body += "],\"next_cursor\":";
    if (rows.size() > n) {
      body += json(encode_cursor({rows[n - 1].distance, rows[n - 1].id}, fingerprint)).dump();
    } else {
      body += "null";
    }
    body += "}";
    auto res = Response::json(200, std::move(body));
    res.set_header("Cache-Control", "public, max-age=10");
    co_return res;
  }

  awaitable<Response> restaurant(Request& req) {
    input::allow_query(req, {});
    const auto id = input::require_uuid(req.param("id"), "restaurant id");
    auto body = co_await repo::restaurant(pg, id);
    if (!body) throw not_found("restaurant_not_found", "no restaurant " + id);
    const auto etag = body_etag(*body);
    co_return cached_json(req, etag, std::move(*body), "public, max-age=30");
  }

  awaitable<Response> menu(Request& req) {
    input::allow_query(req, {});
    const auto id = input::require_uuid(req.param("id"), "restaurant id");
    auto self = shared_from_this();
    // Named, not a temporary: GCC 12 destroys temporaries of a co_await expression twice.
    MenuCache::Loader load = [self, id]() -> awaitable<std::optional<CachedMenu>> {
      auto m = co_await repo::menu(self->pg, id);
      if (!m) co_return std::nullopt;
      co_return CachedMenu{fmt::format("\"v{}\"", m->version), std::move(m->json)};
    };
    auto menu = co_await cache.get(id, std::move(load));
    if (!menu) throw not_found("restaurant_not_found", "no restaurant " + id);
    co_return cached_json(req, menu->etag, std::move(menu->body), kMenuCacheControl);
  }

  // What an owner write changed, hence its restaurant_updates event and priority (seed:
  // location/hours first, then menu; ratings, low, are not written here).
  enum class Change { menu, hours, location };

  static awaitable<void> publish_change(store::PgLease& tx, const std::string& restaurant_id,
                                        Change change) {
    auto v = co_await tx.query("SELECT version FROM restaurants WHERE id = $1::uuid",
                               store::pg_params(restaurant_id));
    bus::OutboxEvent ev;
    ev.key = restaurant_id;
    ev.version = std::stoll(std::string(v.get(0, 0)));
    const char* what = "menu";
    switch (change) {
      case Change::menu:
        ev.topic = bus::topics::kRestaurantUpdatesMedium;
        ev.event_type = "MenuChanged";
        break;
      case Change::hours:
        ev.topic = bus::topics::kRestaurantUpdatesHigh;
        ev.event_type = "HoursChanged";
        what = "hours";
        break;
      case Change::location:
        ev.topic = bus::topics::kRestaurantUpdatesHigh;
        ev.event_type = "LocationChanged";
        what = "location";
        break;
    }
    ev.payload =
        json{{"restaurantId", restaurant_id}, {"change", what}, {"version", ev.version}}.dump();
    co_await bus::enqueue(tx, std::move(ev));
  }

  // Runs `write` in a transaction that first locks and versions the restaurant and records its
  // restaurant_updates event in the outbox, then drops the cached menu once committed (other
  // instances drop theirs when the event reaches them).
  template <typename Write>
  awaitable<std::string> owner_write(const std::string& restaurant_id, Write write,
                                     Change change = Change::menu) {
    auto tx = co_await pg.acquire();
    co_await tx.begin();
    if (!co_await repo::touch_restaurant(tx, restaurant_id))
      throw not_found("restaurant_not_found", "no restaurant " + restaurant_id);
    std::string result = co_await write(tx);
    co_await publish_change(tx, restaurant_id, change);  // the outbox: commits with the write
    co_await tx.commit();
    co_await cache.invalidate(restaurant_id);
    co_return result;
  }

  awaitable<Response> create_restaurant(Request& req) {
    require_owner(req);
    auto b = input::parse_object(
        req.body, {"name", "description", "cuisine", "tags", "lat", "lng", "address", "phone",
                   "timezone", "hours", "delivery_radius_m", "min_order_cents",
                   "delivery_fee_cents", "avg_prep_minutes"});
    input::drop_nulls(b);  // an optional field sent as null takes its default, as if absent
    input::require_string(b, "name", 200);
    input::require_string(b, "cuisine", 40);
    input::require_number(b, "lat", -90, 90);
    input::require_number(b, "lng", -180, 180);
    input::opt_string(b, "description", 2000);
    input::opt_string(b, "address", 500);
    input::opt_string(b, "phone", 40);
    input::opt_string(b, "timezone", 64);
    input::opt_int(b, "delivery_radius_m", 100, 50000);
    input::opt_int(b, "min_order_cents", 0, 1'000'000);
    input::opt_int(b, "delivery_fee_cents", 0, 100'000);
    input::opt_int(b, "avg_prep_minutes", 1, 240);
    if (!b.contains("hours")) throw bad_request("missing_field", "'hours' is required");
    if (auto e = hours_error(b["hours"])) throw bad_request("invalid_hours", *e);
    if (b.contains("tags") && (!b["tags"].is_array() || b["tags"].size() > 20))
      throw bad_request("invalid_field", "'tags' must be a list of at most 20 strings");
    auto tx = co_await pg.acquire();
    co_await tx.begin();
    auto id = co_await repo::create_restaurant(tx, b);
    co_await tx.commit();
    auto body = co_await repo::restaurant(pg, id);
    auto res = Response::json(201, std::move(*body));
    res.set_header("Location", "/restaurants/" + id);
    co_return res;
  }

  awaitable<Response> create_category(Request& req) {
    require_owner(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    auto b = input::parse_object(req.body, {"name", "position"});
    const auto name = input::require_string(b, "name", 100);
    const auto position = static_cast<int>(input::opt_int(b, "position", 0, 100000).value_or(0));
    auto write = [&](store::PgLease& tx) { return repo::create_category(tx, rid, name, position); };
    auto body = co_await owner_write(rid, write);
    co_return Response::json(201, std::move(body));
  }

  awaitable<Response> create_item(Request& req) {
    require_owner(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    auto b = input::parse_object(
        req.body, {"name", "description", "price_cents", "kind", "category_id", "available", "tags",
                   "picture", "prep_minutes", "position", "stock"});
    const auto fields = item_fields(b, true);
    auto write = [&](store::PgLease& tx) { return repo::create_item(tx, rid, fields); };
    auto body = co_await owner_write(rid, write);
    auto res = Response::json(201, body);
    res.set_header("Location",
                   "/restaurants/" + rid + "/items/" + json::parse(body)["id"].get<std::string>());
    co_return res;
  }

  awaitable<Response> update_item(Request& req) {
    require_owner(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    const auto iid = input::require_uuid(req.param("item_id"), "item id");
    auto b = input::parse_object(
        req.body, {"name", "description", "price_cents", "kind", "category_id", "available", "tags",
                   "picture", "prep_minutes", "position", "expected_version"});
    const auto expected = input::opt_int(b, "expected_version", 1, INT64_MAX);
    b.erase("expected_version");
    if (b.empty()) throw bad_request("empty_update", "the body names no field to change");
    const auto fields = item_fields(b, false);
    auto write = [&](store::PgLease& tx) -> awaitable<std::string> {
      auto item = co_await repo::update_item(tx, rid, iid, fields, expected);
      if (!item) throw not_found("item_not_found", "no item " + iid + " on this restaurant");
      co_return *item;
    };
    auto body = co_await owner_write(rid, write);
    co_return Response::json(200, std::move(body));
  }

  awaitable<Response> delete_item(Request& req) {
    require_owner(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    const auto iid = input::require_uuid(req.param("item_id"), "item id");
    auto write = [&](store::PgLease& tx) -> awaitable<std::string> {
      if (!co_await repo::delete_item(tx, rid, iid))
        throw not_found("item_not_found", "no item " + iid + " on this restaurant");
      co_return std::string{};
    };
    co_await owner_write(rid, write);
    co_return Response{204, {}, {}};
  }

  awaitable<Response> set_availability(Request& req) {
    require_owner(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    const auto iid = input::require_uuid(req.param("item_id"), "item id");
    auto b = input::parse_object(req.body, {"available", "stock"});
    const bool available = input::require_bool(b, "available");
    const auto stock = input::opt_int(b, "stock", 0, 1'000'000);
    auto write = [&](store::PgLease& tx) -> awaitable<std::string> {
      auto item = co_await repo::set_availability(tx, rid, iid, available, stock);
      if (!item) throw not_found("item_not_found", "no item " + iid + " on this restaurant");
      co_return *item;
    };
    auto body = co_await owner_write(rid, write);
    co_return Response::json(200, std::move(body));
  }

  awaitable<Response> set_hours(Request& req) {
    require_owner(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    auto b = input::parse_object(req.body, {"hours", "timezone"});
    if (!b.contains("hours")) throw bad_request("missing_field", "'hours' is required");
    if (auto e = hours_error(b["hours"])) throw bad_request("invalid_hours", *e);
    const auto tz = input::opt_string(b, "timezone", 64);
    auto write = [&](store::PgLease& tx) -> awaitable<std::string> {
      co_await repo::set_hours(tx, rid, b["hours"].dump(), tz);
      co_return std::string{};
    };
    co_await owner_write(rid, write, Change::hours);
    co_return Response::json(200, *co_await repo::restaurant(pg, rid));
  }

  awaitable<Response> set_location(Request& req) {
    require_owner(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    auto b = input::parse_object(req.body, {"lat", "lng", "address"});
    const geo::Point at{input::require_number(b, "lat", -90, 90),
                        input::require_number(b, "lng", -180, 180)};
    const auto address = input::opt_string(b, "address", 500);
    auto write = [&](store::PgLease& tx) -> awaitable<std::string> {
      co_await repo::set_location(tx, rid, at, address);
      co_return std::string{};
    };
    co_await owner_write(rid, write, Change::location);
    co_return Response::json(200, *co_await repo::restaurant(pg, rid));
  }
};

template <typename Method>
http::Handler route_to(const std::shared_ptr<Catalog>& c, Method m) {
  return [c, m](Request& req) { return ((*c).*m)(req); };
}
}  // namespace

std::shared_ptr<void> register_catalog(http::Router& r, boost::asio::any_io_executor ex,
                                       store::PgPool& pg, store::Redis& redis,
                                       CatalogOptions opts) {
  auto c = std::make_shared<Catalog>(std::move(ex), pg, redis, opts);
  r.get("/restaurants", route_to(c, &Catalog::nearby));
  r.post("/restaurants", route_to(c, &Catalog::create_restaurant));
  r.get("/restaurants/{id}", route_to(c, &Catalog::restaurant));
  r.get("/restaurants/{id}/menu", route_to(c, &Catalog::menu));
  r.post("/restaurants/{id}/categories", route_to(c, &Catalog::create_category));
  r.post("/restaurants/{id}/items", route_to(c, &Catalog::create_item));
  r.patch("/restaurants/{id}/items/{item_id}", route_to(c, &Catalog::update_item));
  r.del("/restaurants/{id}/items/{item_id}", route_to(c, &Catalog::delete_item));
  r.put("/restaurants/{id}/items/{item_id}/availability", route_to(c, &Catalog::set_availability));
  r.put("/restaurants/{id}/hours", route_to(c, &Catalog::set_hours));
  r.put("/restaurants/{id}/location", route_to(c, &Catalog::set_location));
  return c;
}

}  // namespace se::catalog
