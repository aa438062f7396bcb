#include "services/orders/api.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/http_client.hpp"
#include "core/input.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/problem.hpp"
#include "core/text.hpp"
#include "services/orders/domain/lifecycle.hpp"
#include "services/orders/domain/placement.hpp"
#include "services/orders/repo.hpp"

namespace se::orders {

namespace {
namespace asio = boost::asio;
using asio::awaitable;
using http::Request;
using http::Response;
using nlohmann::json;

// Who is calling, from the verified principal (or, in development, X-Principal-* headers).
struct Caller {
  enum class Kind { customer, staff, driver, admin } kind = Kind::customer;
  std::string customer_id, driver_id;
  std::vector<std::string> restaurants;
  [[nodiscard]] bool runs(const std::string& restaurant_id) const {
    return std::find(restaurants.begin(), restaurants.end(), restaurant_id) != restaurants.end();
  }
};

Caller caller_of(const Request& req) {
  if (!req.principal)
    throw Problem{401, "unauthenticated", "Unauthorized",
                  "sign in first: a bearer token is required"};
  Caller c;
  const auto& p = *req.principal;
  switch (p.role) {
    case auth::Role::customer:
      c.kind = Caller::Kind::customer;
      break;
    case auth::Role::restaurant_staff:
      c.kind = Caller::Kind::staff;
      break;
    case auth::Role::driver:
      c.kind = Caller::Kind::driver;
      break;
    case auth::Role::admin:
      c.kind = Caller::Kind::admin;
      break;
  }
  c.customer_id = p.customer_id;
  c.driver_id = p.driver_id;
  c.restaurants = p.restaurants;
  return c;
}

// The actor this caller is for `order`, or nullopt when the order is none of their business.
std::optional<Actor> actor_for(const Caller& c, const repo::OrderRow& o) {
  switch (c.kind) {
    case Caller::Kind::admin:
      return Actor::system;
    case Caller::Kind::customer:
      if (c.customer_id == o.customer_id) return Actor::customer;
      return std::nullopt;
    case Caller::Kind::staff:
      if (c.runs(o.restaurant_id)) return Actor::restaurant;
      return std::nullopt;
    case Caller::Kind::driver:
      if (!c.driver_id.empty() && c.driver_id == o.driver_id) return Actor::driver;
      return std::nullopt;
  }
  return std::nullopt;
}

std::string actor_label(const Caller& c, Actor a, const repo::OrderRow& o) {
  switch (a) {
    case Actor::customer:
      return "customer:" + c.customer_id;
    case Actor::restaurant:
      return "restaurant:" + o.restaurant_id;
    case Actor::driver:
      return "driver:" + c.driver_id;
    case Actor::system:
      return "admin";
  }
  return "system";
}

std::string sha256_hex(const std::string& s) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  char hex[sizeof h * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, h, sizeof h);
  return hex;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

enum class PayOutcome { succeeded, declined, unknown };

Response problem_json(int status, std::string body) {
  Response r = Response::json(status, std::move(body));
  r.set_header("Content-Type", "application/problem+json");
  return r;
}

struct Orders : std::enable_shared_from_this<Orders> {
  asio::any_io_executor ex;
  store::PgPool& pg;
  OrdersOptions opts;
  http::HttpClient client;
  std::mt19937_64 rng;
  repo::InventoryPolicy inventory;
  PlacementCache placement_cache;
  repo::PlacementReader placement_reads;
  repo::PlacementWriter placements;
  store::Batcher<repo::Confirm, std::optional<std::string>> confirms;

  Orders(asio::any_io_executor e, store::PgPool& p, OrdersOptions o)
      : ex(e),
        pg(p),
        opts(std::move(o)),
        client(e),
        rng(opts.seed ? opts.seed : std::random_device{}()),
        placement_cache(opts.placement_cache_items),
        placement_reads(
            "orders_place_read", e, opts.batch,
            [this](const std::vector<repo::PlacementQuery>& b) {
              return repo::read_placements(pg, b);
            },
            {}, store::is_data_error),
        placements(
            "orders_place_write", e, opts.batch,
            [this](const std::vector<repo::PlacementWrite>& b) {
              return repo::write_placements(pg, b);
            },
            repo::placements_conflict, store::is_data_error),
        confirms(
            "orders_confirm", e, opts.batch,
            [this](const std::vector<repo::Confirm>& b) { return repo::confirm_paid(pg, b); }, {},
            store::is_data_error) {
    inventory.cas_attempts = opts.cas_attempts;
    inventory.backoff_base = opts.backoff_base;
    inventory.backoff_cap = opts.backoff_cap;
  }

