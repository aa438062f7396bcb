// Catalog menu writes publish restaurant_updates through the outbox, and every running
// instance's consumer invalidates its menu cache: two server processes on one database.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

using nlohmann::json;
using se::test::http_request;
using namespace std::chrono_literals;

namespace {

const json kAlwaysOpen = json::parse(R"({"mon":[["00:00","00:00"]],"tue":[["00:00","00:00"]],
  "wed":[["00:00","00:00"]],"thu":[["00:00","00:00"]],"fri":[["00:00","00:00"]],
  "sat":[["00:00","00:00"]],"sun":[["00:00","00:00"]]})");

// Sum of bus_consumed_total samples whose labels contain every fragment.
std::int64_t metric_sum(const std::string& metrics, const std::vector<std::string>& fragments) {
  std::int64_t total = 0;
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("bus_consumed_total{", 0) != 0) continue;
    bool all = true;
    for (const auto& f : fragments) all &= line.find(f) != std::string::npos;
    if (all) total += std::stoll(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

TEST(CatalogEvents, MenuWritesInvalidateTheCacheOfEveryInstance) {
  auto& env = se::test::TestEnv::get();
  const auto db = env.fresh_database("catalog_events_it");
  auto args = [&] {
    return se::test::auth::security_flags(std::vector<std::string>{
        "--pg", db, "--redis", "127.0.0.1:" + std::to_string(env.redis_port()), "--threads", "2",
        "--log-level", "warn", "--rate-limits", "off"});
  };
  se::test::ServerProcess a(args());
  se::test::ServerProcess b(args());
  const auto owner = se::test::auth::bearer(se::test::auth::admin_token(a.port()));
  ASSERT_FALSE(owner.at("Authorization") == "Bearer ");
  auto created = http_request(a.port(), "POST", "/restaurants",
                              json{{"name", "Bus Bistro"},
                                   {"cuisine", "thai"},
                                   {"lat", 1.0},
                                   {"lng", 2.0},
                                   {"hours", kAlwaysOpen}}
                                  .dump(),
                              owner);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto rid = json::parse(created.body)["id"].get<std::string>();
  auto item = http_request(
      a.port(), "POST", "/restaurants/" + rid + "/items",
      json{{"name", "Pad Thai"}, {"price_cents", 1000}, {"kind", "prepared"}}.dump(), owner);
  ASSERT_EQ(item.status, 201) << item.body;
  const auto iid = json::parse(item.body)["id"].get<std::string>();

  // Both instances wait for B's consumer to have seen the create-item event, then B caches the
  // menu.
  auto consumed_on = [&](int port, const std::string& topic) {
    auto m = http_request(port, "GET", "/metrics");
    return metric_sum(m.body,
                      {"group=\"menu-cache.", "topic=\"" + topic + "\"", "outcome=\"handled\""});
  };
  auto await_consumed = [&](int port, const std::string& topic, std::int64_t want) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    std::int64_t n = 0;
    while ((n = consumed_on(port, topic)) < want && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    return n;
  };
  EXPECT_GE(await_consumed(b.port(), "restaurant_updates.medium", 1), 1);
  auto menu1 = http_request(b.port(), "GET", "/restaurants/" + rid + "/menu");
  ASSERT_EQ(menu1.status, 200) << menu1.body;
  EXPECT_NE(menu1.body.find("1000"), std::string::npos);

  // A changes the price; the outbox event reaches B's consumer, which drops B's cached menu.
  const auto before_b = consumed_on(b.port(), "restaurant_updates.medium");
  auto upd = http_request(a.port(), "PATCH", "/restaurants/" + rid + "/items/" + iid,
                          json{{"price_cents", 1234}}.dump(), owner);
  ASSERT_EQ(upd.status, 200) << upd.body;
  EXPECT_GE(await_consumed(b.port(), "restaurant_updates.medium", before_b + 1), before_b + 1);
  EXPECT_GE(await_consumed(a.port(), "restaurant_updates.medium", 2), 2);  // A's own consumer too
  auto menu2 = http_request(b.port(), "GET", "/restaurants/" + rid + "/menu");
  ASSERT_EQ(menu2.status, 200);
  EXPECT_NE(menu2.body.find("1234"), std::string::npos) << menu2.body;
  EXPECT_NE(menu2.header("etag"), menu1.header("etag"));

  // Hours are high priority: a separate topic, consumed first.
  auto hours = http_request(a.port(), "PUT", "/restaurants/" + rid + "/hours",
                            json{{"hours", kAlwaysOpen}}.dump(), owner);
  ASSERT_EQ(hours.status, 200) << hours.body;
  EXPECT_GE(await_consumed(b.port(), "restaurant_updates.high", 1), 1);

  // The relay publishing metrics are there.
  auto m = http_request(a.port(), "GET", "/metrics").body +
           http_request(b.port(), "GET", "/metrics").body;
  EXPECT_NE(m.find("bus_published_total{topic=\"restaurant_updates.medium\"}"), std::string::npos);
  EXPECT_NE(m.find("bus_consumer_lag{group=\"menu-cache."), std::string::npos);
  b.stop(SIGTERM);
  a.stop(SIGTERM);
}

}  // namespace
