// `swifteats serve`: runs the selected services in one process behind one port.
#include <utility>  // before asio's awaitable headers on Boost 1.74

#include <fmt/format.h>
#include <sodium.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "app/command_registry.hpp"
#include "bus/runtime.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/middleware.hpp"
#include "core/server.hpp"
#include "services/auth/api.hpp"
#include "services/auth/security.hpp"
#include "services/catalog/api.hpp"
#include "services/catalog/menu_cache.hpp"
#include "services/orders/api.hpp"
#include "services/payments/api.hpp"
#include "store/batcher.hpp"
#include "store/pg.hpp"
#include "store/redis.hpp"

namespace se::app {
namespace {

namespace asio = boost::asio;

struct ServeConfig {
  std::string host = "0.0.0.0";
  int port = 8080;
  int threads = 0;
  std::string pg = "host=127.0.0.1 port=5433 dbname=swifteats user=postgres";
  int pg_pool_size = 16;
  int orders_pg_pool_size = 16;
  // The order path's statements are written for generic plans that stay on their indexes
  // whatever a table's size when a connection plans them (services/orders/repo.hpp).
  std::string orders_pg_settings = se::orders::kOrdersPgSettings;
  int statement_timeout_ms = 5000;
  std::string redis = "127.0.0.1:6380";
  auth::SecurityConfig security;  // accounts, JWT, rate limits, CORS (services/auth/security.hpp)
  int menu_cache_ttl_s = 120;
  std::string log_level = "info";
  std::size_t body_limit = 1 << 20;
  int read_timeout_ms = 30000;
  int drain_timeout_ms = 10000;
  std::string services = "all";
  bus::ServeBusConfig bus;  // event bus, outbox relay, consumers (docs/events.md)
  // orders + payment gateway (docs/orders.md)
  std::string payments_url;  // empty: this process's own port
  std::string payments_key;  // empty: a random key, valid inside this process only
  std::string payments_latency_ms = "50-150";
  double payments_success_rate = 0.95;
  int payment_timeout_ms = 1000;
  int orders_sweep_interval_ms = 2000;
  int orders_sweep_grace_ms = 10000;
  int orders_cas_attempts = 3;
  std::size_t orders_placement_cache_items = 100000;
  int db_batch_max = 32;
  int db_batch_in_flight = 1;
};

store::BatchLimits batch_limits(const ServeConfig& cfg) {
  return {static_cast<std::size_t>(cfg.db_batch_max),
          static_cast<std::size_t>(cfg.db_batch_in_flight)};
}

// The bound port, for services that call this same process (orders -> payments by default).
std::atomic<int> g_bound_port{0};

const std::set<std::string> kKnownServices{"auth", "catalog", "orders", "payments", "relay"};

std::set<std::string> parse_services(const std::string& list) {
  if (list == "all") return kKnownServices;
  std::set<std::string> out;
  std::size_t i = 0;
  while (i <= list.size()) {
    const auto j = std::min(list.find(',', i), list.size());
    std::string name = list.substr(i, j - i);
    if (!kKnownServices.count(name))
      throw std::runtime_error(fmt::format(
          "unknown service '{}' (known: auth, catalog, orders, payments, relay, or all)", name));
    out.insert(name);
    i = j + 1;
  }
  return out;
}

std::optional<Problem> translate_store_errors(const std::exception& e) {
  if (dynamic_cast<const store::PgUnavailable*>(&e))
    return Problem{503, "database_unavailable", "Service unavailable",
                   "the database is not reachable; retry shortly"};
  if (const auto* pe = dynamic_cast<const store::PgError*>(&e)) {
    if (pe->sqlstate == "57014")
      return Problem{503, "database_timeout", "Service unavailable",
                     "the database took too long; retry shortly"};
    if (pe->sqlstate == "40001" || pe->sqlstate == "40P01")
      return Problem{503, "database_conflict", "Service unavailable",
                     "a concurrent update won; retry"};
    if (pe->sqlstate.empty())
      return Problem{503, "database_unavailable", "Service unavailable",
                     "the database connection failed; retry"};
  }
  return std::nullopt;
}

// Time-partitioned tables need partitions ahead of the clock; creating missing ones is cheap and
// idempotent, so every start does it. A database that is down now is not fatal: /ready reports
// it and requests get 503s until it is back.
void ensure_partitions(const ServeConfig& cfg) {
  asio::io_context io;
  store::PgPoolOptions po;
  po.conninfo = cfg.pg;
  po.max_connections = 1;
  store::PgPool pool(io.get_executor(), po);
  asio::co_spawn(
      io,
      [&pool]() -> asio::awaitable<void> {
        co_await pool.query(
            "SELECT ensure_partitions(now() - interval '1 month', now() + interval '3 months')");
      },
      [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log::warn("could not ensure partitions at start-up", {{"error", ex.what()}});
        }
      });
  io.run();
}

// Per worker thread: its own pool, Redis client and service instances.
class Worker : public http::WorkerScope {
 public:
  Worker(asio::io_context& io, int index, http::Router& router, const ServeConfig& cfg,
         const std::set<std::string>& services, int threads)
      : index_(index) {
    store::PgPoolOptions po;
    po.conninfo = cfg.pg;
    po.max_connections = std::max(1, cfg.pg_pool_size / threads);
    po.statement_timeout = std::chrono::milliseconds(cfg.statement_timeout_ms);
    pg_ = std::make_shared<store::PgPool>(io.get_executor(), po);

    store::RedisOptions ro;
    const auto colon = cfg.redis.rfind(':');
    ro.host = cfg.redis.substr(0, colon);
    ro.port = colon == std::string::npos ? 6379 : std::stoi(cfg.redis.substr(colon + 1));
    redis_ = std::make_shared<store::Redis>(io.get_executor(), ro);
    redis_->start();

    http::use_standard_middlewares(router, translate_store_errors);
    auth::install_gateway(router, cfg.security, *redis_, translate_store_errors);
    add_ops_routes(router);
    if (services.count("auth")) auth_ = auth::register_auth(router, *pg_, *redis_, cfg.security);
    if (services.count("catalog")) {
      catalog::CatalogOptions co;
      co.menu_cache_ttl = std::chrono::seconds(cfg.menu_cache_ttl_s);
      catalog_ = catalog::register_catalog(router, io.get_executor(), *pg_, *redis_, co);
    }
    if (services.count("payments")) {
      payments::PaymentsOptions pay;
      const auto dash = cfg.payments_latency_ms.find('-');
      pay.policy.latency_min =
          std::chrono::milliseconds(std::stoi(cfg.payments_latency_ms.substr(0, dash)));
      pay.policy.latency_max =
          dash == std::string::npos
              ? pay.policy.latency_min
              : std::chrono::milliseconds(std::stoi(cfg.payments_latency_ms.substr(dash + 1)));
      pay.policy.success_rate = cfg.payments_success_rate;
      pay.internal_key = cfg.payments_key;
      pay.batch = batch_limits(cfg);
      payments_ = payments::register_payments(router, io.get_executor(), *pg_, pay);
    }
    if (services.count("orders")) {
      orders::OrdersOptions oo;
      const std::string url = cfg.payments_url;
      oo.payments_url = [url] {
        return url.empty() ? "http://127.0.0.1:" + std::to_string(g_bound_port.load()) : url;
      };
      oo.payment_timeout = std::chrono::milliseconds(cfg.payment_timeout_ms);
      oo.payments_key = cfg.payments_key;
      oo.run_sweeper = index == 0;  // one per process; settling is a CAS, so processes may overlap
      oo.sweep_interval = std::chrono::milliseconds(cfg.orders_sweep_interval_ms);
      oo.sweep_grace = std::chrono::milliseconds(cfg.orders_sweep_grace_ms);
      oo.cas_attempts = cfg.orders_cas_attempts;
      oo.placement_cache_items = cfg.orders_placement_cache_items;
      oo.batch = batch_limits(cfg);
      // The order path's own connections: generic plans (its statements are written for them),
      // and placement bursts cannot starve the catalog's reads of connections.
      store::PgPoolOptions opo = po;
      opo.max_connections = std::max(1, cfg.orders_pg_pool_size / threads);
      opo.settings = store::parse_pg_settings(cfg.orders_pg_settings);
      orders_pg_ = std::make_shared<store::PgPool>(io.get_executor(), opo);
      orders_ = orders::register_orders(router, io.get_executor(), *orders_pg_, oo);
    }
    register_pool_metrics("main", pg_);
    if (orders_pg_) register_pool_metrics("orders", orders_pg_);
    if (index == 0) start_bus(io, cfg, services);
  }