  static std::atomic<std::uint64_t>& counter(const char* name, const char* label,
                                             const char* value) {
    return metrics::Registry::global().counter(name, {{label, value}});
  }

  // ---- payment gateway ----------------------------------------------------------------------

  static PayOutcome outcome_of(const http::ClientResponse& r) {
    if (r.status != 200) return PayOutcome::unknown;
    auto j = json::parse(r.body, nullptr, false);
    if (!j.is_object()) return PayOutcome::unknown;
    const auto s = j.value("status", "");
    if (s == "succeeded" || s == "refunded") return PayOutcome::succeeded;
    if (s == "declined" || s == "voided") return PayOutcome::declined;
    return PayOutcome::unknown;
  }

  http::Headers internal_headers() const { return {{"X-Internal-Key", opts.payments_key}}; }

  awaitable<PayOutcome> charge(const std::string& payment_id, std::int64_t amount,
                               const std::string& order_id) {
    const std::string body =
        json{{"payment_id", payment_id}, {"amount_cents", amount}, {"reference", order_id}}.dump();
    for (int attempt = 1; attempt <= opts.payment_attempts; ++attempt) {
      try {
        const auto headers = internal_headers();
        auto r = co_await client.request("POST", opts.payments_url(), "/payments/charges", body,
                                         headers, opts.payment_timeout);
        auto o = outcome_of(r);
        if (o != PayOutcome::unknown) co_return o;
        if (r.status >= 400 && r.status < 500) co_return PayOutcome::declined;  // refused outright
      } catch (const http::ClientError& e) {
        counter("orders_payment_call_errors_total", "kind",
                e.timed_out ? "timeout" : "transport")++;
      }
    }
    co_return PayOutcome::unknown;
  }

  // Asks the gateway for the final outcome; an id it never charged is voided (so it stays failed).
  awaitable<PayOutcome> resolve(const std::string& payment_id) {
    try {
      const auto headers = internal_headers();
      auto r = co_await client.request("POST", opts.payments_url(),
                                       "/payments/charges/" + payment_id + "/resolve", "{}",
                                       headers, opts.payment_timeout);
      co_return outcome_of(r);
    } catch (const http::ClientError&) {
      co_return PayOutcome::unknown;
    }
  }

  awaitable<bool> refund(const std::string& payment_id) {
    try {
      const auto headers = internal_headers();
      auto r = co_await client.request("POST", opts.payments_url(),
                                       "/payments/charges/" + payment_id + "/refund", "{}", headers,
                                       opts.payment_timeout);
      if (r.status == 200) {
        co_await repo::mark_refunded(pg, payment_id);
        co_return true;
      }
      log::warn("refund refused by the gateway",
                {{"payment_id", payment_id}, {"status", r.status}});
    } catch (const std::exception& e) {
      log::warn("refund failed; the sweeper retries",
                {{"payment_id", payment_id}, {"error", e.what()}});
    }
    co_return false;
  }

  // Applies a payment outcome to an order still pending payment. nullopt when someone else
  // (the placing request or a sweeper) settled it first.
  awaitable<std::optional<std::string>> settle(const std::string& order_id,
                                               const std::string& created_at, bool paid,
                                               const std::string& actor, const std::string& reason,
                                               const std::string& correlation_id) {
    if (paid) {
      // The common case, coalesced with this worker's other confirmations into one statement.
      repo::Confirm c{order_id, created_at,     actor,
                      reason,   correlation_id, new_uuid_v4(rng)};  // named: GCC 12
      auto res = co_await confirms.submit(std::move(c));
      if (res) counter("orders_settled_total", "outcome", "confirmed")++;
      co_return res;
    }
    repo::Transition t;
    t.order_id = order_id;
    t.created_at = created_at;
    t.from = Status::pending_payment;
    t.to = paid ? Status::confirmed : Status::failed;
    t.actor = actor;
    t.reason = reason;
    t.payment_status = paid ? "captured" : "failed";
    t.idempotent_response = paid ? 201 : 402;
    t.correlation_id = correlation_id;
    t.event_id = new_uuid_v4(rng);
    auto res = co_await repo::transition(pg, t);
    if (res) counter("orders_settled_total", "outcome", paid ? "confirmed" : "failed")++;
    co_return res;
  }

