// Rate limits through real HTTP: exact limit, headers, recovery after the window, one count
// shared by two instances through Redis, per-principal buckets, and the Redis-down fallback.
#include <gtest/gtest.h>

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

constexpr int kLimit = 5;
constexpr int kWindowMs = 4000;

class RateLimit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& env = se::test::TestEnv::get();
    conninfo_ = env.fresh_database("ratelimit_it");
    for (auto* s : {&a_, &b_})
      *s = std::make_unique<se::test::ServerProcess>(ta::security_flags(std::vector<std::string>{
          "--pg", conninfo_, "--redis", "127.0.0.1:" + std::to_string(env.redis_port()),
          "--threads", "2", "--log-level", "error", "--rate-limits",
          "browse=" + std::to_string(kLimit) + ",login=1000", "--rate-window-ms",
          std::to_string(kWindowMs)}));
  }
  static void TearDownTestSuite() {
    a_.reset();
    b_.reset();
  }

  // A browse request from a distinct client (a fresh X-Forwarded-For is NOT believed: the peer
  // is not a trusted proxy, so every test waits for its own window instead).
  static HttpResponse browse(int port, const std::map<std::string, std::string>& h = {}) {
    return http_request(port, "GET", "/restaurants?lat=1&lng=1", {}, h);
  }

  // Waits (polling, bounded) until a request is the first of a fresh window for the anonymous
  // loopback client: it answers 200 with RateLimit-Remaining = limit - 1. Requests left in an
  // older window are used up on the way.
  static void await_recovery(int port) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(kWindowMs * 3);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = browse(port);
      if (r.status == 200 && r.header("ratelimit-remaining") == std::to_string(kLimit - 1)) return;
      if (r.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the limit did not recover within 3 windows";
  }

  static inline std::string conninfo_;
  static inline std::unique_ptr<se::test::ServerProcess> a_, b_;
};

TEST_F(RateLimit, RefusesExactlyPastTheLimitAndRecoversAfterTheWindow) {
  await_recovery(a_->port());  // start from a fresh window (that request counts as 1)
  for (int i = 2; i <= kLimit; ++i) {
    auto r = browse(a_->port());
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.body;
    EXPECT_EQ(r.header("ratelimit-limit"), std::to_string(kLimit));
    EXPECT_EQ(r.header("ratelimit-remaining"), std::to_string(kLimit - i));
  }
  auto over = browse(a_->port());
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_EQ(over.header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(over.body)["code"], "rate_limited");
  const int retry =
      std::stoi(over.header("retry-after").empty() ? "0" : over.header("retry-after"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, kWindowMs / 1000);
  EXPECT_EQ(over.header("ratelimit-remaining"), "0");
  EXPECT_FALSE(over.header("ratelimit-reset").empty());
  EXPECT_EQ(over.header("ratelimit-policy"), std::to_string(kLimit) + ";w=4");
  // Health and readiness are never limited (load balancer checks must not be starved).
  EXPECT_EQ(http_request(a_->port(), "GET", "/ready").status, 200);
  await_recovery(a_->port());
}

TEST_F(RateLimit, OneCountAcrossInstancesThroughRedis) {
  await_recovery(a_->port());  // 1 on A
  for (int i = 2; i <= kLimit; ++i)
    ASSERT_EQ(browse(i % 2 ? a_->port() : b_->port()).status, 200) << i;
  EXPECT_EQ(browse(b_->port()).status, 429);
  EXPECT_EQ(browse(a_->port()).status, 429);
  await_recovery(b_->port());
}

TEST_F(RateLimit, SignedInPrincipalsHaveTheirOwnBucket) {
  await_recovery(a_->port());
  for (int i = 2; i <= kLimit; ++i) ASSERT_EQ(browse(a_->port()).status, 200);
  ASSERT_EQ(browse(a_->port()).status, 429);  // the anonymous loopback client is out
  const auto token = ta::admin_token(a_->port());
  auto r = browse(a_->port(), ta::bearer(token));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("ratelimit-remaining"), std::to_string(kLimit - 1));
  await_recovery(a_->port());
}

TEST_F(RateLimit, WithoutRedisEachInstanceLimitsOnItsOwn) {
  auto& env = se::test::TestEnv::get();
  env.stop_redis();
  // Counting falls back to an in-process window: still limited, still exact, per instance.
  int ok = 0;
  HttpResponse last;
  for (int i = 0; i < kLimit + 1; ++i) {
    last = browse(a_->port());
    if (last.status == 200) ++ok;
    if (last.status == 429) break;
  }
  EXPECT_EQ(last.status, 429) << last.body;
  EXPECT_LE(ok, kLimit);
  EXPECT_GE(ok, 1);
  EXPECT_EQ(browse(b_->port()).status, 200);  // B counts separately while Redis is away
  auto metrics = http_request(a_->port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("rate_limit_fallback_total"), std::string::npos);
  env.start_redis();
  await_recovery(a_->port());
}

}  // namespace
