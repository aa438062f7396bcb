#include "services/auth/api.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/authz.hpp"
#include "core/input.hpp"
#include "core/log.hpp"
#include "core/problem.hpp"
#include "store/args.hpp"

namespace se::auth {

namespace {
namespace asio = boost::asio;
using asio::awaitable;
using http::Request;
using http::Response;
using nlohmann::json;
using store::pg_params;
using store::redis_args;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hex_hash(std::string_view data) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     nullptr, 0);
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

std::string new_refresh_token() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  return "rt_" + jwt::b64url(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

Problem invalid_credentials() {
  return Problem{401, "invalid_credentials", "Unauthorized", "the email or the password is wrong"};
}
Problem invalid_refresh() {
  return Problem{401, "invalid_refresh_token", "Unauthorized",
                 "the refresh token is not valid; log in again"};
}

// Call sites build the Response in a named local first: GCC 12 mangles a Response temporary
// passed by value inside a co_return expression (headers came out corrupted).
Response no_store(Response r) {
  r.set_header("Cache-Control", "no-store");
  return r;
}

constexpr const char* kAccountJson = R"(json_build_object(
  'id', a.id, 'email', a.email, 'role', a.role, 'display_name', a.display_name,
  'customer_id', a.customer_id, 'driver_id', a.driver_id, 'is_active', a.is_active,
  'created_at', a.created_at, 'last_login_at', a.last_login_at,
  'restaurants', COALESCE((SELECT json_agg(s.restaurant_id ORDER BY s.restaurant_id)
                            FROM restaurant_staff s WHERE s.account_id = a.id), '[]'::json)))";

const std::string kSelectAccount =
    std::string("SELECT ") + kAccountJson + " FROM accounts a WHERE a.id = $1";

// Count-so-far of a key (fixed window) without incrementing: Redis, else the local fallback.
constexpr const char* kPeekScript =
    "return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}";

struct Auth {
  store::PgPool& pg;
  store::Redis& redis;
  const SecurityConfig& cfg;

  // ------------------------------------------------------------------ login throttling
  std::string failure_key(const std::string& email) const { return "se:lf:" + hex_hash(email); }

  awaitable<ratelimit::Count> failures(const std::string& key) {
    if (redis.connected()) {
      try {
        auto args = redis_args("EVAL", kPeekScript, "1", key);
        auto reply = co_await redis.command(std::move(args));
        if (reply.type == store::RedisReply::Type::Array && reply.elements.size() == 2)
          co_return ratelimit::Count{reply.elements[0].integer,
                                     std::max<std::int64_t>(0, reply.elements[1].integer)};
      } catch (const store::RedisUnavailable&) {
      }
    }
    co_return cfg.local_windows->peek(key, ratelimit::now_ms());
  }

  awaitable<void> record_failure(const std::string& key) {
    const std::int64_t window = std::int64_t{cfg.login_lockout_s} * 1000;
    auto counted = co_await redis_count(redis, key, window);
    if (!counted) cfg.local_windows->hit(key, window, ratelimit::now_ms());
  }

  awaitable<void> clear_failures(const std::string& key) {
    cfg.local_windows->erase(key);
    if (!redis.connected()) co_return;
    try {
      auto args = redis_args("DEL", key);
      co_await redis.command(std::move(args));
    } catch (const store::RedisUnavailable&) {
    }
  }