  // ---- routes ------------------------------------------------------------------------------

  awaitable<Response> place(Request& req) {
    const auto t0 = std::chrono::steady_clock::now();
    const Caller c = caller_of(req);
    if (c.kind != Caller::Kind::customer || c.customer_id.empty())
      throw Problem{403, "forbidden", "Forbidden", "only customers place orders"};
    // Printable ASCII, as the header's draft standard has it: the key is stored and echoed as
    // text, which other bytes would break.
    const std::string* key = req.header("idempotency-key");
    if (!key || key->empty() || key->size() > 200 ||
        !std::all_of(key->begin(), key->end(), [](char ch) { return ch >= 0x20 && ch <= 0x7e; }))
      throw bad_request(
          "idempotency_key_required",
          "an Idempotency-Key header (1 to 200 printable ASCII characters) is required");
    auto b = input::parse_object(
        req.body, {"restaurant_id", "items", "delivery_address", "delivery_point", "notes"});
    repo::PlaceRequest r;
    r.restaurant_id =
        input::require_uuid(input::require_string(b, "restaurant_id", 36), "restaurant_id");
    if (!b.contains("items") || !b["items"].is_array() || b["items"].empty() ||
        b["items"].size() > 50)
      throw bad_request("invalid_field",
                        "'items' must be a list of 1 to 50 {food_item_id, quantity}");
    std::vector<RequestedLine> lines;
    for (const auto& it : b["items"]) {
      if (!it.is_object()) throw bad_request("invalid_field", "each item must be an object");
      for (auto& [k, v] : it.items())
        if (k != "food_item_id" && k != "quantity")
          throw bad_request("unknown_field", "unknown item field '" + k + "'");
      lines.push_back(
          {input::require_uuid(input::require_string(it, "food_item_id", 36), "food_item_id"),
           static_cast<int>(input::require_int(it, "quantity", 1, 100))});
    }
    r.lines = normalise_lines(std::move(lines));
    for (const auto& l : r.lines)
      if (l.quantity > 100) throw bad_request("invalid_field", "at most 100 of one item");
    r.delivery_address = input::require_string(b, "delivery_address", 500);
    if (!b.contains("delivery_point") || !b["delivery_point"].is_object())
      throw bad_request("invalid_field", "'delivery_point' must be {\"lat\", \"lng\"}");
    const auto& pt = b["delivery_point"];
    for (auto& [k, v] : pt.items())
      if (k != "lat" && k != "lng")
        throw bad_request("unknown_field", "unknown delivery_point field '" + k + "'");
    r.lat = input::require_number(pt, "lat", -90, 90);
    r.lng = input::require_number(pt, "lng", -180, 180);
    r.notes = input::opt_string(b, "notes", 500).value_or("");
    r.customer_id = c.customer_id;
    r.idempotency_key = c.customer_id + ":" + *key;
    r.request_hash = sha256_hex(b.dump());  // canonical: keys sorted, whitespace dropped
    const auto ms = now_ms();
    r.order_id = new_order_id(ms, rng);
    r.created_at = timestamp_literal(ms);
    r.payment_id = new_uuid_v4(rng);
    r.event_id = new_uuid_v4(rng);
    r.correlation_id = req.request_id;

    repo::InventoryStats stats;
    auto placed = co_await repo::place(placement_reads, placements, r, inventory, rng, stats,
                                       placement_cache);
    if (stats.cache_hits)
      counter("orders_placement_cache_total", "result", "hit") += stats.cache_hits;
    if (stats.cache_misses)
      counter("orders_placement_cache_total", "result", "miss") += stats.cache_misses;
    if (stats.cas_conflicts)
      counter("orders_inventory_cas_conflicts_total", "stage", "cas") += stats.cas_conflicts;
    if (stats.guarded_fallbacks)
      counter("orders_inventory_cas_conflicts_total", "stage", "guarded") +=
          stats.guarded_fallbacks;
    if (placed.kind == repo::PlaceResult::Kind::replay) {
      counter("orders_idempotent_replays_total", "result", "replayed")++;
      Response res = placed.response_status >= 400
                         ? problem_json(placed.response_status, placed.response_body)
                         : Response::json(placed.response_status, placed.response_body);
      res.set_header("Idempotent-Replayed", "true");
      if (placed.response_status == 201) res.set_header("Location", "/orders/" + placed.order_id);
      co_return res;
    }
    if (placed.kind == repo::PlaceResult::Kind::in_progress) {
      counter("orders_idempotent_replays_total", "result", "in_progress")++;
      Problem p{409, "request_in_progress", "Conflict",
                "the order placed with this Idempotency-Key (" + placed.order_id +
                    ") is still being paid; retry shortly"};
      throw p;
    }

    // No transaction and no connection is held while the gateway works.
    const auto paying_since = std::chrono::steady_clock::now();
    const auto pay = co_await charge(r.payment_id, placed.quote.total_cents, r.order_id);
    PayOutcome final_outcome = pay;
    if (pay == PayOutcome::unknown) final_outcome = co_await resolve(r.payment_id);
    // Server-Timing (W3C) tells a client how much of its wait was the gateway's, so the latency
    // the platform adds can be told apart from the gateway's own (bench/orders reports both).
    const auto payment_timing = fmt::format(
        "payment;dur={:.2f};desc=\"payment gateway\"",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - paying_since)
            .count());
    if (final_outcome == PayOutcome::unknown) {
      // The sweeper settles it once the gateway answers again.
      counter("orders_placed_total", "outcome", "payment_pending")++;
      auto o = co_await repo::load(pg, r.order_id, r.created_at);
      Response res = Response::json(202, o ? o->json : "{}");
      res.set_header("Location", "/orders/" + r.order_id);
      res.set_header("Retry-After", "2");
      res.set_header("Server-Timing", payment_timing);
      co_return res;
    }
    const bool paid = final_outcome == PayOutcome::succeeded;
    auto body = co_await settle(r.order_id, r.created_at, paid, "system:payments",
                                paid ? "payment captured" : "payment declined", req.request_id);
    if (!body) {
      // A sweeper settled it meanwhile: answer what it stored.
      auto o = co_await repo::load(pg, r.order_id, r.created_at);
      if (!o) throw unavailable("order_vanished", "retry with the same Idempotency-Key");
      if (o->status == Status::failed) {
        throw Problem{402, "payment_declined", "Payment failed",
                      "the payment was declined; stock was released"};
      }
      body = o->json;
    }
    metrics::Registry::global()
        .histogram("orders_place_seconds")
        .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    counter("orders_placed_total", "outcome", paid ? "confirmed" : "payment_declined")++;
    if (!paid) {
      Response res =
          problem_json(402, json{{"type", "about:blank"},
                                 {"title", "Payment failed"},
                                 {"status", 402},
                                 {"code", "payment_declined"},
                                 {"detail", "the payment was declined: payment declined"},
                                 {"order_id", r.order_id},
                                 {"order", json::parse(*body)}}
                                .dump());
      res.set_header("Server-Timing", payment_timing);
      co_return res;
    }
    Response res = Response::json(201, std::move(*body));
    res.set_header("Location", "/orders/" + r.order_id);
    res.set_header("Server-Timing", payment_timing);
    co_return res;
  }

