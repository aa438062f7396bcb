// Browsing and owner writes through real HTTP against a real server process, PostgreSQL and Redis.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <memory>
#include <nlohmann/json.hpp>

#include "integration/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

using nlohmann::json;
using se::test::http_request;
using se::test::HttpResponse;

namespace {

// Owner writes authenticate as the bootstrap admin with a bearer token (set once the server is up).
std::map<std::string, std::string> kOwner;

// Every day open around the clock, so open_now is deterministic whatever time the test runs.
const json kAlwaysOpen = json::parse(R"({"mon":[["00:00","00:00"]],"tue":[["00:00","00:00"]],
  "wed":[["00:00","00:00"]],"thu":[["00:00","00:00"]],"fri":[["00:00","00:00"]],
  "sat":[["00:00","00:00"]],"sun":[["00:00","00:00"]]})");

class Catalog : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& env = se::test::TestEnv::get();
    conninfo_ = env.fresh_database("catalog_it");
    server_ = std::make_unique<se::test::ServerProcess>(
        se::test::auth::security_flags(std::vector<std::string>{
            "--pg", conninfo_, "--redis", "127.0.0.1:" + std::to_string(env.redis_port()),
            "--threads", "2", "--log-level", "warn", "--body-limit", "65536"}));
    kOwner = se::test::auth::bearer(se::test::auth::admin_token(server_->port()));
  }
  static void TearDownTestSuite() { server_.reset(); }

  static int port() { return server_->port(); }
  static HttpResponse get(const std::string& target,
                          const std::map<std::string, std::string>& h = {}) {
    return http_request(port(), "GET", target, {}, h);
  }
  static HttpResponse send(const std::string& method, const std::string& target, const json& body,
                           std::map<std::string, std::string> h = kOwner) {
    return http_request(port(), method, target, body.dump(), h);
  }
  static std::string create_restaurant(const std::string& name, double lat, double lng,
                                       const std::string& cuisine = "thai",
                                       json hours = kAlwaysOpen) {
    auto r =
        send("POST", "/restaurants",
             {{"name", name}, {"cuisine", cuisine}, {"lat", lat}, {"lng", lng}, {"hours", hours}});
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["id"].get<std::string>();
  }
  // The value of one sample line of Prometheus text, or -1 when absent.
  static double metric(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }
  static void expect_problem(const HttpResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.body;
    EXPECT_EQ(j.value("code", ""), code) << r.body;
    EXPECT_EQ(j.value("status", 0), status);
  }

  static inline std::string conninfo_;
  static inline std::unique_ptr<se::test::ServerProcess> server_;
};

