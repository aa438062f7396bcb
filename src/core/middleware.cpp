#include "core/middleware.hpp"

#include <sodium.h>
#include <chrono>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/log.hpp"
#include "core/metrics.hpp"

namespace se::http {

namespace {
bool acceptable_request_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string new_request_id() {
  unsigned char bytes[12];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}
}  // namespace

Response problem_response(const Problem& p, const Request& req) {
  nlohmann::json body{{"type", "https://swifteats.dev/problems/" + p.code},
                      {"title", p.title},
                      {"status", p.status},
                      {"code", p.code},
                      {"instance", req.path}};
  if (!p.detail.empty()) body["detail"] = p.detail;
  if (!req.request_id.empty()) body["request_id"] = req.request_id;
  auto r =
      Response::text(p.status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     "application/problem+json");
  if (p.status == 405) {
    r.set_header("Allow", req.allowed_methods);
  }
  return r;
}

Middleware request_id() {
  return [](Request& req, const Next& next) -> boost::asio::awaitable<Response> {
    const std::string* given = req.header("x-request-id");
    req.request_id = given && acceptable_request_id(*given) ? *given : new_request_id();
    Response res = co_await next(req);
    res.set_header("X-Request-Id", req.request_id);
    co_return res;
  };
}

Middleware access_log() {
  return [](Request& req, const Next& next) -> boost::asio::awaitable<Response> {
    const auto start = std::chrono::steady_clock::now();
    Response res = co_await next(req);
    if (log::enabled(spdlog::level::info)) {
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
      log::info("request", {{"request_id", req.request_id},
                            {"method", req.method},
                            {"path", req.path},
                            {"route", req.route},
                            {"status", res.status},
                            {"duration_us", us},
                            {"remote", req.remote_ip}});
    }
    co_return res;
  };
}

Middleware request_metrics() {
  auto& reg = metrics::Registry::global();
  reg.describe("http_request_duration_seconds", "histogram",
               "Latency of HTTP requests by route, method and status");
  return [&reg](Request& req, const Next& next) -> boost::asio::awaitable<Response> {
    const auto start = std::chrono::steady_clock::now();
    Response res = co_await next(req);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Histograms live as long as the registry, so each thread remembers the ones it used and
    // skips the registry's label rendering and shared lock on the hot path.
    thread_local std::unordered_map<std::string, metrics::Histogram*> known;
    std::string key = req.route;
    key += ' ';
    key += req.method;
    key += ' ';
    key += std::to_string(res.status);
    auto it = known.find(key);
    if (it == known.end()) {
      auto* h = &reg.histogram(
          "http_request_duration_seconds",
          {{"route", req.route}, {"method", req.method}, {"status", std::to_string(res.status)}});
      it = known.emplace(std::move(key), h).first;
    }
    it->second->observe(secs);
    co_return res;
  };
}

Middleware error_mapping(ErrorTranslator translate) {
  return [translate = std::move(translate)](Request& req,
                                            const Next& next) -> boost::asio::awaitable<Response> {
    std::optional<Problem> problem;
    try {
      co_return co_await next(req);
    } catch (const Problem& p) {
      problem = p;
    } catch (const std::exception& e) {
      if (translate) problem = translate(e);
      if (!problem) {
        log::error("unhandled exception",
                   {{"request_id", req.request_id}, {"route", req.route}, {"error", e.what()}});
        problem = Problem{500, "internal_error", "Internal error",
                          "the server could not complete the request; it has been logged"};
      }
    }
    co_return problem_response(*problem, req);
  };
}

Middleware security_headers() {
  return [](Request& req, const Next& next) -> boost::asio::awaitable<Response> {
    Response res = co_await next(req);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    co_return res;
  };
}

void use_standard_middlewares(Router& router, ErrorTranslator translate) {
  router.use(request_id());
  router.use(access_log());
  router.use(request_metrics());
  router.use(security_headers());
  router.use(error_mapping(std::move(translate)));
}

}  // namespace se::http