  // Loads an order the caller may see (404 otherwise, so ids of others' orders leak nothing).
  awaitable<std::pair<repo::OrderRow, Actor>> visible_order(const Request& req, const Caller& c) {
    const auto id = input::require_uuid(req.param("id"), "order id");
    const auto ms = order_id_millis(id);
    if (!ms) throw not_found("order_not_found", "no order " + id);
    auto o = co_await repo::load(pg, id, timestamp_literal(*ms));
    if (!o) throw not_found("order_not_found", "no order " + id);
    auto a = actor_for(c, *o);
    if (!a) throw not_found("order_not_found", "no order " + id);
    co_return std::make_pair(std::move(*o), *a);
  }

  awaitable<Response> get(Request& req) {
    input::allow_query(req, {});
    const Caller c = caller_of(req);
    auto [o, actor] = co_await visible_order(req, c);
    auto j = json::parse(o.json);
    j["history"] = json::parse(co_await repo::history_json(pg, o.id, o.created_at));
    json next = json::array();
    for (Status s : next_statuses(o.status, actor)) next.push_back(status_name(s));
    j["allowed_next"] = std::move(next);
    co_return Response::json(200, j.dump());
  }

  awaitable<Response> list(Request& req) {
    input::allow_query(req, {"limit", "cursor"});
    const Caller c = caller_of(req);
    if (c.kind != Caller::Kind::customer)
      throw Problem{403, "forbidden", "Forbidden", "only customers list their orders"};
    repo::ListQuery q;
    q.customer_id = c.customer_id;
    const int page = static_cast<int>(input::query_int(req, "limit", 1, 100).value_or(20));
    q.limit = page + 1;
    if (const std::string* cur = req.query_param("cursor")) {
      auto ms = input::is_uuid(*cur) ? order_id_millis(*cur) : std::nullopt;
      if (!ms) throw bad_request("invalid_cursor", "'cursor' is malformed");
      q.after_id = *cur;
      q.after_created_at = timestamp_literal(*ms);
    }
    auto rows = co_await repo::list_for_customer(pg, q);
    const std::size_t n = std::min<std::size_t>(rows.size(), static_cast<std::size_t>(page));
    std::string body = "{\"items\":[";
    for (std::size_t i = 0; i < n; ++i) body += (i ? "," : "") + rows[i];
    body += "],\"next_cursor\":";
    body += rows.size() > n ? json(json::parse(rows[n - 1])["id"]).dump() : "null";
    body += "}";
    co_return Response::json(200, std::move(body));
  }

