#include "services/payments/api.hpp"

#include <sodium.h>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/input.hpp"
#include "core/metrics.hpp"
#include "core/problem.hpp"
#include "store/args.hpp"

namespace se::payments {

namespace {
using boost::asio::awaitable;
using http::Request;
using http::Response;
using nlohmann::json;
using store::pg_params;

constexpr const char* kColumns =
    "payment_id::text, amount_cents, currency, reference, status, coalesce(decline_reason, '')";

json row_json(const store::PgResult& r, int i = 0) {
  json j{{"payment_id", std::string(r.get(i, 0))},
         {"amount_cents", std::stoll(std::string(r.get(i, 1)))},
         {"currency", std::string(r.get(i, 2))},
         {"reference", std::string(r.get(i, 3))},
         {"status", std::string(r.get(i, 4))}};
  if (!r.get(i, 5).empty()) j["decline_reason"] = std::string(r.get(i, 5));
  return j;
}

// A charge decision to record.
struct NewCharge {
  std::string payment_id;
  std::int64_t amount_cents = 0;
  std::string currency, reference, status;
  std::optional<std::string> decline_reason;
};

// Records a batch of decisions in one statement; for each, the row when it was new, nullopt when
// the id already had a decision (the first one stands). Rows go in payment id order: two batches
// (two workers or processes) charging the same ids wait for each other in the same order
// instead of deadlocking.
awaitable<std::vector<std::optional<json>>> record_charges(store::PgPool& pg,
                                                           const std::vector<NewCharge>& cs) {
  json rows = json::array();
  for (const auto& c : cs)
    rows.push_back(
        {{"payment_id", c.payment_id},
         {"amount_cents", c.amount_cents},
         {"currency", c.currency},
         {"reference", c.reference},
         {"status", c.status},
         {"decline_reason", c.decline_reason ? json(*c.decline_reason) : json(nullptr)}});
  static const std::string sql = fmt::format(
      "INSERT INTO gateway_charges (payment_id, amount_cents, currency, reference, status, "
      "decline_reason) "
      "SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(payment_id uuid, amount_cents bigint, "
      "currency text, "
      "reference text, status text, decline_reason text) ORDER BY payment_id "
      "ON CONFLICT (payment_id) DO NOTHING RETURNING {}",
      kColumns);
  auto r = co_await pg.query(sql, pg_params(rows.dump()));
  std::vector<std::optional<json>> out(cs.size());
  for (int i = 0; i < r.rows(); ++i) {
    json row = row_json(r, i);
    for (std::size_t k = 0; k < cs.size(); ++k)
      if (!out[k] && cs[k].payment_id == row["payment_id"]) {
        out[k] = std::move(row);
        break;
      }
  }
  co_return out;
}

struct Gateway : std::enable_shared_from_this<Gateway> {
  boost::asio::any_io_executor ex;
  store::PgPool& pg;
  PaymentsOptions opts;
  std::mt19937_64 rng;
  store::Batcher<NewCharge, std::optional<json>> charges;

  Gateway(boost::asio::any_io_executor e, store::PgPool& p, const PaymentsOptions& o)
      : ex(std::move(e)),
        pg(p),
        opts(o),
        rng(o.seed ? o.seed : std::random_device{}()),
        charges(
            "gateway_charge", ex, o.batch,
            [this](const std::vector<NewCharge>& b) { return record_charges(pg, b); },
            [](const NewCharge& a, const NewCharge& b) { return a.payment_id == b.payment_id; },
            store::is_data_error) {}

  awaitable<std::optional<json>> load(const std::string& id) {
    auto r = co_await pg.query(
        fmt::format("SELECT {} FROM gateway_charges WHERE payment_id = $1", kColumns),
        pg_params(id));
    if (r.rows() == 0) co_return std::nullopt;
    co_return row_json(r);
  }