  asio::awaitable<void> shutdown() override {
    if (bus_) co_await bus_->shutdown();
    redis_->stop();
    co_return;
  }

 private:
  void add_ops_routes(http::Router& r) {
    // The index: the address the start-up banner prints answers with what this process serves
    // (it depends on --services), read from the router when asked, after every service added its
    // routes.
    r.get("/", [&r](http::Request&) -> asio::awaitable<http::Response> {
      auto routes = nlohmann::json::array();
      for (const auto& [method, path] : r.routes())
        routes.push_back({{"method", method}, {"path", path}});
      co_return http::Response::json(
          200, nlohmann::json{{"service", "swifteats"}, {"routes", std::move(routes)}}.dump());
    });
    r.get("/health", [](http::Request&) -> asio::awaitable<http::Response> {
      co_return http::Response::json(200, R"({"status":"ok"})");
    });
    r.get("/ready", [this](http::Request&) -> asio::awaitable<http::Response> {
      const bool pg_up = co_await pg_->ping(std::chrono::milliseconds(1000));
      const bool redis_up = redis_->connected();
      // Redis only accelerates: without it we still serve, degraded.
      const char* status = !pg_up ? "unavailable" : redis_up ? "ready" : "degraded";
      co_return http::Response::json(
          pg_up ? 200 : 503, fmt::format(R"({{"status":"{}","postgres":"{}","redis":"{}"}})",
                                         status, pg_up ? "up" : "down", redis_up ? "up" : "down"));
    });
    r.get("/metrics", [](http::Request&) -> asio::awaitable<http::Response> {
      co_return http::Response::text(200, metrics::Registry::global().render(),
                                     "text/plain; version=0.0.4");
    });
  }

