// A crash at any instant loses nothing answered and leaves no half-done step: the orders process
// (with its outbox relay) is killed with SIGKILL several times while customers place and cancel
// orders and staff move them along, and restarted each time. Clients retry a placement with its
// Idempotency-Key until they get an answer, as a real client would; a transition cut off by a
// kill is not retried (its outcome is unknown to the client). Afterwards the database, the
// payment gateway and the event stream must agree with every answer given.
#include <gtest/gtest.h>

#include <condition_variable>
#include <csignal>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "orders_support.hpp"
#include "support/server_process.hpp"

using namespace se::test::orders;  // NOLINT(google-build-using-namespace): the suite's helpers

namespace {

constexpr const char* kCrashPaymentsKey = "crash-test-key";
constexpr int kStock = 10000;
constexpr int kWorkers = 4;
constexpr int kKills = 5;
constexpr int kAnswersPerLife = 16;  // answers between two kills, and after the last restart

// What the clients were told, and the processes they talk to.
struct Ledger {
  std::mutex m;
  std::condition_variable changed;
  int port = 0;
  int life = 0;     // restarts so far
  int answers = 0;  // answers in this life
  bool stop = false;
  std::map<std::string, std::set<std::string>> done;     // order -> steps answered as done
  std::map<std::string, std::set<std::string>> unknown;  // order -> step cut off by a kill
  std::vector<std::string> failed;                       // placements answered 402
  std::vector<std::string> wrong;                        // answers no client should get

  void answered(const std::string& order, const std::string& step) {
    std::lock_guard lock(m);
    done[order].insert(step);
    ++answers;
    changed.notify_all();
  }
  // The life a request is sent in, and its port.
  std::pair<int, int> current() {
    std::lock_guard lock(m);
    return {life, port};
  }
  // Blocks until the process of `life` has been replaced; false when the test is over.
  bool await_restart(int life_seen) {
    std::unique_lock lock(m);
    changed.wait(lock, [&] { return stop || life != life_seen; });
    return !stop;
  }
};

// One order through the API: placed (retried with its key across kills until answered), then
// one of four step sequences chosen by `pattern`.
void one_order(Ledger& ledger, const World& w, const std::string& customer, const std::string& key,
               int pattern) {
  const auto body = order_body(w, 1, 1);
  const auto settle_by = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string id;
  for (;;) {
    const auto [life, port] = ledger.current();
    try {
      const auto r = place(port, customer, body, key);
      if (r.status == 201) {
        id = json::parse(r.body)["id"];
        ledger.answered(id, "confirmed");
        break;
      }
      if (r.status == 402) {
        std::lock_guard lock(ledger.m);
        ledger.failed.push_back(json::parse(r.body)["order_id"]);
        return;
      }
      // A replay while the first attempt's outcome is still being settled after a kill: the
      // documented answer is to retry later (a client's back-off, bounded: the sweeper settles
      // such an order within its grace period).
      if (r.status == 409 && code_of(r) == "request_in_progress" &&
          std::chrono::steady_clock::now() < settle_by) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      std::lock_guard lock(ledger.m);
      ledger.wrong.push_back("placement " + key + " answered " + std::to_string(r.status) + " " +
                             r.body);
      return;
    } catch (const std::exception&) {
      if (!ledger.await_restart(life)) return;
    }
  }
  const auto customer_token = token(se::auth::Role::customer, customer);
  const auto staff = token(se::auth::Role::restaurant_staff, {}, {w.restaurant});
  struct Step {
    std::string to;
    const std::string* who;
  };
  std::vector<Step> steps;
  switch (pattern % 4) {
    case 0:
      steps = {{"cancelled", &customer_token}};
      break;
    case 1:
      steps = {{"accepted", &staff}, {"preparing", &staff}, {"cancelled", &staff}};
      break;
    case 2:
      steps = {{"accepted", &staff}, {"preparing", &staff}, {"ready_for_pickup", &staff}};
      break;
    default:
      steps = {{"accepted", &staff}, {"cancelled", &customer_token}};
  }
  for (const auto& s : steps) {
    const auto [life, port] = ledger.current();
    const bool cancel = s.to == "cancelled";
    try {
      const auto r = http_request(
          port, "POST", "/orders/" + id + (cancel ? "/cancel" : "/status"),
          cancel ? json{{"reason", "changed my mind"}}.dump() : json{{"status", s.to}}.dump(),
          {{"Authorization", *s.who}});
      if (r.status != 200) {
        std::lock_guard lock(ledger.m);
        ledger.wrong.push_back(id + " -> " + s.to + " answered " + std::to_string(r.status) + " " +
                               r.body);
        return;
      }
      ledger.answered(id, s.to);
    } catch (const std::exception&) {
      {
        std::lock_guard lock(ledger.m);
        ledger.unknown[id].insert(s.to);
      }
      ledger.await_restart(life);
      return;
    }
  }
}

// Every order_updates event of `orders`, as (order, version), until `want` distinct ones have
// arrived or 30 s passed (the relay may publish one twice when it is killed between publishing
// and deleting the row; consumers drop the copy).
std::set<std::pair<std::string, std::int64_t>> events_of(const std::set<std::string>& orders,
                                                         std::size_t want) {
  auto distinct = [](const std::vector<Published>& events) {
    std::set<std::pair<std::string, std::int64_t>> out;
    for (const auto& e : events) out.emplace(e.key, e.version);
    return out;
  };
  return distinct(published_events(
      orders, [&](const std::vector<Published>& got) { return distinct(got).size() >= want; },
      std::chrono::seconds(30)));
}

}  // namespace