  // ------------------------------------------------------------------ tokens
  awaitable<Principal> load_principal(store::PgLease& db, const std::string& account_id,
                                      bool& active) {
    auto r = co_await db.query(
        "SELECT role, COALESCE(customer_id::text, ''), COALESCE(driver_id::text, ''), is_active, "
        "COALESCE((SELECT array_to_string(array_agg(restaurant_id::text ORDER BY restaurant_id), "
        "',') "
        "          FROM restaurant_staff WHERE account_id = a.id), '') "
        "FROM accounts a WHERE id = $1",
        pg_params(account_id));
    Principal p;
    active = false;
    if (r.rows() == 0) co_return p;
    p.account_id = account_id;
    parse_role(r.get(0, 0), p.role);
    p.customer_id = std::string(r.get(0, 1));
    p.driver_id = std::string(r.get(0, 2));
    active = r.get(0, 3) == "t";
    std::string_view list = r.get(0, 4);
    while (!list.empty()) {
      const auto comma = list.find(',');
      p.restaurants.emplace_back(list.substr(0, comma));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    co_return p;
  }

  // Inserts a refresh token (new family when family is empty) and returns {token, row id}.
  awaitable<std::pair<std::string, std::string>> insert_refresh(store::PgLease& db,
                                                                const std::string& account_id,
                                                                const std::string& family,
                                                                const Request& req) {
    const std::string token = new_refresh_token();
    // Parameters are built outside the co_await expression: GCC 12 evaluates a ?: inside one
    // wrongly (it called ua->substr on a null ua).
    const std::string* ua = req.header("user-agent");
    const std::string agent = ua ? ua->substr(0, 200) : std::string{};
    const store::Param fam = family.empty() ? store::Param{} : store::Param{family};
    auto params = pg_params(account_id, fam, hex_hash(token), std::to_string(cfg.refresh_ttl_s),
                            agent, ratelimit::client_ip(req, cfg.rate.trusted_proxies));
    auto r = co_await db.query(
        "INSERT INTO refresh_tokens (account_id, family_id, token_hash, expires_at, user_agent, "
        "ip) "
        "VALUES ($1, COALESCE($2::uuid, gen_random_uuid()), $3, now() + make_interval(secs => "
        "$4::int), $5, $6) "
        "RETURNING id",
        params);
    co_return std::make_pair(token, std::string(r.get(0, 0)));
  }

  Response token_response(const Principal& who, const std::string& refresh) const {
    json body{{"access_token", jwt::sign(cfg.jwt, who, unix_now())},
              {"token_type", "Bearer"},
              {"expires_in", cfg.jwt.ttl_s},
              {"refresh_token", refresh},
              {"refresh_expires_in", cfg.refresh_ttl_s},
              {"account_id", who.account_id},
              {"role", role_name(who.role)}};
    return no_store(Response::json(200, body.dump()));
  }

  // ------------------------------------------------------------------ routes
  awaitable<Response> register_customer(Request& req) {
    auto b = input::parse_object(req.body, {"email", "password", "name", "phone"});
    const auto email = normalize_email(input::require_string(b, "email", 254));
    if (!email) throw bad_request("invalid_field", "'email' is not an email address");
    const auto password = input::require_string(b, "password", 256);
    if (!acceptable_password(password))
      throw bad_request("weak_password", "'password' must be 10 to 256 bytes");
    const auto name = input::require_string(b, "name", 200);
    const auto phone = input::opt_string(b, "phone", 40).value_or("");
    // Hash first, whether or not the email is free: the answer and its timing are the same.
    std::string to_hash = password;  // named: no std::string temporary inside the co_await (GCC 12)
    const std::string hash = co_await cfg.hasher->hash(std::move(to_hash));
    auto tx = co_await pg.acquire();
    co_await tx.begin();
    auto r = co_await tx.query(
        "WITH c AS (INSERT INTO customers (name, email, phone) "
        "           SELECT $2, $1, $3 WHERE NOT EXISTS (SELECT 1 FROM accounts WHERE lower(email) "
        "= lower($1)) "
        "           RETURNING id) "
        "INSERT INTO accounts (email, password_hash, role, display_name, customer_id) "
        "SELECT $1, $4, 'customer', $2, id FROM c ON CONFLICT ((lower(email))) DO NOTHING "
        "RETURNING id",
        pg_params(*email, name, phone, hash));
    if (r.rows() == 1) {
      co_await tx.commit();
    } else {
      co_await tx.rollback();
    }
    Response out_ = Response::json(
        202,
        R"({"status":"accepted","detail":"if the email was free the account now exists; log in at /auth/login"})");
    out_.set_header("Cache-Control", "no-store");
    co_return out_;
  }

  awaitable<Response> login(Request& req) {
    auto b = input::parse_object(req.body, {"email", "password"});
    const auto given_email = input::require_string(b, "email", 254);
    const auto password = input::require_string(b, "password", 256);
    const auto email = normalize_email(given_email).value_or(given_email);
    const std::string fkey = failure_key(email);
    const auto f = co_await failures(fkey);
    if (f.count >= cfg.login_max_failures) {
      const auto retry = std::max<std::int64_t>(1, (f.ttl_ms + 999) / 1000);
      Problem p{429, "too_many_attempts", "Too many requests",
                fmt::format("too many failed logins for this email; retry after {} s", retry)};
      auto res = http::problem_response(p, req);
      res.set_header("Retry-After", std::to_string(retry));
      co_return res;
    }
    auto r = co_await pg.query(
        "SELECT id, password_hash, is_active FROM accounts WHERE lower(email) = lower($1)",
        pg_params(email));
    bool ok = false;
    if (r.rows() == 1) {
      std::string stored(r.get(0, 1));
      std::string given = password;
      ok = co_await cfg.hasher->verify(std::move(stored), std::move(given));
      ok = ok && r.get(0, 2) == "t";
    } else {
      std::string given = password;
      co_await cfg.hasher->burn(std::move(given));  // same work as a real check
    }
    if (!ok) {
      co_await record_failure(fkey);
      throw invalid_credentials();
    }
    co_await clear_failures(fkey);
    const std::string account_id(r.get(0, 0));
    auto tx = co_await pg.acquire();
    co_await tx.begin();
    bool active = false;
    Principal who = co_await load_principal(tx, account_id, active);
    auto refresh = co_await insert_refresh(tx, account_id, "", req);
    co_await tx.query("UPDATE accounts SET last_login_at = now() WHERE id = $1",
                      pg_params(account_id));
    co_await tx.commit();
    co_return token_response(who, refresh.first);
  }

  awaitable<Response> refresh(Request& req) {
    auto b = input::parse_object(req.body, {"refresh_token"});
    const auto token = input::require_string(b, "refresh_token", 200);
    auto tx = co_await pg.acquire();
    co_await tx.begin();
    auto r = co_await tx.query(
        "SELECT id, account_id, family_id, revoked_at IS NOT NULL, expires_at <= now() "
        "FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE",
        pg_params(hex_hash(token)));
    if (r.rows() == 0) throw invalid_refresh();
    const std::string id(r.get(0, 0)), account_id(r.get(0, 1)), family(r.get(0, 2));
    if (r.get(0, 3) == "t") {
      // A rotated (or logged-out) token came back: someone holds a copy. Revoke the family.
      auto revoked = co_await tx.query(
          "UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = 'reuse_detected' "
          "WHERE family_id = $1 AND revoked_at IS NULL",
          pg_params(family));
      co_await tx.commit();
      log::warn("refresh token reuse: family revoked", {{"request_id", req.request_id},
                                                        {"account_id", account_id},
                                                        {"family_id", family},
                                                        {"revoked", revoked.affected()}});
      throw invalid_refresh();
    }
    if (r.get(0, 4) == "t") throw invalid_refresh();
    bool active = false;
    Principal who = co_await load_principal(tx, account_id, active);
    if (!active) {
      co_await tx.query(
          "UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = 'account_inactive' "
          "WHERE family_id = $1 AND revoked_at IS NULL",
          pg_params(family));
      co_await tx.commit();
      throw invalid_refresh();
    }
    auto next = co_await insert_refresh(tx, account_id, family, req);
    co_await tx.query(
        "UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = 'rotated', replaced_by = "
        "$2 WHERE id = $1",
        pg_params(id, next.second));
    co_await tx.commit();
    co_return token_response(who, next.first);
  }

  awaitable<Response> logout(Request& req) {
    auto b = input::parse_object(req.body, {"refresh_token"});
    const auto token = input::require_string(b, "refresh_token", 200);
    co_await pg.query(
        "UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = 'logout' "
        "WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND "
        "revoked_at IS NULL",
        pg_params(hex_hash(token)));
    Response res{204, {}, {}};
    res.set_header("Cache-Control", "no-store");
    co_return res;
  }

  awaitable<Response> me(Request& req) {
    const auto& who = authz::require_principal(req);
    auto r = co_await pg.query(kSelectAccount, pg_params(who.account_id));
    if (r.rows() == 0)
      throw Problem{401, "unauthenticated", "Unauthorized", "the account no longer exists"};
    Response out_ = Response::json(200, std::string(r.get(0, 0)));
    out_.set_header("Cache-Control", "no-store");
    co_return out_;
  }

  awaitable<Response> create_account(Request& req) {
    auto b = input::parse_object(req.body, {"email", "password", "role", "display_name", "name",
                                            "phone", "vehicle", "restaurant_ids"});
    const auto email = normalize_email(input::require_string(b, "email", 254));
    if (!email) throw bad_request("invalid_field", "'email' is not an email address");
    const auto password = input::require_string(b, "password", 256);
    if (!acceptable_password(password))
      throw bad_request("weak_password", "'password' must be 10 to 256 bytes");
    Role role;
    if (!parse_role(input::require_string(b, "role", 40), role))
      throw bad_request("invalid_field",
                        "'role' must be customer, restaurant_staff, driver or admin");
    const auto display = input::opt_string(b, "display_name", 200).value_or("");
    const auto name =
        input::opt_string(b, "name", 200).value_or(display.empty() ? *email : display);
    const auto phone = input::opt_string(b, "phone", 40).value_or("");
    const auto vehicle = input::opt_string(b, "vehicle", 20).value_or("scooter");
    // The drivers table's CHECK, refused here as the client's mistake rather than by the database.
    static constexpr std::array<std::string_view, 5> kVehicles{"bicycle", "scooter", "motorcycle",
                                                               "car", "walking"};
    if (b.contains("vehicle") && role != Role::driver)
      throw bad_request("invalid_field", "'vehicle' applies to driver only");
    if (std::find(kVehicles.begin(), kVehicles.end(), vehicle) == kVehicles.end())
      throw bad_request("invalid_field",
                        "'vehicle' must be bicycle, scooter, motorcycle, car or walking");
    std::vector<std::string> restaurants;
    if (b.contains("restaurant_ids")) {
      if (role != Role::restaurant_staff)
        throw bad_request("invalid_field", "'restaurant_ids' applies to restaurant_staff only");
      if (!b["restaurant_ids"].is_array() || b["restaurant_ids"].size() > 100)
        throw bad_request("invalid_field", "'restaurant_ids' must be a list of at most 100 ids");
      for (const auto& id : b["restaurant_ids"]) {
        if (!id.is_string()) throw bad_request("invalid_field", "'restaurant_ids' must hold ids");
        restaurants.push_back(input::require_uuid(id.get<std::string>(), "restaurant id"));
      }
    }
    std::string to_hash = password;  // named: no std::string temporary inside the co_await (GCC 12)
    const std::string hash = co_await cfg.hasher->hash(std::move(to_hash));
    auto tx = co_await pg.acquire();
    co_await tx.begin();
    store::Param customer_id, driver_id;
    if (role == Role::customer) {
      auto c = co_await tx.query(
          "INSERT INTO customers (name, email, phone) VALUES ($1, $2, $3) RETURNING id",
          pg_params(name, *email, phone));
      customer_id = std::string(c.get(0, 0));
    } else if (role == Role::driver) {
      auto d = co_await tx.query(
          "INSERT INTO drivers (name, email, phone, vehicle) VALUES ($1, $2, $3, $4) RETURNING id",
          pg_params(name, *email, phone, vehicle));
      driver_id = std::string(d.get(0, 0));
    }
    auto a = co_await tx.query(
        "INSERT INTO accounts (email, password_hash, role, display_name, customer_id, driver_id) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
        pg_params(*email, hash, role_name(role), display, customer_id, driver_id));
    if (a.rows() == 0) throw conflict("email_taken", "an account already uses this email");
    const std::string id(a.get(0, 0));
    co_await set_staff(tx, id, restaurants);
    co_await tx.commit();
    auto out = co_await pg.query(kSelectAccount, pg_params(id));
    auto res = Response::json(201, std::string(out.get(0, 0)));
    res.set_header("Location", "/admin/accounts/" + id);
    co_return res;
  }

  awaitable<void> set_staff(store::PgLease& tx, const std::string& account_id,
                            const std::vector<std::string>& restaurants) {
    co_await tx.query("DELETE FROM restaurant_staff WHERE account_id = $1", pg_params(account_id));
    for (const auto& rid : restaurants) {
      auto r = co_await tx.query(
          "INSERT INTO restaurant_staff (account_id, restaurant_id) SELECT $1, id FROM restaurants "
          "WHERE id = $2 "
          "ON CONFLICT DO NOTHING RETURNING restaurant_id",
          pg_params(account_id, rid));
      if (r.rows() == 0) {
        auto exists = co_await tx.query("SELECT 1 FROM restaurants WHERE id = $1", pg_params(rid));
        if (exists.rows() == 0) throw unprocessable("unknown_restaurant", "no restaurant " + rid);
      }
    }
  }

  awaitable<Response> set_account_restaurants(Request& req) {
    const auto id = input::require_uuid(req.param("id"), "account id");
    auto b = input::parse_object(req.body, {"restaurant_ids"});
    if (!b.contains("restaurant_ids") || !b["restaurant_ids"].is_array() ||
        b["restaurant_ids"].size() > 100)
      throw bad_request("invalid_field", "'restaurant_ids' must be a list of at most 100 ids");
    std::vector<std::string> restaurants;
    for (const auto& rid : b["restaurant_ids"]) {
      if (!rid.is_string()) throw bad_request("invalid_field", "'restaurant_ids' must hold ids");
      restaurants.push_back(input::require_uuid(rid.get<std::string>(), "restaurant id"));
    }
    auto tx = co_await pg.acquire();
    co_await tx.begin();
    auto a = co_await tx.query("SELECT role FROM accounts WHERE id = $1 FOR UPDATE", pg_params(id));
    if (a.rows() == 0) throw not_found("account_not_found", "no account " + id);
    if (a.get(0, 0) != "restaurant_staff")
      throw unprocessable("not_staff", "only restaurant_staff accounts are bound to restaurants");
    co_await set_staff(tx, id, restaurants);
    co_await tx.commit();
    auto out = co_await pg.query(kSelectAccount, pg_params(id));
    co_return Response::json(200, std::string(out.get(0, 0)));
  }

  awaitable<Response> customer_profile(const std::string& id) {
    auto r = co_await pg.query(
        "SELECT json_build_object('id', id, 'name', name, 'email', email, 'phone', phone, "
        "'rating', rating, "
        "'is_active', is_active, 'created_at', created_at) FROM customers WHERE id = $1",
        pg_params(id));
    if (r.rows() == 0) throw not_found("customer_not_found", "no such customer");
    Response out_ = Response::json(200, std::string(r.get(0, 0)));
    out_.set_header("Cache-Control", "no-store");
    co_return out_;
  }

  awaitable<Response> driver_profile(const std::string& id) {
    auto r = co_await pg.query(
        "SELECT json_build_object('id', id, 'name', name, 'email', email, 'phone', phone, "
        "'vehicle', vehicle, "
        "'license_plate', license_plate, 'status', status, 'rating', rating, "
        "'completed_deliveries', completed_deliveries, 'is_active', is_active) FROM drivers WHERE "
        "id = $1",
        pg_params(id));
    if (r.rows() == 0) throw not_found("driver_not_found", "no such driver");
    Response out_ = Response::json(200, std::string(r.get(0, 0)));
    out_.set_header("Cache-Control", "no-store");
    co_return out_;
  }

  // Admins pass every rule; an admin has no customer/driver profile of their own.
  awaitable<Response> customer_me(Request& req) {
    if (req.principal->customer_id.empty())
      throw not_found("customer_not_found", "this account is not a customer");
    co_return co_await customer_profile(req.principal->customer_id);
  }
  awaitable<Response> customer_by_id(Request& req) {
    const auto id = input::require_uuid(req.param("id"), "customer id");
    co_return co_await customer_profile(id);
  }
  awaitable<Response> driver_me(Request& req) {
    if (req.principal->driver_id.empty())
      throw not_found("driver_not_found", "this account is not a driver");
    co_return co_await driver_profile(req.principal->driver_id);
  }
  awaitable<Response> driver_by_id(Request& req) {
    const auto id = input::require_uuid(req.param("id"), "driver id");
    co_return co_await driver_profile(id);
  }
};

template <typename Method>
http::Handler route_to(const std::shared_ptr<Auth>& a, Method m) {
  return [a, m](Request& req) { return ((*a).*m)(req); };
}
}  // namespace