  // One event-bus runtime per process, on worker 0: the outbox relay (service "relay") and the
  // consumers of the services running here.
  void start_bus(asio::io_context& io, const ServeConfig& cfg,
                 const std::set<std::string>& services) {
    const bool relay = services.count("relay") > 0;
    const bool catalog = services.count("catalog") > 0;
    if (!relay && !catalog) return;
    auto bc = cfg.bus;
    bus::set_redis_address(bc.bus, bc.redis.empty() ? cfg.redis : bc.redis);
    bus_ = std::make_unique<bus::Runtime>(io.get_executor(), *pg_, bc, cfg.pg);
    if (relay) bus_->start_relay();
    if (catalog) {
      // Every instance drops cached menus when any instance changes a restaurant: a private
      // group per process over restaurant_updates, high priority first.
      bus_menu_cache_ = std::make_shared<catalog::MenuCache>(
          io.get_executor(), *redis_, std::chrono::seconds(cfg.menu_cache_ttl_s));
      bus::ConsumerOptions co;
      co.group = "menu-cache." + bus_->config().instance;
      co.topics = bus::topics::restaurant_updates_by_priority();
      // Orders take and return stock: a menu's availability changes with them too.
      co.topics.push_back(bus::topics::kOrderUpdates);
      co.ephemeral = true;
      co.from_beginning = false;
      co.transactional = false;
      auto cache = bus_menu_cache_;
      bus_->add_consumer(
          co, [cache](const bus::Envelope& e, store::PgLease*) -> asio::awaitable<void> {
            if (e.topic != bus::topics::kOrderUpdates) {
              co_await cache->invalidate(e.key);
              co_return;
            }
            // Stock moves when an order is placed (reserved) and when it fails or is cancelled
            // (restored); other steps leave the menu as it was. Their event types say so without
            // parsing the payload (half of an order's events are confirmations).
            static const std::set<std::string, std::less<>> kNoStockChange{
                "OrderConfirmed",      "OrderAccepted", "OrderPreparing",
                "OrderReadyForPickup", "OrderPickedUp", "OrderDelivered"};
            if (kNoStockChange.count(e.event_type)) co_return;
            const auto p = nlohmann::json::parse(e.payload, nullptr, false);
            if (p.is_discarded()) co_return;
            const std::string status = p.value("status", "");
            const std::string restaurant = p.value("restaurantId", "");
            if (restaurant.empty() ||
                (status != "pending_payment" && status != "failed" && status != "cancelled"))
              co_return;
            co_await cache->invalidate(restaurant);
          });
    }
  }

  void register_pool_metrics(const std::string& name, const std::shared_ptr<store::PgPool>& p) {
    std::weak_ptr<store::PgPool> weak = p;
    const std::string worker = std::to_string(index_);
    metrics::Registry::global().add_collector([weak, worker, name](std::string& out) {
      auto pool = weak.lock();
      if (!pool) return;
      const auto s = pool->stats();
      if (worker == "0" && name == "main") {
        out += "# TYPE db_pool_connections gauge\n# TYPE db_pool_acquire_timeouts_total counter\n";
      }
      out += fmt::format(
          "db_pool_connections{{pool=\"{5}\",worker=\"{0}\",state=\"open\"}} {1}\n"
          "db_pool_connections{{pool=\"{5}\",worker=\"{0}\",state=\"in_use\"}} {2}\n"
          "db_pool_connections{{pool=\"{5}\",worker=\"{0}\",state=\"waiting\"}} {3}\n"
          "db_pool_acquire_timeouts_total{{pool=\"{5}\",worker=\"{0}\"}} {4}\n",
          worker, s.open, s.in_use, s.waiting, s.acquire_timeouts, name);
    });
  }

