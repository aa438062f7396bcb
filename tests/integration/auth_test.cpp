// Accounts, login, tokens and object-level authorization through real HTTP.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "integration/auth_helpers.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

using nlohmann::json;
using se::test::http_request;
using se::test::HttpResponse;
namespace ta = se::test::auth;

namespace {

const json kAlwaysOpen = json::parse(R"({"mon":[["00:00","00:00"]],"tue":[["00:00","00:00"]],
  "wed":[["00:00","00:00"]],"thu":[["00:00","00:00"]],"fri":[["00:00","00:00"]],
  "sat":[["00:00","00:00"]],"sun":[["00:00","00:00"]]})");

class Auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& env = se::test::TestEnv::get();
    const auto conninfo = env.fresh_database("auth_it");
    server_ = std::make_unique<se::test::ServerProcess>(ta::security_flags(std::vector<std::string>{
        "--pg", conninfo, "--redis", "127.0.0.1:" + std::to_string(env.redis_port()), "--threads",
        "2", "--log-level", "error", "--rate-limits", "off", "--login-max-failures", "3"}));
    admin_ = ta::admin_token(port());
    ASSERT_FALSE(admin_.empty());
  }
  static void TearDownTestSuite() { server_.reset(); }

  static int port() { return server_->port(); }
  static HttpResponse call(const std::string& method, const std::string& target,
                           const std::string& token, const json& body = nullptr) {
    return http_request(port(), method, target, body.is_null() ? std::string{} : body.dump(),
                        token.empty() ? std::map<std::string, std::string>{} : ta::bearer(token));
  }
  static void expect_problem(const HttpResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json") << r.body;
    EXPECT_EQ(json::parse(r.body, nullptr, false).value("code", ""), code) << r.body;
  }
  static std::string create_restaurant(const std::string& name) {
    auto r = call(
        "POST", "/restaurants", admin_,
        {{"name", name}, {"cuisine", "thai"}, {"lat", 1.0}, {"lng", 1.0}, {"hours", kAlwaysOpen}});
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["id"].get<std::string>();
  }
  static json create_account(const json& body) {
    auto r = call("POST", "/admin/accounts", admin_, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body);
  }

  static inline std::unique_ptr<se::test::ServerProcess> server_;
  static inline std::string admin_;
};

TEST_F(Auth, RegisterLoginAndMeWithoutUserEnumeration) {
  const json reg{
      {"email", "Alice@Example.test"}, {"password", "alice-password-1"}, {"name", "Alice"}};
  auto first = http_request(port(), "POST", "/auth/register", reg.dump());
  EXPECT_EQ(first.status, 202) << first.body;
  auto again = http_request(port(), "POST", "/auth/register", reg.dump());
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body, first.body);  // a taken email answers exactly like a free one

  // Wrong password for a real account and any password for a missing one: the same answer.
  auto wrong =
      http_request(port(), "POST", "/auth/login",
                   json{{"email", "alice@example.test"}, {"password", "not-her-password"}}.dump());
  auto missing =
      http_request(port(), "POST", "/auth/login",
                   json{{"email", "nobody@example.test"}, {"password", "not-her-password"}}.dump());
  expect_problem(wrong, 401, "invalid_credentials");
  expect_problem(missing, 401, "invalid_credentials");
  auto strip = [](std::string body) {
    auto j = json::parse(body);
    j.erase("request_id");
    return j.dump();
  };
  EXPECT_EQ(strip(wrong.body), strip(missing.body));

  auto tokens =
      ta::login(port(), "ALICE@example.test", "alice-password-1");  // emails are case-insensitive
  EXPECT_EQ(tokens["token_type"], "Bearer");
  EXPECT_EQ(tokens["expires_in"], 900);
  EXPECT_EQ(tokens["role"], "customer");
  auto me = call("GET", "/auth/me", tokens["access_token"]);
  ASSERT_EQ(me.status, 200) << me.body;
  auto mej = json::parse(me.body);
  EXPECT_EQ(mej["email"], "alice@example.test");
  EXPECT_EQ(mej["role"], "customer");
  EXPECT_FALSE(mej.contains("password_hash"));
  EXPECT_EQ(me.header("cache-control"), "no-store");
  expect_problem(call("GET", "/auth/me", ""), 401, "unauthenticated");
}

