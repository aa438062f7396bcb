#include "core/router.hpp"

#include "core/problem.hpp"

namespace se::http {

namespace {
// "/a/b" -> {"a","b"}; empty segments ("/a//b", "/a/") are kept so they never match a capture.
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  if (path.empty() || path == "/") return out;
  std::size_t i = path.front() == '/' ? 1 : 0;
  for (;;) {
    const auto j = path.find('/', i);
    out.push_back(path.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return out;
}

bool is_capture(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
}  // namespace

void Router::add(std::string method, std::string path_template, Handler handler) {
  auto segments = split_path(path_template);
  routes_.push_back(
      Route{std::move(method), std::move(path_template), std::move(segments), std::move(handler)});
}

void Router::use(Middleware m) { middlewares_.push_back(std::move(m)); }

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(routes_.size());
  for (const auto& route : routes_) out.emplace_back(route.method, route.path_template);
  return out;
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match result;
  const auto segments = split_path(path);
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::unordered_map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      const auto& tpl = route.segments[i];
      if (is_capture(tpl)) {
        if (segments[i].empty())
          ok = false;
        else
          params.emplace(tpl.substr(1, tpl.size() - 2), segments[i]);
      } else {
        ok = tpl == segments[i];
      }
    }
    if (!ok) continue;
    result.path_known = true;
    if (!result.allowed.empty()) result.allowed += ", ";
    result.allowed += route.method;
    // HEAD is answered by the GET handler; the server drops the body.
    if (route.method == method || (method == "HEAD" && route.method == "GET")) {
      if (result.handler == nullptr) {
        result.handler = &route.handler;
        result.route = route.path_template;
        result.params = std::move(params);
      }
    }
  }
  return result;
}

boost::asio::awaitable<Response> Router::dispatch(Request& req) {
  if (req.handler == nullptr) {
    if (!req.allowed_methods.empty()) {
      throw Problem{405, "method_not_allowed", "Method not allowed",
                    req.method + " is not supported here; allowed: " + req.allowed_methods};
    }
    throw not_found("route_not_found", "no route for " + req.path);
  }
  co_return co_await (*req.handler)(req);
}

boost::asio::awaitable<Response> Router::handle(Request& req) const {
  auto m = match(req.method, req.path);
  req.handler = m.handler;
  req.params = std::move(m.params);
  req.route = m.handler ? std::move(m.route) : (m.path_known ? req.path : "unmatched");
  if (!m.handler && m.path_known) req.allowed_methods = std::move(m.allowed);
  if (!chain_) {
    Next chain = [](Request& r) { return dispatch(r); };
    for (auto it = middlewares_.rbegin(); it != middlewares_.rend(); ++it) {
      chain = [mw = *it, next = std::move(chain)](Request& r) { return mw(r, next); };
    }
    chain_ = std::move(chain);
  }
  co_return co_await chain_(req);
}

}  // namespace se::http