  awaitable<Response> queue(Request& req) {
    input::allow_query(req, {"status", "limit"});
    const Caller c = caller_of(req);
    const auto rid = input::require_uuid(req.param("id"), "restaurant id");
    if (c.kind != Caller::Kind::admin && !(c.kind == Caller::Kind::staff && c.runs(rid)))
      throw Problem{403, "forbidden", "Forbidden", "only this restaurant's staff see its orders"};
    std::vector<std::string> statuses{"confirmed", "accepted", "preparing", "ready_for_pickup"};
    if (const std::string* s = req.query_param("status")) {
      statuses.clear();
      for (const auto item : text::split_nonempty(*s)) statuses.emplace_back(item);
      for (const auto& st : statuses) {
        auto p = parse_status(st);
        if (!p || !is_active(*p))
          throw bad_request("invalid_parameter",
                            "'status' lists live statuses: confirmed, accepted, preparing, "
                            "ready_for_pickup, picked_up");
      }
    }
    const int limit = static_cast<int>(input::query_int(req, "limit", 1, 500).value_or(200));
    auto rows = co_await repo::restaurant_queue(pg, rid, statuses, limit);
    std::string body = "{\"items\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) body += (i ? "," : "") + rows[i];
    body += "]}";
    co_return Response::json(200, std::move(body));
  }

