#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "core/middleware.hpp"
#include "core/router.hpp"

namespace {
using se::http::Request;
using se::http::Response;
using se::http::Router;

boost::asio::awaitable<Response> ok(Request& req) {
  co_return Response::json(200,
                           "{\"id\":\"" + (req.params.count("id") ? req.params["id"] : "") + "\"}");
}

Response run(Router& router, Request req) {
  boost::asio::io_context io;
  auto fut = boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<Response> { co_return co_await router.handle(req); },
      boost::asio::use_future);
  io.run();
  return fut.get();
}

Request make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}
}  // namespace

TEST(Router, MatchesTemplatesAndCapturesParams) {
  Router r;
  r.get("/restaurants/{id}/menu", ok);
  r.get("/restaurants/{id}", ok);
  auto m = r.match("GET", "/restaurants/abc/menu");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.route, "/restaurants/{id}/menu");
  EXPECT_EQ(m.params.at("id"), "abc");
  EXPECT_EQ(r.match("GET", "/restaurants/abc").route, "/restaurants/{id}");
  EXPECT_EQ(r.match("GET", "/restaurants/abc/menu/x").handler, nullptr);
  EXPECT_EQ(r.match("GET", "/restaurants//menu").handler, nullptr);
}

TEST(Router, ListsItsRoutesInTheOrderAddedAndMatchesTheRoot) {
  Router r;
  r.get("/", ok);
  r.post("/orders", ok);
  r.get("/restaurants/{id}", ok);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"GET", "/"}, {"POST", "/orders"}, {"GET", "/restaurants/{id}"}};
  EXPECT_EQ(r.routes(), want);
  EXPECT_EQ(r.match("GET", "/").route, "/");
  EXPECT_EQ(r.match("GET", "/orders").handler, nullptr);
}

TEST(Router, UnknownPathIs404ProblemAndWrongMethodIs405WithAllow) {
  Router r;
  se::http::use_standard_middlewares(r, {});
  r.get("/things/{id}", ok);
  r.del("/things/{id}", ok);
  auto res = run(r, make("GET", "/nope"));
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(*res.header("content-type"), "application/problem+json");
  EXPECT_NE(res.body.find("\"code\":\"route_not_found\""), std::string::npos);

  res = run(r, make("POST", "/things/1"));
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(*res.header("allow"), "GET, DELETE");
}

TEST(Router, MiddlewaresRunOutermostFirstAndSeeTheRoute) {
  Router r;
  std::vector<std::string> seen;
  r.use([&](Request& q, const se::http::Next& next) -> boost::asio::awaitable<Response> {
    seen.push_back("outer:" + q.route);
    auto res = co_await next(q);
    seen.push_back("outer-after");
    co_return res;
  });
  r.use([&](Request& q, const se::http::Next& next) -> boost::asio::awaitable<Response> {
    seen.push_back("inner");
    co_return co_await next(q);
  });
  r.get("/x/{id}", ok);
  auto res = run(r, make("GET", "/x/7"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "{\"id\":\"7\"}");
  EXPECT_EQ(seen, (std::vector<std::string>{"outer:/x/{id}", "inner", "outer-after"}));
}

TEST(Router, ErrorMappingTurnsExceptionsIntoProblemsWithoutLeakingDetail) {
  Router r;
  se::http::use_standard_middlewares(r, {});
  r.get("/boom", [](Request&) -> boost::asio::awaitable<Response> {
    throw std::runtime_error("secret internal detail");
    co_return Response{};
  });
  r.get("/bad", [](Request&) -> boost::asio::awaitable<Response> {
    throw se::bad_request("invalid_thing", "thing is wrong");
    co_return Response{};
  });
  auto res = run(r, make("GET", "/boom"));
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("secret"), std::string::npos);
  res = run(r, make("GET", "/bad"));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("\"code\":\"invalid_thing\""), std::string::npos);
  EXPECT_NE(res.header("x-request-id"), nullptr);
}