TEST_F(Auth, RegistrationRefusesFieldsTheCallerMayNotSet) {
  expect_problem(http_request(port(), "POST", "/auth/register",
                              json{{"email", "mallory@example.test"},
                                   {"password", "mallory-password"},
                                   {"name", "M"},
                                   {"role", "admin"}}
                                  .dump()),
                 400, "unknown_field");
  expect_problem(
      http_request(
          port(), "POST", "/auth/register",
          json{{"email", "mallory@example.test"}, {"password", "short"}, {"name", "M"}}.dump()),
      400, "weak_password");
  // Nothing was created by the refused attempts.
  expect_problem(
      http_request(
          port(), "POST", "/auth/login",
          json{{"email", "mallory@example.test"}, {"password", "mallory-password"}}.dump()),
      401, "invalid_credentials");
  // A normal registration yields a customer, whatever else the body tries to say.
  ASSERT_EQ(
      http_request(
          port(), "POST", "/auth/register",
          json{{"email", "mallory@example.test"}, {"password", "mallory-password"}, {"name", "M"}}
              .dump())
          .status,
      202);
  EXPECT_EQ(ta::login(port(), "mallory@example.test", "mallory-password")["role"], "customer");
}

TEST_F(Auth, AccountCreationRefusesAVehicleTheDriversTableWouldRefuse) {
  const json driver{{"email", "dora@example.test"},
                    {"password", "dora-password-1"},
                    {"role", "driver"},
                    {"vehicle", "bike"}};
  expect_problem(call("POST", "/admin/accounts", admin_, driver), 400, "invalid_field");
  json staff = driver;
  staff["role"] = "restaurant_staff";
  staff["vehicle"] = "car";
  expect_problem(call("POST", "/admin/accounts", admin_, staff), 400, "invalid_field");
  // Nothing was created by the refused attempts; the same email with a real vehicle is a driver.
  expect_problem(
      http_request(port(), "POST", "/auth/login",
                   json{{"email", "dora@example.test"}, {"password", "dora-password-1"}}.dump()),
      401, "invalid_credentials");
  json ok = driver;
  ok["vehicle"] = "bicycle";
  EXPECT_EQ(create_account(ok)["role"], "driver");
}

TEST_F(Auth, ForgedAndStaleTokensAreRejectedByTheServer) {
  auto cfg = ta::jwt_config();
  se::auth::Principal admin;
  admin.account_id = "00000000-0000-4000-8000-000000000001";
  admin.role = se::auth::Role::admin;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto forged_payload = [&](const nlohmann::json& header, const nlohmann::json& payload,
                            const std::string& key) {
    const auto input = se::jwt::b64url(header.dump()) + "." + se::jwt::b64url(payload.dump());
    return input + "." + se::jwt::b64url(se::jwt::hmac_sha256(key, input));
  };
  const json good{{"iss", cfg.issuer}, {"aud", cfg.audience}, {"sub", admin.account_id},
                  {"role", "admin"},   {"iat", now},          {"exp", now + 600}};
  // The control: a well-formed token we sign with the server's key is accepted.
  EXPECT_EQ(call("GET", "/admin/accounts/x/restaurants",
                 forged_payload({{"alg", "HS256"}, {"kid", "k1"}}, good, cfg.keys["k1"]))
                .status,
            405);  // authenticated: the path exists for PUT only

  const std::string alg_none = se::jwt::b64url(json{{"alg", "none"}, {"kid", "k1"}}.dump()) + "." +
                               se::jwt::b64url(good.dump()) + ".";
  json expired = good;
  expired["iat"] = now - 3600;
  expired["exp"] = now - 1800;
  json wrong_aud = good;
  wrong_aud["aud"] = "another-api";
  const std::vector<std::pair<std::string, std::string>> bad{
      {"alg none", alg_none},
      {"alg none signed", forged_payload({{"alg", "none"}, {"kid", "k1"}}, good, cfg.keys["k1"])},
      {"wrong signature",
       forged_payload({{"alg", "HS256"}, {"kid", "k1"}}, good, std::string(32, 'z'))},
      {"expired", forged_payload({{"alg", "HS256"}, {"kid", "k1"}}, expired, cfg.keys["k1"])},
      {"wrong audience",
       forged_payload({{"alg", "HS256"}, {"kid", "k1"}}, wrong_aud, cfg.keys["k1"])},
      {"unknown kid", forged_payload({{"alg", "HS256"}, {"kid", "k7"}}, good, cfg.keys["k1"])},
      {"garbage", "not.a.token"},
  };
  for (const auto& [what, token] : bad) {
    SCOPED_TRACE(what);
    auto r = call("GET", "/auth/me", token);
    expect_problem(r, 401, "invalid_token");
    EXPECT_NE(r.header("www-authenticate").find("Bearer"), std::string::npos);
    // And a protected write is refused too.
    expect_problem(call("POST", "/restaurants", token, {{"name", "x"}}), 401, "invalid_token");
  }
  // A token signed with the second (rotated-in) key verifies.
  cfg.active_kid = "k2";
  auto me = call("GET", "/auth/me", se::jwt::sign(cfg, admin, now));
  EXPECT_EQ(me.status, 401);  // verifies, but the account does not exist
  EXPECT_EQ(json::parse(me.body)["code"], "unauthenticated");
}

