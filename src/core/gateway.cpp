#include "core/gateway.hpp"

#include <algorithm>
#include <chrono>

#include "core/metrics.hpp"
#include "core/middleware.hpp"

namespace se::gateway {

namespace {
std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}
}  // namespace

http::Middleware authenticate(const jwt::Config& cfg) {
  auto& reg = metrics::Registry::global();
  reg.describe("auth_token_rejections_total", "counter", "Bearer tokens refused, by reason");
  // One per router, i.e. per worker thread; 10,000 tokens of ~0.3 KiB each at most.
  auto verified = std::make_shared<jwt::VerifiedTokens>(10000);
  return [&cfg, &reg, verified](http::Request& req,
                                const http::Next& next) -> boost::asio::awaitable<http::Response> {
    const std::string* h = req.header("authorization");
    if (h) {
      std::string_view token;
      if (iequals_prefix(*h, "bearer ")) token = std::string_view(*h).substr(7);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      auto v = token.empty() ? jwt::Verified{jwt::Error::malformed, {}}
                             : jwt::verify(cfg, *verified, token, unix_now());
      if (!v.ok()) {
        reg.counter("auth_token_rejections_total", {{"reason", jwt::error_name(v.error)}})
            .fetch_add(1, std::memory_order_relaxed);
        const bool expired = v.error == jwt::Error::expired;
        auto res =
            http::problem_response(Problem{401, "invalid_token", "Unauthorized",
                                           expired ? "the access token has expired; refresh it"
                                                   : "the access token is not valid"},
                                   req);
        res.set_header("WWW-Authenticate",
                       expired ? R"(Bearer error="invalid_token", error_description="expired")"
                               : R"(Bearer error="invalid_token")");
        co_return res;
      }
      req.principal = std::move(v.claims.principal);
    }
    co_return co_await next(req);
  };
}

http::Middleware cors(CorsOptions opts) {
  return [opts = std::move(opts)](
             http::Request& req, const http::Next& next) -> boost::asio::awaitable<http::Response> {
    const std::string* origin = req.header("origin");
    const bool any = std::find(opts.origins.begin(), opts.origins.end(), "*") != opts.origins.end();
    const bool allowed = origin && (any || std::find(opts.origins.begin(), opts.origins.end(),
                                                     *origin) != opts.origins.end());
    if (req.method == "OPTIONS" && req.header("access-control-request-method") &&
        req.handler == nullptr && !req.allowed_methods.empty()) {
      // A preflight for a path that exists.
      http::Response res{204, {}, {}};
      if (allowed) {
        res.set_header("Access-Control-Allow-Origin", any ? "*" : *origin);
        res.set_header("Access-Control-Allow-Methods", opts.methods);
        res.set_header("Access-Control-Allow-Headers", opts.headers);
        res.set_header("Access-Control-Max-Age", std::to_string(opts.max_age_s));
      }
      res.set_header("Vary", "Origin");
      co_return res;
    }
    http::Response res = co_await next(req);
    if (allowed) {
      res.set_header("Access-Control-Allow-Origin", any ? "*" : *origin);
      res.set_header(
          "Access-Control-Expose-Headers",
          "ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
          "RateLimit-Policy, X-Request-Id");
    }
    if (!opts.origins.empty()) res.set_header("Vary", "Origin");
    co_return res;
  };
}

http::Middleware hardening_headers() {
  return [](http::Request& req, const http::Next& next) -> boost::asio::awaitable<http::Response> {
    http::Response res = co_await next(req);
    const std::string* type = res.header("Content-Type");
    if (!type || type->rfind("text/html", 0) != 0)  // API answers; web apps set their own policy
      res.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    res.set_header("Cross-Origin-Resource-Policy", "same-site");
    if (req.principal && !res.header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    co_return res;
  };
}

}  // namespace se::gateway
