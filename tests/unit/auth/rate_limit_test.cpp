// Rate-limit arithmetic, route classes, client identity and the in-process fallback windows.
#include <gtest/gtest.h>

#include "core/rate_limit.hpp"

namespace rl = se::ratelimit;

TEST(RateLimit, ExactlyTheLimitPassesAndOneMoreIsRefused) {
  auto d = rl::decide(3, {3, 59001});
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_EQ(d.reset_s, 60);  // rounded up
  d = rl::decide(3, {4, 59001});
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 60);
  d = rl::decide(3, {1, 0});
  EXPECT_EQ(d.remaining, 2);
  EXPECT_EQ(d.reset_s, 1);  // never advertise 0
}

TEST(RateLimit, PolicySpecParses) {
  auto p = rl::parse_policy(rl::default_spec(), 60000);
  EXPECT_EQ(p.limits.at("browse"), 1000);
  EXPECT_EQ(p.limits.at("orders"), 100);
  EXPECT_EQ(p.limits.at("search"), 500);
  EXPECT_LT(p.limits.at("login"), p.limits.at("orders"));
  EXPECT_TRUE(rl::parse_policy("off", 60000).limits.empty());
  EXPECT_THROW(rl::parse_policy("browse=0", 60000), std::invalid_argument);
  EXPECT_THROW(rl::parse_policy("browse=x", 60000), std::invalid_argument);
  EXPECT_THROW(rl::parse_policy("browse", 60000), std::invalid_argument);
  EXPECT_THROW(rl::parse_policy("browse=1", 10), std::invalid_argument);
}

TEST(RateLimit, RouteClasses) {
  se::http::Request r;
  auto cls = [&](std::string method, std::string path) {
    r.method = std::move(method);
    r.path = std::move(path);
    return rl::classify(r);
  };
  EXPECT_EQ(cls("GET", "/restaurants/x/menu"), "browse");
  EXPECT_EQ(cls("POST", "/orders"), "orders");
  EXPECT_EQ(cls("GET", "/orders/1"), "orders");
  EXPECT_EQ(cls("GET", "/ordersx"), "browse");
  EXPECT_EQ(cls("GET", "/search"), "search");
  EXPECT_EQ(cls("POST", "/auth/login"), "login");
  EXPECT_EQ(cls("POST", "/auth/refresh"), "login");
  EXPECT_EQ(cls("GET", "/auth/me"), "browse");
  EXPECT_EQ(cls("GET", "/health"), "exempt");
  EXPECT_EQ(cls("GET", "/ready"), "exempt");
  EXPECT_EQ(cls("OPTIONS", "/restaurants"), "exempt");
}

TEST(RateLimit, SubjectIsThePrincipalElseTheClientIp) {
  se::http::Request r;
  r.remote_ip = "10.0.0.5";
  r.headers = {{"x-forwarded-for", "1.2.3.4, 5.6.7.8"}};
  EXPECT_EQ(rl::subject(r, {}), "ip:10.0.0.5");           // untrusted peer: header ignored
  EXPECT_EQ(rl::subject(r, {"10.0.0.5"}), "ip:5.6.7.8");  // trusted proxy: rightmost entry
  r.principal = se::auth::Principal{};
  r.principal->account_id = "acc";
  EXPECT_EQ(rl::subject(r, {"10.0.0.5"}), "a:acc");
}

TEST(RateLimit, LocalWindowsCountAndReset) {
  rl::LocalWindows w;
  EXPECT_EQ(w.hit("k", 1000, 0).count, 1);
  EXPECT_EQ(w.hit("k", 1000, 400).count, 2);
  EXPECT_EQ(w.hit("k", 1000, 400).ttl_ms, 600);
  EXPECT_EQ(w.peek("k", 999).count, 3);
  EXPECT_EQ(w.hit("k", 1000, 1000).count, 1);  // a new window
  EXPECT_EQ(w.hit("other", 1000, 1000).count, 1);
  w.erase("k");
  EXPECT_EQ(w.peek("k", 1000).count, 0);
}