TEST_F(Auth, RefreshRotatesAndReuseRevokesTheFamily) {
  create_account(
      {{"email", "rota@example.test"}, {"password", "rotation-pass-1"}, {"role", "customer"}});
  auto t0 = ta::login(port(), "rota@example.test", "rotation-pass-1");
  const std::string r1 = t0["refresh_token"];
  auto refresh = [&](const std::string& token) {
    return http_request(port(), "POST", "/auth/refresh", json{{"refresh_token", token}}.dump());
  };
  auto a = refresh(r1);
  ASSERT_EQ(a.status, 200) << a.body;
  const std::string r2 = json::parse(a.body)["refresh_token"];
  EXPECT_NE(r2, r1);
  EXPECT_EQ(call("GET", "/auth/me", json::parse(a.body)["access_token"]).status, 200);
  auto b = refresh(r2);
  ASSERT_EQ(b.status, 200) << b.body;
  const std::string r3 = json::parse(b.body)["refresh_token"];

  // r1 comes back (stolen copy): refused, and the whole family - r3 included - is revoked.
  expect_problem(refresh(r1), 401, "invalid_refresh_token");
  expect_problem(refresh(r3), 401, "invalid_refresh_token");
  // A separate login (a new family) is unaffected.
  auto other = ta::login(port(), "rota@example.test", "rotation-pass-1");
  EXPECT_EQ(refresh(other["refresh_token"]).status, 200);

  // Logout revokes.
  auto t = ta::login(port(), "rota@example.test", "rotation-pass-1");
  auto out = http_request(port(), "POST", "/auth/logout",
                          json{{"refresh_token", t["refresh_token"]}}.dump());
  EXPECT_EQ(out.status, 204);
  expect_problem(refresh(t["refresh_token"]), 401, "invalid_refresh_token");
  expect_problem(refresh("rt_made_up"), 401, "invalid_refresh_token");
}

TEST_F(Auth, LoginThrottleLocksAnEmailAfterFailuresExistingOrNot) {
  create_account(
      {{"email", "victim@example.test"}, {"password", "victim-password"}, {"role", "customer"}});
  for (const std::string email : {"victim@example.test", "ghost@example.test"}) {
    SCOPED_TRACE(email);
    for (int i = 0; i < 3; ++i)
      expect_problem(
          http_request(port(), "POST", "/auth/login",
                       json{{"email", email}, {"password", "guess-" + std::to_string(i)}}.dump()),
          401, "invalid_credentials");
    // Locked now, even with the right password; the same answer for a missing account.
    auto r = http_request(port(), "POST", "/auth/login",
                          json{{"email", email}, {"password", "victim-password"}}.dump());
    expect_problem(r, 429, "too_many_attempts");
    EXPECT_FALSE(r.header("retry-after").empty());
  }
}