  awaitable<Response> charge(Request& req) {
    auto b = input::parse_object(req.body, {"payment_id", "amount_cents", "currency", "reference"});
    const auto id = input::require_uuid(input::require_string(b, "payment_id", 36), "payment_id");
    const auto amount = input::require_int(b, "amount_cents", 0, 1'000'000'000);
    const auto currency = input::opt_string(b, "currency", 3).value_or("INR");
    const auto reference = input::opt_string(b, "reference", 100).value_or("");
    // The decision is recorded before the simulated processing time, as a real gateway's charge is
    // in flight once accepted: a caller that gives up meanwhile and asks for the outcome (the
    // orders sweeper's resolve) learns the same answer. The first decision for an id wins; a
    // repeated charge (a retry, a concurrent duplicate) gets the recorded one, at no extra wait.
    const auto d = decide_charge(opts.policy, rng);
    const char* status = d.succeeds ? "succeeded" : "declined";
    std::optional<std::string> reason;
    if (!d.succeeds) reason = "card_declined";
    NewCharge c{id, amount, currency, reference, status, reason};
    auto recorded = co_await charges.submit(std::move(c));
    if (recorded) {
      metrics::Registry::global().counter("payment_gateway_charges_total", {{"outcome", "new"}})++;
      if (d.latency.count() > 0) {
        boost::asio::steady_timer t(ex, d.latency);
        co_await t.async_wait(boost::asio::use_awaitable);
      }
      co_return Response::json(200, recorded->dump());
    }
    auto existing = co_await load(id);
    if (!existing) throw unavailable("payment_race", "payment " + id + " vanished; retry");
    if ((*existing)["status"] != "voided" &&
        (*existing)["amount_cents"].get<std::int64_t>() != amount)
      throw conflict("payment_id_reused", "payment " + id + " was charged with another amount");
    metrics::Registry::global().counter("payment_gateway_charges_total",
                                        {{"outcome", "replayed"}})++;
    co_return Response::json(200, existing->dump());
  }

  awaitable<Response> get(Request& req) {
    input::allow_query(req, {});
    const auto id = input::require_uuid(req.param("id"), "payment id");
    auto row = co_await load(id);
    if (!row) throw not_found("payment_not_found", "the gateway has no payment " + id);
    co_return Response::json(200, row->dump());
  }

  awaitable<Response> resolve(Request& req) {
    const auto id = input::require_uuid(req.param("id"), "payment id");
    auto ins = co_await pg.query(
        fmt::format(
            "INSERT INTO gateway_charges (payment_id, amount_cents, status, decline_reason) "
            "VALUES ($1, 0, 'voided', 'abandoned') ON CONFLICT (payment_id) DO NOTHING RETURNING "
            "{}",
            kColumns),
        pg_params(id));
    if (ins.rows() == 1) {
      metrics::Registry::global().counter("payment_gateway_charges_total",
                                          {{"outcome", "voided"}})++;
      co_return Response::json(200, row_json(ins).dump());
    }
    auto row = co_await load(id);
    if (!row) throw unavailable("payment_race", "payment " + id + " vanished; retry");
    co_return Response::json(200, row->dump());
  }

  awaitable<Response> refund(Request& req) {
    const auto id = input::require_uuid(req.param("id"), "payment id");
    auto up = co_await pg.query(
        fmt::format("UPDATE gateway_charges SET status = 'refunded', refunded_at = now() "
                    "WHERE payment_id = $1 AND status = 'succeeded' RETURNING {}",
                    kColumns),
        pg_params(id));
    if (up.rows() == 1) co_return Response::json(200, row_json(up).dump());
    auto row = co_await load(id);
    if (!row) throw not_found("payment_not_found", "the gateway has no payment " + id);
    if ((*row)["status"] != "refunded")
      throw conflict("not_refundable",
                     "payment " + id + " is " + (*row)["status"].get<std::string>());
    co_return Response::json(200, row->dump());
  }
};

template <typename F>
http::Handler route(const std::shared_ptr<Gateway>& g, F f) {
  return [g, f](Request& req) -> awaitable<Response> {
    const std::string* key = req.header("x-internal-key");
    const std::string& want = g->opts.internal_key;
    if (!key || key->size() != want.size() ||
        sodium_memcmp(key->data(), want.data(), want.size()) != 0)
      throw Problem{403, "internal_only", "Forbidden",
                    "the payment gateway serves internal callers only"};
    co_return co_await ((*g).*f)(req);
  };
}
}  // namespace

std::shared_ptr<void> register_payments(http::Router& router, boost::asio::any_io_executor ex,
                                        store::PgPool& pg, const PaymentsOptions& opts) {
  auto g = std::make_shared<Gateway>(std::move(ex), pg, opts);
  router.post("/payments/charges", route(g, &Gateway::charge));
  router.get("/payments/charges/{id}", route(g, &Gateway::get));
  router.post("/payments/charges/{id}/resolve", route(g, &Gateway::resolve));
  router.post("/payments/charges/{id}/refund", route(g, &Gateway::refund));
  return g;
}

}  // namespace se::payments
