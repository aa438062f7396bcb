// Rate limits per principal (per client IP when anonymous) and per route class, counted in a
// shared store (Redis, so every instance behind the load balancer sees the same count) with a
// per-process fallback when the shared store is unreachable.
//
// Algorithm: fixed window anchored at the first request: INCR a key, give it the window as TTL
// when it has none; the request is refused when the count exceeds the limit. Over the limit the
// answer is 429 problem+json with Retry-After (seconds until the window resets) and the
// RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset / RateLimit-Policy headers
// (draft-ietf-httpapi-ratelimit-headers), which every limited response carries.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/router.hpp"

namespace se::ratelimit {

struct Policy {
  std::map<std::string, std::int64_t> limits;  // route class -> requests per window
  std::int64_t window_ms = 60000;
};

// "browse=1000,orders=100,search=500,login=10"; "off" or "" = no limits. Throws invalid_argument.
Policy parse_policy(std::string_view spec, std::int64_t window_ms);
std::string default_spec();

// Route class of a request: "exempt" (health, readiness, metrics, CORS preflight), "login"
// (login, register, refresh), "orders", "search" or "browse" (everything else).
std::string classify(const http::Request& req);

// The client's IP: the rightmost X-Forwarded-For entry when the peer is a trusted proxy, else
// the peer address.
std::string client_ip(const http::Request& req, const std::vector<std::string>& trusted_proxies);

// "a:<account id>" for a signed-in principal, "ip:<address>" otherwise.
std::string subject(const http::Request& req, const std::vector<std::string>& trusted_proxies);

struct Count {
  std::int64_t count = 0;   // requests in the current window, this one included
  std::int64_t ttl_ms = 0;  // time until the window resets
};

struct Decision {
  bool allowed = true;
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_s = 0;        // seconds until the window resets (rounded up, >= 1)
  std::int64_t retry_after_s = 0;  // when refused: reset_s
};
Decision decide(std::int64_t limit, const Count& c);

// In-process fixed windows (thread-safe). The fallback counter, and the login-failure throttle
// when Redis is down. `now_ms` is injected for tests.
class LocalWindows {
 public:
  Count hit(const std::string& key, std::int64_t window_ms, std::int64_t now_ms,
            std::int64_t amount = 1);
  [[nodiscard]] Count peek(const std::string& key, std::int64_t now_ms);
  void erase(const std::string& key);

 private:
  struct Window {
    std::int64_t count = 0;
    std::int64_t reset_at_ms = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
  std::int64_t last_sweep_ms_ = 0;
};

std::int64_t now_ms();  // steady clock, milliseconds

// The shared counter: increments `key` in a window of `window_ms`; nullopt when the shared
// store is unreachable (the middleware then counts locally).
using Counter = std::function<boost::asio::awaitable<std::optional<Count>>(const std::string& key,
                                                                           std::int64_t window_ms)>;

struct Options {
  Policy policy;
  std::vector<std::string> trusted_proxies;
  std::string key_prefix = "se:rl:";
};

http::Middleware middleware(Options opts, Counter shared, LocalWindows& fallback);

}  // namespace se::ratelimit