TEST_F(Catalog, HealthReadyAndMetrics) {
  EXPECT_EQ(get("/health").status, 200);
  // The index lists what this process serves, the catalog's routes among them.
  auto index = get("/");
  ASSERT_EQ(index.status, 200);
  const auto routes = json::parse(index.body).at("routes");
  EXPECT_NE(std::find(routes.begin(), routes.end(),
                      json{{"method", "GET"}, {"path", "/restaurants/{id}/menu"}}),
            routes.end());
  auto ready = get("/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body)["status"], "ready");
  auto m = get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(
      m.body.find(
          "http_request_duration_seconds_bucket{route=\"/ready\",method=\"GET\",status=\"200\""),
      std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("db_pool_connections{pool=\"main\",worker=\"0\",state=\"open\"}"),
            std::string::npos);
}

TEST_F(Catalog, NearbyIsNearestFirstWithDistancesAndCursorPages) {
  // A private corner of the map so other tests' restaurants don't interfere.
  const double lat = -33.0, lng = 151.0;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(create_restaurant("Near " + std::to_string(i), lat + 0.001 * (i + 1), lng));
  create_restaurant("Far away", lat + 1.0, lng);

  auto r = get("/restaurants?lat=-33&lng=151&radius_m=10000&limit=2");
  ASSERT_EQ(r.status, 200) << r.body;
  auto page = json::parse(r.body);
  ASSERT_EQ(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["id"], ids[0]);
  EXPECT_EQ(page["items"][1]["id"], ids[1]);
  EXPECT_NEAR(page["items"][0]["distance_m"].get<double>(), 111.2, 1.0);
  EXPECT_TRUE(page["items"][0]["open_now"].get<bool>());

  std::vector<std::string> seen;
  std::string target = "/restaurants?lat=-33&lng=151&radius_m=10000&limit=2";
  for (int guard = 0; guard < 10; ++guard) {
    auto p = json::parse(get(target).body);
    for (auto& it : p["items"]) seen.push_back(it["id"]);
    if (p["next_cursor"].is_null()) break;
    target = "/restaurants?lat=-33&lng=151&radius_m=10000&limit=2&cursor=" +
             p["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, ids);  // the far one is outside the radius; no duplicates, no gaps

  // A cursor belongs to its own search.
  auto c =
      json::parse(get("/restaurants?lat=-33&lng=151&radius_m=10000&limit=2").body)["next_cursor"]
          .get<std::string>();
  expect_problem(get("/restaurants?lat=-33&lng=151&radius_m=9000&limit=2&cursor=" + c), 400,
                 "invalid_cursor");
  expect_problem(get("/restaurants?lat=-33&lng=151&cursor=garbage"), 400, "invalid_cursor");
}

TEST_F(Catalog, NearbyFiltersByCuisineAndOpenNow) {
  const double lat = 10.0, lng = 10.0;
  auto open_thai = create_restaurant("Open Thai", lat, lng + 0.001, "thai");
  create_restaurant("Open Pizza", lat, lng + 0.002, "pizza");
  auto closed = create_restaurant("Never open", lat, lng + 0.003, "thai", json::object());
  auto all =
      json::parse(get("/restaurants?lat=10&lng=10&radius_m=2000&cuisine=thai").body)["items"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1]["id"], closed);
  EXPECT_FALSE(all[1]["open_now"].get<bool>());
  auto open = json::parse(
      get("/restaurants?lat=10&lng=10&radius_m=2000&cuisine=thai&open_now=true").body)["items"];
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["id"], open_thai);
}

TEST_F(Catalog, BadQueriesAreProblems) {
  expect_problem(get("/restaurants?lat=91&lng=0"), 400, "invalid_parameter");
  expect_problem(get("/restaurants?lat=0&lng=-180.5"), 400, "invalid_parameter");
  expect_problem(get("/restaurants?lat=abc&lng=0"), 400, "invalid_parameter");
  expect_problem(get("/restaurants?lng=0"), 400, "missing_parameter");
  expect_problem(get("/restaurants?lat=0&lng=0&radius_m=0"), 400, "invalid_parameter");
  expect_problem(get("/restaurants?lat=0&lng=0&radius_m=1000000"), 400, "invalid_parameter");
  expect_problem(get("/restaurants?lat=0&lng=0&limit=1000"), 400, "invalid_parameter");
  expect_problem(get("/restaurants?lat=0&lng=0&radius=5"), 400, "invalid_parameter");
  expect_problem(get("/restaurants?lat=0&lng=0&lat=1"), 400, "invalid_parameter");
  expect_problem(get("/restaurants/not-a-uuid"), 400, "invalid_id");
  expect_problem(get("/restaurants/not-a-uuid/menu"), 400, "invalid_id");
  expect_problem(get("/restaurants/00000000-0000-4000-8000-000000000000/menu"), 404,
                 "restaurant_not_found");
  expect_problem(get("/nope"), 404, "route_not_found");
  expect_problem(http_request(port(), "DELETE", "/restaurants"), 405, "method_not_allowed");
  expect_problem(get("/restaurants/%zz"), 400, "malformed_request");
  // Percent-encoded bytes that are not UTF-8 never reach a handler or the database as text.
  expect_problem(get("/restaurants?lat=0&lng=0&cuisine=%FF"), 400, "malformed_request");
  expect_problem(get("/restaurants?lat=0&lng=0&%C0%AF=1"), 400, "malformed_request");
  expect_problem(get("/restaurants/%ED%A0%80"), 400, "malformed_request");
  EXPECT_EQ(get("/restaurants?lat=0&lng=0&cuisine=caf%C3%A9").status, 200);
}

TEST_F(Catalog, MenuHasCategoriesItemsEtagAndCacheControl) {
  auto rid = create_restaurant("Menu House", 20.0, 20.0);
  auto cat =
      send("POST", "/restaurants/" + rid + "/categories", {{"name", "Mains"}, {"position", 1}});
  ASSERT_EQ(cat.status, 201) << cat.body;
  const auto cat_id = json::parse(cat.body)["id"].get<std::string>();
  auto item = send("POST", "/restaurants/" + rid + "/items",
                   {{"name", "Pad Thai"},
                    {"price_cents", 1299},
                    {"kind", "made_to_order"},
                    {"category_id", cat_id},
                    {"tags", {"spicy"}}});
  ASSERT_EQ(item.status, 201) << item.body;
  auto stocked =
      send("POST", "/restaurants/" + rid + "/items",
           {{"name", "Spring rolls"}, {"price_cents", 499}, {"kind", "prepared"}, {"stock", 3}});
  ASSERT_EQ(stocked.status, 201) << stocked.body;

  auto r = get("/restaurants/" + rid + "/menu");
  ASSERT_EQ(r.status, 200) << r.body;
  auto menu = json::parse(r.body);
  ASSERT_EQ(menu["categories"].size(), 2u);  // Mains, then the uncategorised "Other"
  EXPECT_EQ(menu["categories"][0]["name"], "Mains");
  EXPECT_EQ(menu["categories"][0]["items"][0]["name"], "Pad Thai");
  EXPECT_EQ(menu["categories"][0]["items"][0]["price_cents"], 1299);
  EXPECT_EQ(menu["categories"][0]["items"][0]["kind"], "made_to_order");
  EXPECT_TRUE(menu["categories"][0]["items"][0]["stock"].is_null());
  EXPECT_EQ(menu["categories"][1]["items"][0]["stock"], 3);
  EXPECT_TRUE(menu["categories"][1]["items"][0]["available"].get<bool>());
  const auto etag = r.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_NE(r.header("cache-control").find("max-age"), std::string::npos);

  auto again = get("/restaurants/" + rid + "/menu", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);

  auto detail = get("/restaurants/" + rid);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(json::parse(detail.body)["name"], "Menu House");
  EXPECT_EQ(get("/restaurants/" + rid, {{"If-None-Match", detail.header("etag")}}).status, 304);
}

TEST_F(Catalog, WritesInvalidateTheCachedMenu) {
  auto rid = create_restaurant("Cache Diner", 30.0, 30.0);
  auto item =
      json::parse(send("POST", "/restaurants/" + rid + "/items",
                       {{"name", "Soup"}, {"price_cents", 500}, {"kind", "prepared"}, {"stock", 2}})
                      .body);
  const std::string item_url = "/restaurants/" + rid + "/items/" + item["id"].get<std::string>();
  const auto first = get("/restaurants/" + rid + "/menu");
  const auto cached = get("/restaurants/" + rid + "/menu");  // served from Redis now
  EXPECT_EQ(first.body, cached.body);
  EXPECT_GE(
      metric(get("/metrics").body, "cache_requests_total{cache=\"menu_local\",result=\"hit\"}"), 1);
  EXPECT_GE(metric(get("/metrics").body, "cache_requests_total{cache=\"menu\",result=\"miss\"}"),
            1);

  ASSERT_EQ(send("PATCH", item_url, {{"price_cents", 650}}).status, 200);
  auto after = json::parse(get("/restaurants/" + rid + "/menu").body);
  EXPECT_EQ(after["categories"][0]["items"][0]["price_cents"], 650);
  EXPECT_NE(get("/restaurants/" + rid + "/menu", {{"If-None-Match", first.header("etag")}}).status,
            304);

  ASSERT_EQ(send("PUT", item_url + "/availability", {{"available", true}, {"stock", 0}}).status,
            200);
  after = json::parse(get("/restaurants/" + rid + "/menu").body);
  EXPECT_FALSE(after["categories"][0]["items"][0]["available"].get<bool>());  // sold out

  ASSERT_EQ(http_request(port(), "DELETE", item_url, {}, kOwner).status, 204);
  after = json::parse(get("/restaurants/" + rid + "/menu").body);
  EXPECT_TRUE(after["categories"].empty());
  expect_problem(http_request(port(), "DELETE", item_url, {}, kOwner), 404, "item_not_found");
}

TEST_F(Catalog, BadWritesAreRefusedAndChangeNothing) {
  auto rid = create_restaurant("Strict Kitchen", 40.0, 40.0);
  const std::string items = "/restaurants/" + rid + "/items";
  const auto before = get("/restaurants/" + rid + "/menu").body;

  expect_problem(
      send("POST", items, {{"name", "X"}, {"price_cents", 100}, {"kind", "prepared"}}, {}), 401,
      "unauthenticated");
  expect_problem(send("POST", items, {{"name", "X"}, {"price_cents", 100}, {"kind", "prepared"}},
                      {{"Authorization", "Bearer wrong"}}),
                 401, "invalid_token");
  expect_problem(send("POST", items, {{"name", "X"}, {"price_cents", "100"}, {"kind", "prepared"}}),
                 400, "invalid_field");
  expect_problem(send("POST", items, {{"name", "X"}, {"price_cents", -1}, {"kind", "prepared"}}),
                 400, "invalid_field");
  expect_problem(send("POST", items, {{"name", "X"}, {"price_cents", 1}, {"kind", "frozen"}}), 400,
                 "invalid_field");
  expect_problem(send("POST", items,
                      {{"name", "X"}, {"price_cents", 1}, {"kind", "prepared"}, {"version", 9}}),
                 400, "unknown_field");
  expect_problem(send("POST", items, {{"price_cents", 1}, {"kind", "prepared"}}), 400,
                 "missing_field");
  expect_problem(send("POST", items,
                      {{"name", "X"},
                       {"price_cents", 1},
                       {"kind", "prepared"},
                       {"category_id", "00000000-0000-4000-8000-000000000000"}}),
                 422, "unknown_category");
  expect_problem(http_request(port(), "POST", items, "{\"name\":", kOwner), 400, "malformed_json");
  expect_problem(http_request(port(), "POST", items, std::string(70000, 'x'), kOwner), 413,
                 "body_too_large");
  expect_problem(
      send("PUT", "/restaurants/" + rid + "/hours", {{"hours", {{"funday", json::array()}}}}), 400,
      "invalid_hours");
  expect_problem(send("PUT", "/restaurants/" + rid + "/hours",
                      {{"hours", kAlwaysOpen}, {"timezone", "Mars/Base"}}),
                 422, "invalid_timezone");
  expect_problem(send("PUT", "/restaurants/" + rid + "/location", {{"lat", 100}, {"lng", 0}}), 400,
                 "invalid_field");
  expect_problem(send("POST", "/restaurants/00000000-0000-4000-8000-000000000000/items",
                      {{"name", "X"}, {"price_cents", 1}, {"kind", "prepared"}}),
                 404, "restaurant_not_found");

  EXPECT_EQ(get("/restaurants/" + rid + "/menu").body, before);
  auto detail = json::parse(get("/restaurants/" + rid).body);
  EXPECT_EQ(detail["timezone"], "UTC");
  EXPECT_DOUBLE_EQ(detail["location"]["lat"].get<double>(), 40.0);
}

TEST_F(Catalog, OptimisticVersionOnItemUpdate) {
  auto rid = create_restaurant("Versioned", 50.0, 50.0);
  auto item = json::parse(send("POST", "/restaurants/" + rid + "/items",
                               {{"name", "Tea"}, {"price_cents", 200}, {"kind", "made_to_order"}})
                              .body);
  const std::string url = "/restaurants/" + rid + "/items/" + item["id"].get<std::string>();
  const auto v = item["version"].get<int>();
  ASSERT_EQ(send("PATCH", url, {{"name", "Green tea"}, {"expected_version", v}}).status, 200);
  expect_problem(send("PATCH", url, {{"name", "Black tea"}, {"expected_version", v}}), 409,
                 "version_conflict");
  EXPECT_EQ(
      json::parse(get("/restaurants/" + rid + "/menu").body)["categories"][0]["items"][0]["name"],
      "Green tea");
}

TEST_F(Catalog, HoursAndLocationUpdates) {
  auto rid = create_restaurant("Mover", 60.0, 60.0);
  auto r = send("PUT", "/restaurants/" + rid + "/hours",
                {{"hours", json::object()}, {"timezone", "Asia/Kolkata"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(json::parse(r.body)["open_now"].get<bool>());
  EXPECT_EQ(json::parse(r.body)["timezone"], "Asia/Kolkata");
  r = send("PUT", "/restaurants/" + rid + "/location",
           {{"lat", 61.0}, {"lng", 61.0}, {"address", "New street 1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto nearby = json::parse(get("/restaurants?lat=61&lng=61&radius_m=100").body)["items"];
  ASSERT_EQ(nearby.size(), 1u);
  EXPECT_EQ(nearby[0]["id"], rid);
}

TEST_F(Catalog, MenusAreServedFromPostgresWhenRedisIsDown) {
  auto rid = create_restaurant("Resilient", 70.0, 70.0);
  auto& env = se::test::TestEnv::get();
  env.stop_redis();
  auto r = get("/restaurants/" + rid + "/menu");
  EXPECT_EQ(r.status, 200) << r.body;
  auto ready = get("/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body)["status"], "degraded");
  EXPECT_EQ(json::parse(ready.body)["redis"], "down");
  // Writes still commit; the cache is simply not there to invalidate.
  EXPECT_EQ(send("POST", "/restaurants/" + rid + "/items",
                 {{"name", "Bread"}, {"price_cents", 100}, {"kind", "made_to_order"}})
                .status,
            201);
  env.start_redis();
}

TEST_F(Catalog, MalformedHttpGetsAProblemNotACrash) {
  auto out = se::test::raw_exchange(port(), "GARBAGE\r\n\r\n");
  EXPECT_NE(out.find("400"), std::string::npos) << out;
  auto big = se::test::raw_exchange(
      port(), "GET / HTTP/1.1\r\nX-Big: " + std::string(40000, 'a') + "\r\n\r\n");
  EXPECT_NE(big.find("431"), std::string::npos) << big.substr(0, 200);
  EXPECT_EQ(get("/health").status, 200);
}

TEST(ServerLifecycle, SigtermDrainsAndExitsCleanly) {
  auto& env = se::test::TestEnv::get();
  const auto conninfo = env.fresh_database("lifecycle_it");
  se::test::ServerProcess server({"--pg", conninfo, "--redis",
                                  "127.0.0.1:" + std::to_string(env.redis_port()), "--threads", "2",
                                  "--log-level", "warn"});
  EXPECT_EQ(http_request(server.port(), "GET", "/health").status, 200);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