  int index_;
  std::shared_ptr<store::PgPool> pg_;
  std::shared_ptr<store::PgPool> orders_pg_;  // only when the orders service runs here
  std::shared_ptr<store::Redis> redis_;
  std::shared_ptr<void> catalog_;
  std::shared_ptr<void> auth_;
  std::shared_ptr<void> payments_;
  std::shared_ptr<void> orders_;
  std::shared_ptr<catalog::MenuCache> bus_menu_cache_;
  std::unique_ptr<bus::Runtime> bus_;
};

void setup(CLI::App& root) {
  auto cfg = std::make_shared<ServeConfig>();
  auto* cmd = root.add_subcommand("serve", "Serve the HTTP API (all services, or a subset)");
  cmd->add_option("--host", cfg->host, "Address to listen on")
      ->envname("SWIFTEATS_HOST")
      ->capture_default_str();
  cmd->add_option("--port", cfg->port, "Port to listen on (0 = any free port)")
      ->envname("SWIFTEATS_PORT")
      ->capture_default_str();
  cmd->add_option("--threads", cfg->threads,
                  "Worker threads, one io_context each (0 = one per core)")
      ->envname("SWIFTEATS_THREADS")
      ->capture_default_str();
  cmd->add_option("--pg", cfg->pg, "PostgreSQL connection string (libpq)")
      ->envname("SWIFTEATS_PG")
      ->capture_default_str();
  cmd->add_option("--pg-pool-size", cfg->pg_pool_size,
                  "PostgreSQL connections per process, split across workers")
      ->envname("SWIFTEATS_PG_POOL_SIZE")
      ->capture_default_str();
  cmd->add_option("--orders-pg-pool-size", cfg->orders_pg_pool_size,
                  "PostgreSQL connections per process for the order path, split across workers")
      ->envname("SWIFTEATS_ORDERS_PG_POOL_SIZE")
      ->capture_default_str();
  cmd->add_option(
         "--orders-pg-settings", cfg->orders_pg_settings,
         "PostgreSQL settings of the order path's connections: name=value,... (docs/operations.md)")
      ->envname("SWIFTEATS_ORDERS_PG_SETTINGS")
      ->check([](const std::string& v) {
        try {
          store::parse_pg_settings(v);
          return std::string();
        } catch (const std::invalid_argument& e) {
          return std::string(e.what());
        }
      })
      ->capture_default_str();
  cmd->add_option("--statement-timeout-ms", cfg->statement_timeout_ms,
                  "PostgreSQL statement timeout")
      ->envname("SWIFTEATS_STATEMENT_TIMEOUT_MS")
      ->capture_default_str();
  cmd->add_option("--redis", cfg->redis, "Redis host:port")
      ->envname("SWIFTEATS_REDIS")
      ->capture_default_str();
  auth::add_flags(*cmd, cfg->security);
  bus::add_flags(*cmd, cfg->bus);
  cmd->add_option("--menu-cache-ttl", cfg->menu_cache_ttl_s, "Menu cache TTL in seconds")
      ->envname("SWIFTEATS_MENU_CACHE_TTL")
      ->capture_default_str();
  cmd->add_option("--log-level", cfg->log_level, "trace, debug, info, warn, error, off")
      ->envname("SWIFTEATS_LOG_LEVEL")
      ->capture_default_str();
  cmd->add_option("--body-limit", cfg->body_limit, "Largest request body in bytes")
      ->envname("SWIFTEATS_BODY_LIMIT")
      ->capture_default_str();
  cmd->add_option("--read-timeout-ms", cfg->read_timeout_ms,
                  "Time allowed to read a request, and keep-alive idle time")
      ->envname("SWIFTEATS_READ_TIMEOUT_MS")
      ->capture_default_str();
  cmd->add_option("--drain-timeout-ms", cfg->drain_timeout_ms,
                  "Time in-flight requests get on shutdown")
      ->envname("SWIFTEATS_DRAIN_TIMEOUT_MS")
      ->capture_default_str();
  cmd->add_option("--services", cfg->services, "Comma-separated services to run, or all")
      ->envname("SWIFTEATS_SERVICES")
      ->capture_default_str();
  cmd->add_option(
         "--payments-key", cfg->payments_key,
         "Shared secret between orders and the payment gateway (X-Internal-Key); needed when "
         "they run in different processes. Empty: random, this process only")
      ->envname("SWIFTEATS_PAYMENTS_KEY");
  cmd->add_option("--payments-url", cfg->payments_url,
                  "Payment gateway base URL (empty: this process)")
      ->envname("SWIFTEATS_PAYMENTS_URL");
  cmd->add_option("--payments-latency-ms", cfg->payments_latency_ms,
                  "Mock gateway latency, 'min-max' ms")
      ->envname("SWIFTEATS_PAYMENTS_LATENCY_MS")
      ->capture_default_str();
  cmd->add_option("--payments-success-rate", cfg->payments_success_rate,
                  "Mock gateway success probability")
      ->envname("SWIFTEATS_PAYMENTS_SUCCESS_RATE")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--payment-timeout-ms", cfg->payment_timeout_ms,
                  "Orders: timeout of one gateway attempt")
      ->envname("SWIFTEATS_PAYMENT_TIMEOUT_MS")
      ->capture_default_str();
  cmd->add_option("--orders-sweep-interval-ms", cfg->orders_sweep_interval_ms,
                  "Orders: sweeper period")
      ->envname("SWIFTEATS_ORDERS_SWEEP_INTERVAL_MS")
      ->capture_default_str();
  cmd->add_option("--orders-sweep-grace-ms", cfg->orders_sweep_grace_ms,
                  "Orders: age after which a pending payment is settled by asking the gateway")
      ->envname("SWIFTEATS_ORDERS_SWEEP_GRACE_MS")
      ->capture_default_str();
  cmd->add_option("--orders-placement-cache-items", cfg->orders_placement_cache_items,
                  "Orders: menu items each worker remembers so a placement can skip its read "
                  "(the write re-checks them); 0 reads before every placement")
      ->envname("SWIFTEATS_ORDERS_PLACEMENT_CACHE_ITEMS")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10000000}));
  cmd->add_option("--orders-cas-attempts", cfg->orders_cas_attempts,
                  "Orders: optimistic stock compare-and-set attempts before the guarded decrement")
      ->envname("SWIFTEATS_ORDERS_CAS_ATTEMPTS")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  cmd->add_option(
         "--db-batch-max", cfg->db_batch_max,
         "Most concurrent calls of one hot statement (order placement read and write, payment "
         "confirmation, gateway charge) coalesced into one statement; 1 = no coalescing")
      ->envname("SWIFTEATS_DB_BATCH_MAX")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option(
         "--db-batch-in-flight", cfg->db_batch_in_flight,
         "Coalesced statements of one kind running at once per worker thread; calls arriving "
         "meanwhile wait and form the next one")
      ->envname("SWIFTEATS_DB_BATCH_IN_FLIGHT")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->callback([cfg] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    log::init(cfg->log_level);
    const auto services = parse_services(cfg->services);
    if (cfg->payments_key.empty()) {
      unsigned char key[24];
      randombytes_buf(key, sizeof key);
      char hex[sizeof key * 2 + 1];
      sodium_bin2hex(hex, sizeof hex, key, sizeof key);
      cfg->payments_key = hex;
      if (services.count("orders") != services.count("payments"))
        log::warn(
            "--payments-key is not set: orders and the payment gateway in different processes "
            "cannot talk; set SWIFTEATS_PAYMENTS_KEY on both");
    }
    std::vector<std::string> warnings;
    cfg->security.finalize(warnings);
    for (const auto& w : warnings) log::warn(w);
    if (!cfg->security.bootstrap_admin_email.empty() &&
        auth::ensure_admin_blocking(cfg->pg, *cfg->security.hasher,
                                    cfg->security.bootstrap_admin_email,
                                    cfg->security.bootstrap_admin_password))
      log::info("bootstrap admin account created",
                {{"email", cfg->security.bootstrap_admin_email}});
    ensure_partitions(*cfg);
    http::ServerOptions so;
    so.host = cfg->host;
    so.port = cfg->port;
    so.threads = cfg->threads;
    so.body_limit = cfg->body_limit;
    so.read_timeout = std::chrono::milliseconds(cfg->read_timeout_ms);
    so.drain_timeout = std::chrono::milliseconds(cfg->drain_timeout_ms);
    if (so.threads <= 0)
      so.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = so.threads;
    http::Server server(
        so, [cfg, services, threads](asio::io_context& io, int index, http::Router& router) {
          return std::make_unique<Worker>(io, index, router, *cfg, services, threads);
        });
    server.run([&](int port) {
      g_bound_port = port;
      log::announce("listening",
                    {{"port", port}, {"threads", threads}, {"services", cfg->services}});
    });
    log::info("stopped");
  });
}

const RegisterCommand registered{setup};

}  // namespace
}  // namespace se::app
