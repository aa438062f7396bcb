// Method + path-template routing ("/restaurants/{id}/menu") and a middleware chain.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/http.hpp"

namespace se::http {

// A middleware wraps the rest of the chain; it may act before and after calling next.
using Next = std::function<boost::asio::awaitable<Response>(Request&)>;
using Middleware = std::function<boost::asio::awaitable<Response>(Request&, const Next& next)>;

class Router {
 public:
  void add(std::string method, std::string path_template, Handler handler);
  void get(std::string path, Handler h) { add("GET", std::move(path), std::move(h)); }
  void post(std::string path, Handler h) { add("POST", std::move(path), std::move(h)); }
  void put(std::string path, Handler h) { add("PUT", std::move(path), std::move(h)); }
  void patch(std::string path, Handler h) { add("PATCH", std::move(path), std::move(h)); }
  void del(std::string path, Handler h) { add("DELETE", std::move(path), std::move(h)); }

  // Middlewares run in the order added, outermost first, around route lookup and the handler.
  void use(Middleware m);

  // (method, path template) of every route, in the order added: what this process serves.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> routes() const;

  // Fills req.params and req.route, runs the chain; answers 404/405 problems itself.
  boost::asio::awaitable<Response> handle(Request& req) const;

  // Exposed for unit tests: matches without running anything.
  struct Match {
    const Handler* handler = nullptr;
    std::string route;
    std::unordered_map<std::string, std::string> params;
    bool path_known = false;  // some route has this path, maybe with another method
    std::string allowed;      // methods allowed for this path, for 405
  };
  [[nodiscard]] Match match(const std::string& method, const std::string& path) const;

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;  // "{name}" marks a capture
    Handler handler;
  };
  static boost::asio::awaitable<Response> dispatch(Request& req);

  std::vector<Route> routes_;
  std::vector<Middleware> middlewares_;
  mutable Next chain_;  // built on first request; routers are per worker thread
};

}  // namespace se::http
