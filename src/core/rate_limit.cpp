#include "core/rate_limit.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <stdexcept>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/middleware.hpp"
#include "core/text.hpp"

namespace se::ratelimit {

namespace {
bool starts_with_segment(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}
}  // namespace

std::string default_spec() { return "browse=1000,orders=100,search=500,login=10"; }

Policy parse_policy(std::string_view spec, std::int64_t window_ms) {
  if (window_ms < 100) throw std::invalid_argument("the rate-limit window must be at least 100 ms");
  Policy p;
  p.window_ms = window_ms;
  if (spec.empty() || spec == "off") return p;
  for (const auto item : text::split_nonempty(spec)) {
    const auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw std::invalid_argument("rate limits look like class=N,class=N (e.g. " + default_spec() +
                                  ")");
    const auto name = trim(item.substr(0, eq));
    const auto num = trim(item.substr(eq + 1));
    std::int64_t n = 0;
    try {
      std::size_t used = 0;
      n = std::stoll(num, &used);
      if (used != num.size() || n < 1) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw std::invalid_argument("rate limit for '" + name + "' must be a positive integer");
    }
    p.limits[name] = n;
  }
  return p;
}

std::string classify(const http::Request& req) {
  const std::string_view path = req.path;
  if (req.method == "OPTIONS" || path == "/health" || path == "/ready" || path == "/metrics")
    return "exempt";
  if (req.method == "POST" &&
      (path == "/auth/login" || path == "/auth/register" || path == "/auth/refresh"))
    return "login";
  if (starts_with_segment(path, "/orders")) return "orders";
  if (starts_with_segment(path, "/search")) return "search";
  return "browse";
}

std::string client_ip(const http::Request& req, const std::vector<std::string>& trusted) {
  if (std::find(trusted.begin(), trusted.end(), req.remote_ip) == trusted.end())
    return req.remote_ip;
  const std::string* xff = req.header("x-forwarded-for");
  if (!xff || xff->empty()) return req.remote_ip;
  const auto comma = xff->rfind(',');
  auto last = trim(comma == std::string::npos ? std::string_view(*xff)
                                              : std::string_view(*xff).substr(comma + 1));
  if (last.empty() || last.size() > 64) return req.remote_ip;
  return last;
}

std::string subject(const http::Request& req, const std::vector<std::string>& trusted) {
  if (req.principal) return "a:" + req.principal->account_id;
  return "ip:" + client_ip(req, trusted);
}

Decision decide(std::int64_t limit, const Count& c) {
  Decision d;
  d.limit = limit;
  d.allowed = c.count <= limit;
  d.remaining = std::max<std::int64_t>(0, limit - c.count);
  d.reset_s = std::max<std::int64_t>(1, (c.ttl_ms + 999) / 1000);
  d.retry_after_s = d.allowed ? 0 : d.reset_s;
  return d;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Count LocalWindows::hit(const std::string& key, std::int64_t window_ms, std::int64_t now,
                        std::int64_t amount) {
  std::lock_guard lock(mu_);
  if (now - last_sweep_ms_ > 10000 || windows_.size() > 100000) {  // bound memory
    std::erase_if(windows_, [now](const auto& kv) { return kv.second.reset_at_ms <= now; });
    last_sweep_ms_ = now;
  }
  auto& w = windows_[key];
  if (w.reset_at_ms <= now) w = Window{0, now + window_ms};
  w.count += amount;
  return {w.count, w.reset_at_ms - now};
}

Count LocalWindows::peek(const std::string& key, std::int64_t now) {
  std::lock_guard lock(mu_);
  auto it = windows_.find(key);
  if (it == windows_.end() || it->second.reset_at_ms <= now) return {0, 0};
  return {it->second.count, it->second.reset_at_ms - now};
}

void LocalWindows::erase(const std::string& key) {
  std::lock_guard lock(mu_);
  windows_.erase(key);
}

http::Middleware middleware(Options opts, Counter shared, LocalWindows& fallback) {
  auto& reg = metrics::Registry::global();
  reg.describe("rate_limit_rejections_total", "counter",
               "Requests refused with 429, by route class");
  reg.describe("rate_limit_fallback_total", "counter",
               "Requests counted in-process because the shared (Redis) counter was unreachable");
  return [opts = std::move(opts), shared = std::move(shared), &fallback, &reg](
             http::Request& req, const http::Next& next) -> boost::asio::awaitable<http::Response> {
    const std::string cls = classify(req);
    const auto lim = opts.policy.limits.find(cls);
    if (lim == opts.policy.limits.end()) co_return co_await next(req);
    // The window is part of the key: processes configured with another window never share
    // (or inherit the TTL of) a counter.
    const std::string key = opts.key_prefix + cls + ":" + std::to_string(opts.policy.window_ms) +
                            ":" + subject(req, opts.trusted_proxies);
    std::optional<Count> count = co_await shared(key, opts.policy.window_ms);
    if (!count) {
      reg.counter("rate_limit_fallback_total").fetch_add(1, std::memory_order_relaxed);
      count = fallback.hit(key, opts.policy.window_ms, now_ms());
    }
    const Decision d = decide(lim->second, *count);
    const auto policy =
        fmt::format("{};w={}", d.limit, std::max<std::int64_t>(1, opts.policy.window_ms / 1000));
    http::Response res;
    if (d.allowed) {
      res = co_await next(req);
    } else {
      reg.counter("rate_limit_rejections_total", {{"class", cls}})
          .fetch_add(1, std::memory_order_relaxed);
      res = http::problem_response(
          Problem{429, "rate_limited", "Too many requests",
                  fmt::format("at most {} {} requests per {} s; retry after {} s", d.limit, cls,
                              std::max<std::int64_t>(1, opts.policy.window_ms / 1000),
                              d.retry_after_s)},
          req);
      res.set_header("Retry-After", std::to_string(d.retry_after_s));
    }
    res.set_header("RateLimit-Limit", std::to_string(d.limit));
    res.set_header("RateLimit-Remaining", std::to_string(d.remaining));
    res.set_header("RateLimit-Reset", std::to_string(d.reset_s));
    res.set_header("RateLimit-Policy", policy);
    co_return res;
  };
}

}  // namespace se::ratelimit