TEST(OrdersCrash, RepeatedKillNineUnderLoadLosesNoAnsweredStepAndNoEvent) {
  const auto conninfo = se::test::TestEnv::get().fresh_database("orders_crash_it");
  se::test::ServerProcess gateway(server_args(
      conninfo, {"--services", "payments", "--payments-latency-ms", "5-40",
                 "--payments-success-rate", "0.8", "--payments-key", kCrashPaymentsKey}));
  const std::vector<std::string> orders_args =
      server_args(conninfo, {"--services", "orders,relay", "--payments-url",
                             "http://127.0.0.1:" + std::to_string(gateway.port()), "--payments-key",
                             kCrashPaymentsKey, "--orders-sweep-interval-ms", "200",
                             "--orders-sweep-grace-ms", "300", "--payment-timeout-ms", "5000"});
  Db db(conninfo);
  const auto w = make_world(db, kStock, kWorkers);
  auto orders = std::make_unique<se::test::ServerProcess>(orders_args);
  Ledger ledger;
  ledger.port = orders->port();

  std::vector<std::thread> workers;
  // Stops and joins the load however the test ends (an assertion returns early).
  struct StopLoad {
    Ledger& ledger;
    std::vector<std::thread>& workers;
    StopLoad(Ledger& l, std::vector<std::thread>& w) : ledger(l), workers(w) {}
    StopLoad(const StopLoad&) = delete;
    StopLoad& operator=(const StopLoad&) = delete;
    ~StopLoad() { now(); }
    void now() {
      {
        std::lock_guard lock(ledger.m);
        ledger.stop = true;
        ledger.changed.notify_all();
      }
      for (auto& t : workers)
        if (t.joinable()) t.join();
    }
  } stop_load{ledger, workers};
  for (int t = 0; t < kWorkers; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        {
          std::lock_guard lock(ledger.m);
          if (ledger.stop) return;
        }
        one_order(ledger, w, w.customers[t], "crash-" + std::to_string(t) + "-" + std::to_string(i),
                  i + t);
      }
    });
  auto await_answers = [&] {
    std::unique_lock lock(ledger.m);
    return ledger.changed.wait_for(lock, std::chrono::seconds(120),
                                   [&] { return ledger.answers >= kAnswersPerLife; });
  };
  for (int k = 0; k < kKills; ++k) {
    ASSERT_TRUE(await_answers()) << "no progress before kill " << k;
    EXPECT_EQ(orders->stop(SIGKILL), 128 + SIGKILL);
    orders = std::make_unique<se::test::ServerProcess>(orders_args);
    std::lock_guard lock(ledger.m);
    ledger.port = orders->port();
    ledger.answers = 0;
    ++ledger.life;
    ledger.changed.notify_all();
  }
  ASSERT_TRUE(await_answers()) << "no progress after the last restart";
  stop_load.now();
  for (const auto& answer : ledger.wrong) ADD_FAILURE() << answer;

  // The sweeper settles every payment a kill left pending, the relay publishes every row and
  // every refund the cancellations asked for reaches the gateway.
  ASSERT_TRUE(eventually(
      [&] { return db.num("SELECT count(*) FROM orders WHERE status = 'pending_payment'") == 0; },
      std::chrono::seconds(60)));
  ASSERT_TRUE(eventually([&] { return db.num("SELECT count(*) FROM outbox") == 0; },
                         std::chrono::seconds(60)));
  ASSERT_TRUE(eventually(
      [&] {
        return db.num(
                   "SELECT count(*) FROM payments WHERE status = 'captured' AND "
                   "refund_requested_at IS NOT NULL") == 0;
      },
      std::chrono::seconds(60)));

  // Every step answered as done is in its order's history; no step is there that no client
  // asked for.
  std::set<std::string> ids;
  for (const auto& r : db.rows("SELECT id FROM orders")) ids.insert(r[0]);
  for (const auto& [order, steps] : ledger.done) {
    ASSERT_TRUE(ids.count(order)) << "answered order " << order << " is gone";
    for (const auto& s : steps)
      EXPECT_EQ(db.num("SELECT count(*) FROM order_status_history WHERE order_id = '" + order +
                       "' AND to_status = '" + s + "'"),
                1)
          << order << " " << s;
  }
  for (const auto& r : db.rows("SELECT order_id, to_status FROM order_status_history WHERE "
                               "to_status IN ('accepted', 'preparing', 'ready_for_pickup', "
                               "'cancelled')")) {
    const bool asked = ledger.done[r[0]].count(r[1]) || ledger.unknown[r[0]].count(r[1]);
    EXPECT_TRUE(asked) << r[0] << " became " << r[1] << " without a request";
  }
  for (const auto& order : ledger.failed)
    EXPECT_EQ(db.one("SELECT status FROM orders WHERE id = '" + order + "'"), "failed") << order;
  EXPECT_GE(ledger.done.size(), static_cast<std::size_t>(kAnswersPerLife));

  // Each history is one unbroken chain of versions 1..n ending at the order's status.
  EXPECT_EQ(db.num("SELECT count(*) FROM (SELECT version, from_status, lag(version) OVER w AS "
                   "prev_version, lag(to_status) OVER w AS prev_to FROM order_status_history "
                   "WINDOW w AS (PARTITION BY order_id ORDER BY version)) h WHERE prev_version "
                   "IS NOT NULL AND (version <> prev_version + 1 OR from_status <> prev_to)"),
            0);
  EXPECT_EQ(db.num("SELECT count(*) FROM orders o WHERE o.version <> (SELECT count(*) FROM "
                   "order_status_history h WHERE h.order_id = o.id) OR o.status <> (SELECT "
                   "to_status FROM order_status_history h WHERE h.order_id = o.id ORDER BY "
                   "version DESC LIMIT 1)"),
            0);

  // Stock is held exactly by the orders still standing.
  EXPECT_EQ(stock_of(db, w.prepared),
            kStock - db.num("SELECT coalesce(sum(i.quantity), 0) FROM orders o JOIN order_items i "
                            "ON i.order_id = o.id AND i.order_created_at = o.created_at WHERE "
                            "i.food_item_id = '" +
                            w.prepared + "' AND o.status NOT IN ('cancelled', 'failed')"));

  // The gateway agrees: standing orders are paid, cancelled ones refunded, and failed ones were
  // declined, or voided by the sweeper when a kill came before the charge reached the gateway.
  EXPECT_EQ(db.num("SELECT count(*) FROM orders o LEFT JOIN gateway_charges g ON g.payment_id = "
                   "o.payment_id WHERE CASE o.status WHEN 'failed' THEN g.status IS NULL OR "
                   "g.status NOT IN ('declined', 'voided') WHEN 'cancelled' THEN g.status IS "
                   "DISTINCT FROM 'refunded' ELSE g.status IS DISTINCT FROM 'succeeded' END"),
            0);

  // The event stream holds exactly one event per history row (copies aside).
  std::set<std::pair<std::string, std::int64_t>> history;
  for (const auto& r : db.rows("SELECT order_id, version FROM order_status_history"))
    history.emplace(r[0], std::stol(r[1]));
  const auto events = events_of(ids, history.size());
  std::vector<std::string> missing, extra;
  for (const auto& [order, version] : history)
    if (!events.count({order, version})) missing.push_back(order + " v" + std::to_string(version));
  for (const auto& [order, version] : events)
    if (!history.count({order, version})) extra.push_back(order + " v" + std::to_string(version));
  EXPECT_TRUE(missing.empty()) << missing.size() << " history rows without an event, e.g. "
                               << missing.front();
  EXPECT_TRUE(extra.empty()) << extra.size() << " events without a history row, e.g. "
                             << extra.front();
}