std::optional<std::string> normalize_email(std::string_view e) {
  while (!e.empty() && e.front() == ' ') e.remove_prefix(1);
  while (!e.empty() && e.back() == ' ') e.remove_suffix(1);
  if (e.size() < 3 || e.size() > 254) return std::nullopt;
  const auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == e.size() ||
      e.find('@', at + 1) != std::string_view::npos)
    return std::nullopt;
  std::string out;
  out.reserve(e.size());
  for (unsigned char c : e) {
    if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == ',')
      return std::nullopt;
    out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

bool acceptable_password(std::string_view p) { return p.size() >= 10 && p.size() <= 256; }

std::shared_ptr<void> register_auth(http::Router& r, store::PgPool& pg, store::Redis& redis,
                                    const SecurityConfig& cfg) {
  using namespace authz;
  auto a = std::make_shared<Auth>(Auth{pg, redis, cfg});
  r.post("/auth/register", guard(public_route(), route_to(a, &Auth::register_customer)));
  r.post("/auth/login", guard(public_route(), route_to(a, &Auth::login)));
  r.post("/auth/refresh", guard(public_route(), route_to(a, &Auth::refresh)));
  r.post("/auth/logout", guard(public_route(), route_to(a, &Auth::logout)));
  r.get("/auth/me", guard(authenticated(), route_to(a, &Auth::me)));
  r.post("/admin/accounts", guard(admin_only(), route_to(a, &Auth::create_account)));
  r.put("/admin/accounts/{id}/restaurants",
        guard(admin_only(), route_to(a, &Auth::set_account_restaurants)));
  r.get("/customers/me", guard(roles({Role::customer}), route_to(a, &Auth::customer_me)));
  r.get("/customers/{id}", guard(customer_self("id"), route_to(a, &Auth::customer_by_id)));
  r.get("/drivers/me", guard(roles({Role::driver}), route_to(a, &Auth::driver_me)));
  r.get("/drivers/{id}", guard(driver_self("id"), route_to(a, &Auth::driver_by_id)));
  return a;
}

bool ensure_admin_blocking(const std::string& conninfo, const PasswordHasher& hasher,
                           const std::string& email_in, const std::string& password) {
  const auto email = normalize_email(email_in);
  if (!email) throw std::invalid_argument("the bootstrap admin email is not an email address");
  if (!acceptable_password(password))
    throw std::invalid_argument("the bootstrap admin password must be 10 to 256 bytes");
  const std::string hash = hasher.hash_now(password);
  asio::io_context io;
  store::PgPoolOptions po;
  po.conninfo = conninfo;
  po.max_connections = 1;
  store::PgPool pool(io.get_executor(), po);
  bool created = false;
  std::exception_ptr err;
  auto work = [&]() -> awaitable<void> {
    try {
      auto r = co_await pool.query(
          "INSERT INTO accounts (email, password_hash, role, display_name) VALUES ($1, $2, "
          "'admin', 'Administrator') "
          "ON CONFLICT ((lower(email))) DO NOTHING RETURNING id",
          pg_params(*email, hash));
      created = r.rows() == 1;
    } catch (...) {
      err = std::current_exception();
    }
  };
  asio::co_spawn(io, work(), asio::detached);
  io.run();
  if (err) std::rethrow_exception(err);
  return created;
}

}  // namespace se::auth