  awaitable<Response> change(Request& req, std::optional<Status> forced) {
    const Caller c = caller_of(req);
    auto b = input::parse_object(
        req.body.empty() ? std::string("{}") : req.body,
        forced ? std::initializer_list<std::string_view>{"reason", "expected_version"}
               : std::initializer_list<std::string_view>{"status", "reason", "expected_version"});
    Status to;
    if (forced) {
      to = *forced;
    } else {
      auto s = parse_status(input::require_string(b, "status", 40));
      if (!s) throw bad_request("invalid_field", "'status' is not an order status");
      to = *s;
    }
    const auto reason =
        input::opt_string(b, "reason", 500).value_or(to == Status::cancelled ? "cancelled" : "");
    const auto expected = input::opt_int(b, "expected_version", 1, 1'000'000);
    auto [o, actor] = co_await visible_order(req, c);
    if (expected && *expected != o.version)
      throw conflict("version_mismatch",
                     fmt::format("the order is at version {}, not {}", o.version, *expected));
    switch (check_transition(o.status, to, actor)) {
      case Verdict::allowed:
        break;
      case Verdict::illegal:
        throw conflict("illegal_transition", fmt::format("an order that is {} cannot become {}",
                                                         status_name(o.status), status_name(to)));
      case Verdict::forbidden:
        throw Problem{403, "transition_forbidden", "Forbidden",
                      fmt::format("a {} may not move an order from {} to {}", actor_name(actor),
                                  status_name(o.status), status_name(to))};
    }
    repo::Transition t;
    t.order_id = o.id;
    t.created_at = o.created_at;
    t.from = o.status;
    t.to = to;
    t.expected_version = o.version;
    t.actor = actor_label(c, actor, o);
    t.reason = reason;
    t.request_refund = to == Status::cancelled;
    t.correlation_id = req.request_id;
    t.event_id = new_uuid_v4(rng);
    auto body = co_await repo::transition(pg, t);
    if (!body)
      throw conflict("concurrent_update", "the order changed meanwhile; reload it and retry");
    counter("orders_transitions_total", "to", status_name(to))++;
    if (to == Status::cancelled && !o.payment_id.empty()) {
      if (co_await refund(o.payment_id)) {
        auto fresh = co_await repo::load(pg, o.id, o.created_at);
        if (fresh) body = fresh->json;
      }
    }
    co_return Response::json(200, std::move(*body));
  }

  // ---- sweeper -----------------------------------------------------------------------------

  awaitable<int> sweep_once() {
    int settled = 0;
    auto stuck = co_await repo::stuck_payments(pg, opts.sweep_grace, 200);
    for (const auto& s : stuck) {
      const auto o = co_await resolve(s.payment_id);
      if (o == PayOutcome::unknown) continue;  // gateway down: next round
      const bool paid = o == PayOutcome::succeeded;
      if (co_await settle(
              s.order_id, s.created_at, paid, "system:sweeper",
              paid ? "payment captured (recovered)" : "payment not completed (recovered)", ""))
        ++settled;
    }
    auto refunds = co_await repo::refunds_due(pg, opts.sweep_grace, 200);
    for (const auto& p : refunds) co_await refund(p);
    co_return settled;
  }

  static void start_sweeper(const std::shared_ptr<Orders>& self) {
    std::weak_ptr<Orders> weak = self;
    auto ex = self->ex;
    const auto interval = self->opts.sweep_interval;
    asio::co_spawn(
        ex,
        [weak, ex, interval]() -> awaitable<void> {
          asio::steady_timer timer(ex);
          for (;;) {
            {
              auto s = weak.lock();
              if (!s) co_return;
              try {
                const int n = co_await s->sweep_once();
                if (n) log::info("sweeper settled orders stuck in payment", {{"orders", n}});
              } catch (const std::exception& e) {
                log::warn("order sweeper round failed", {{"error", e.what()}});
              }
            }
            timer.expires_after(interval);
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          }
        },
        asio::detached);
  }
};

template <typename F>
http::Handler route(const std::shared_ptr<Orders>& o, F f) {
  return [o, f](Request& req) -> awaitable<Response> { co_return co_await ((*o).*f)(req); };
}
}  // namespace

std::shared_ptr<void> register_orders(http::Router& router, asio::any_io_executor ex,
                                      store::PgPool& pg, OrdersOptions opts) {
  auto o = std::make_shared<Orders>(ex, pg, std::move(opts));
  router.post("/orders", route(o, &Orders::place));
  router.get("/orders", route(o, &Orders::list));
  router.get("/orders/{id}", route(o, &Orders::get));
  router.post("/orders/{id}/status", [o](Request& req) -> awaitable<Response> {
    co_return co_await o->change(req, std::nullopt);
  });
  router.post("/orders/{id}/cancel", [o](Request& req) -> awaitable<Response> {
    co_return co_await o->change(req, Status::cancelled);
  });
  router.get("/restaurants/{id}/orders", route(o, &Orders::queue));
  if (o->opts.run_sweeper) Orders::start_sweeper(o);
  return o;
}

}  // namespace se::orders