TEST_F(Auth, ObjectLevelRulesRefuseOtherUsers) {
  const auto rest_a = create_restaurant("Staffed A");
  const auto rest_b = create_restaurant("Staffed B");
  create_account({{"email", "staff-a@example.test"},
                  {"password", "staff-a-password"},
                  {"role", "restaurant_staff"},
                  {"restaurant_ids", {rest_a}}});
  create_account({{"email", "staff-b@example.test"},
                  {"password", "staff-b-password"},
                  {"role", "restaurant_staff"},
                  {"restaurant_ids", {rest_b}}});
  auto c1 = create_account(
      {{"email", "cust1@example.test"}, {"password", "cust1-password"}, {"role", "customer"}});
  auto c2 = create_account(
      {{"email", "cust2@example.test"}, {"password", "cust2-password"}, {"role", "customer"}});
  auto d1 = create_account(
      {{"email", "drv1@example.test"}, {"password", "drv1-password"}, {"role", "driver"}});
  auto d2 = create_account(
      {{"email", "drv2@example.test"}, {"password", "drv2-password"}, {"role", "driver"}});
  const auto staff_a = ta::login_token(port(), "staff-a@example.test", "staff-a-password");
  const auto staff_b = ta::login_token(port(), "staff-b@example.test", "staff-b-password");
  const auto cust1 = ta::login_token(port(), "cust1@example.test", "cust1-password");
  const auto drv1 = ta::login_token(port(), "drv1@example.test", "drv1-password");
  const std::string c1_id = c1["customer_id"], c2_id = c2["customer_id"];
  const std::string d1_id = d1["driver_id"], d2_id = d2["driver_id"];

  // Menus: staff of A write A's menu; everybody else but the admin is refused.
  const json item{{"name", "Noodles"}, {"price_cents", 900}, {"kind", "made_to_order"}};
  const auto items_a = "/restaurants/" + rest_a + "/items";
  const auto items_b = "/restaurants/" + rest_b + "/items";
  auto made = call("POST", items_a, staff_a, item);
  ASSERT_EQ(made.status, 201) << made.body;
  const auto item_a = items_a + "/" + json::parse(made.body)["id"].get<std::string>();
  EXPECT_EQ(call("POST", items_b, staff_b, item).status, 201);
  expect_problem(call("POST", items_b, staff_a, item), 403, "forbidden");
  expect_problem(call("PATCH", item_a, staff_b, {{"name", "Stolen"}}), 403, "forbidden");
  expect_problem(call("DELETE", item_a, staff_b), 403, "forbidden");
  expect_problem(call("PUT", item_a + "/availability", staff_b, {{"available", false}}), 403,
                 "forbidden");
  expect_problem(
      call("PUT", "/restaurants/" + rest_a + "/hours", staff_b, {{"hours", kAlwaysOpen}}), 403,
      "forbidden");
  expect_problem(
      call("PUT", "/restaurants/" + rest_a + "/location", staff_b, {{"lat", 2.0}, {"lng", 2.0}}),
      403, "forbidden");
  expect_problem(call("POST", "/restaurants/" + rest_a + "/categories", cust1, {{"name", "Mine"}}),
                 403, "forbidden");
  expect_problem(call("POST", items_a, drv1, item), 403, "forbidden");
  expect_problem(call("POST", items_a, "", item), 401, "unauthenticated");
  EXPECT_EQ(call("PATCH", item_a, staff_a, {{"name", "Better noodles"}}).status, 200);
  EXPECT_EQ(call("PATCH", item_a, admin_, {{"name", "Admin noodles"}}).status, 200);
  // Creating restaurants is for admins only.
  const json rest{
      {"name", "Mine"}, {"cuisine", "thai"}, {"lat", 1.0}, {"lng", 1.0}, {"hours", kAlwaysOpen}};
  expect_problem(call("POST", "/restaurants", staff_a, rest), 403, "forbidden");
  expect_problem(call("POST", "/restaurants", cust1, rest), 403, "forbidden");

  // Profiles: customers and drivers read only their own.
  EXPECT_EQ(call("GET", "/customers/" + c1_id, cust1).status, 200);
  EXPECT_EQ(json::parse(call("GET", "/customers/me", cust1).body)["id"], c1_id);
  expect_problem(call("GET", "/customers/" + c2_id, cust1), 403, "forbidden");
  expect_problem(call("GET", "/customers/" + c1_id, drv1), 403, "forbidden");
  expect_problem(call("GET", "/customers/" + c1_id, staff_a), 403, "forbidden");
  expect_problem(call("GET", "/customers/me", drv1), 403, "forbidden");
  EXPECT_EQ(call("GET", "/drivers/" + d1_id, drv1).status, 200);
  expect_problem(call("GET", "/drivers/" + d2_id, drv1), 403, "forbidden");
  expect_problem(call("GET", "/drivers/" + d1_id, cust1), 403, "forbidden");
  EXPECT_EQ(call("GET", "/customers/" + c2_id, admin_).status, 200);
  EXPECT_EQ(call("GET", "/drivers/" + d2_id, admin_).status, 200);

  // Account administration is for admins only.
  const json acct{
      {"email", "sneaky@example.test"}, {"password", "sneaky-password"}, {"role", "admin"}};
  for (const auto& token : {staff_a, cust1, drv1})
    expect_problem(call("POST", "/admin/accounts", token, acct), 403, "forbidden");
  expect_problem(
      call("PUT",
           "/admin/accounts/" +
               json::parse(call("GET", "/auth/me", staff_a).body)["id"].get<std::string>() +
               "/restaurants",
           staff_a, {{"restaurant_ids", {rest_a, rest_b}}}),
      403, "forbidden");

  // Rebinding staff A to B takes effect with the next token (refresh re-reads the bindings).
  const auto staff_a_id =
      json::parse(call("GET", "/auth/me", staff_a).body)["id"].get<std::string>();
  ASSERT_EQ(call("PUT", "/admin/accounts/" + staff_a_id + "/restaurants", admin_,
                 {{"restaurant_ids", {rest_b}}})
                .status,
            200);
  const auto staff_a2 = ta::login_token(port(), "staff-a@example.test", "staff-a-password");
  EXPECT_EQ(call("POST", items_b, staff_a2, item).status, 201);
  expect_problem(call("POST", items_a, staff_a2, item), 403, "forbidden");
}

TEST_F(Auth, SecurityHeadersAndCorsOff) {
  auto r = http_request(port(), "GET", "/auth/me", {}, {{"Origin", "https://evil.test"}});
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_FALSE(r.header("content-security-policy").empty());
  EXPECT_TRUE(r.header("access-control-allow-origin").empty());
}

}  // namespace
