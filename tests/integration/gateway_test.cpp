// The multi-instance profile end to end: one auth process and two catalog processes behind
// HAProxy configured by deploy/haproxy.cfg; browse -> login -> authorized calls through the
// gateway, and the flow keeps working after one catalog process is killed.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

using nlohmann::json;
using se::test::http_request;
using se::test::HttpResponse;
namespace ta = se::test::auth;

namespace {

using se::test::free_port;

// HAProxy in the foreground with deploy/haproxy.cfg and the addresses in its environment.
class HaProxy {
 public:
  HaProxy(int port, int stats_port, int auth, int catalog1, int catalog2)
      : port_(port), stats_port_(stats_port) {
    const std::string cfg = se::test::source_dir() + "/deploy/haproxy.cfg";
    const std::string log = se::test::TestEnv::get().temp_dir() + "/haproxy.log";
    pid_ = fork();
    if (pid_ == 0) {
      auto addr = [](int p) { return "127.0.0.1:" + std::to_string(p); };
      setenv("SE_GATEWAY_BIND", addr(port).c_str(), 1);
      setenv("SE_ADMIN_BIND", addr(stats_port).c_str(), 1);
      setenv("SE_AUTH_1", addr(auth).c_str(), 1);
      setenv("SE_CATALOG_1", addr(catalog1).c_str(), 1);
      setenv("SE_CATALOG_2", addr(catalog2).c_str(), 1);
      setenv("SE_CHECK_INTER", "200ms", 1);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      execlp("haproxy", "haproxy", "-f", cfg.c_str(), "-db", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~HaProxy() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int stats_port() const { return stats_port_; }

 private:
  pid_t pid_ = -1;
  int port_;
  int stats_port_;
};

// The status HAProxy's stats CSV reports for a server ("UP", "DOWN", ...).
std::string server_status(int stats_port, const std::string& backend, const std::string& server) {
  auto r = http_request(stats_port, "GET", "/haproxy;csv");
  std::size_t pos = 0;
  while ((pos = r.body.find(backend + "," + server + ",", pos)) != std::string::npos) {
    if (pos == 0 || r.body[pos - 1] == '\n') {
      const auto end = r.body.find('\n', pos);
      const auto line = r.body.substr(pos, end - pos);
      // Field 18 (0-based 17) is status.
      std::size_t start = 0;
      for (int i = 0; i < 17; ++i) start = line.find(',', start) + 1;
      return line.substr(start, line.find(',', start) - start);
    }
    ++pos;
  }
  return "missing";
}

template <typename F>
bool eventually(F f, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto attempt = [&] {
    try {
      return f();
    } catch (const std::exception&) {  // e.g. HAProxy not listening yet
      return false;
    }
  };
  while (std::chrono::steady_clock::now() < deadline) {
    if (attempt()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return attempt();
}

TEST(Gateway, BrowseLoginAuthorizedCallsThroughHaproxySurviveLosingACatalogProcess) {
  auto& env = se::test::TestEnv::get();
  const auto conninfo = env.fresh_database("gateway_it");
  auto proc = [&](const std::string& services) {
    return std::make_unique<se::test::ServerProcess>(ta::security_flags(std::vector<std::string>{
        "--services", services, "--pg", conninfo, "--redis",
        "127.0.0.1:" + std::to_string(env.redis_port()), "--threads", "1", "--log-level", "error",
        "--trusted-proxies", "127.0.0.1", "--rate-limits", "browse=100000,login=1000"}));
  };
  auto auth = proc("auth");
  auto catalog1 = proc("catalog");
  auto catalog2 = proc("catalog");
  // A service process answers only its own routes.
  EXPECT_EQ(http_request(catalog1->port(), "POST", "/auth/login", "{}").status, 404);
  EXPECT_EQ(http_request(auth->port(), "GET", "/restaurants?lat=1&lng=1").status, 404);

  HaProxy gw(free_port(), free_port(), auth->port(), catalog1->port(), catalog2->port());
  const int port = gw.port();
  ASSERT_TRUE(eventually([&] { return http_request(port, "GET", "/ready").status == 200; },
                         std::chrono::seconds(10)))
      << "HAProxy did not come up";
  ASSERT_TRUE(eventually(
      [&] {
        return server_status(gw.stats_port(), "catalog", "catalog1") == "UP" &&
               server_status(gw.stats_port(), "catalog", "catalog2") == "UP" &&
               server_status(gw.stats_port(), "auth", "auth1") == "UP";
      },
      std::chrono::seconds(10)));

  // Browse anonymously.
  auto browse = http_request(port, "GET", "/restaurants?lat=10&lng=10&radius_m=1000");
  ASSERT_EQ(browse.status, 200) << browse.body;
  EXPECT_TRUE(json::parse(browse.body)["items"].empty());
  // Log in through the gateway (auth process), then authorized calls land on both catalog
  // processes (round robin): the token verifies on every process sharing the key set.
  const auto token = ta::admin_token(port);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(json::parse(http_request(port, "GET", "/auth/me", {}, ta::bearer(token)).body)["role"],
            "admin");
  const json hours = json::parse(R"({"mon":[["00:00","00:00"]]})");
  auto made = http_request(port, "POST", "/restaurants",
                           json{{"name", "Gateway Grill"},
                                {"cuisine", "grill"},
                                {"lat", 10.0},
                                {"lng", 10.0},
                                {"hours", hours}}
                               .dump(),
                           ta::bearer(token));
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string rid = json::parse(made.body)["id"];
  for (int i = 0; i < 4; ++i) {
    auto item = http_request(
        port, "POST", "/restaurants/" + rid + "/items",
        json{{"name", "Dish " + std::to_string(i)}, {"price_cents", 500}, {"kind", "made_to_order"}}
            .dump(),
        ta::bearer(token));
    EXPECT_EQ(item.status, 201) << item.body;
  }
  EXPECT_EQ(http_request(port, "POST", "/restaurants/" + rid + "/items", "{}").status, 401);

  // Kill one catalog process without warning. HAProxy retries refused connections on the other
  // process (redispatch), then marks it DOWN; no client request fails.
  catalog1->stop(SIGKILL);
  int failures = 0;
  for (int i = 0; i < 20; ++i) {
    if (http_request(port, "GET", "/restaurants/" + rid + "/menu").status != 200) ++failures;
    if (http_request(port, "PATCH",
                     "/restaurants/" + rid + "/items/00000000-0000-4000-8000-000000000000",
                     json{{"name", "x"}}.dump(), ta::bearer(token))
            .status != 404)
      ++failures;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_TRUE(
      eventually([&] { return server_status(gw.stats_port(), "catalog", "catalog1") == "DOWN"; },
                 std::chrono::seconds(10)));
  auto menu = http_request(port, "GET", "/restaurants/" + rid + "/menu");
  ASSERT_EQ(menu.status, 200);
  for (int i = 0; i < 4; ++i)
    EXPECT_NE(menu.body.find("Dish " + std::to_string(i)), std::string::npos);
}

}  // namespace
