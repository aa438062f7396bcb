// Authorization rules as pure functions: every role against every rule.
#include <gtest/gtest.h>

#include "core/authz.hpp"
#include "core/problem.hpp"

using se::auth::Principal;
using se::auth::Role;
using se::authz::Decision;
namespace az = se::authz;

namespace {
Principal make(Role role, std::string id) {
  Principal p;
  p.account_id = std::move(id);
  p.role = role;
  if (role == Role::customer) p.customer_id = "cust-" + p.account_id;
  if (role == Role::driver) p.driver_id = "drv-" + p.account_id;
  if (role == Role::restaurant_staff) p.restaurants = {"rest-1"};
  return p;
}

Decision as(const std::optional<Principal>& who, const az::Rule& rule, std::string id = {}) {
  se::http::Request req;
  req.principal = who;
  if (!id.empty()) req.params["id"] = std::move(id);
  return az::evaluate(rule, req);
}
}  // namespace

TEST(Authz, AnonymousGetsUnauthenticatedOnProtectedRules) {
  EXPECT_EQ(as(std::nullopt, az::public_route()), Decision::allow);
  EXPECT_EQ(as(std::nullopt, az::authenticated()), Decision::unauthenticated);
  EXPECT_EQ(as(std::nullopt, az::admin_only()), Decision::unauthenticated);
  EXPECT_EQ(as(std::nullopt, az::staff_of("id"), "rest-1"), Decision::unauthenticated);
}

TEST(Authz, StaffOnlyForTheirOwnRestaurants) {
  EXPECT_EQ(as(make(Role::restaurant_staff, "s"), az::staff_of("id"), "rest-1"), Decision::allow);
  EXPECT_EQ(as(make(Role::restaurant_staff, "s"), az::staff_of("id"), "rest-2"),
            Decision::forbidden);
  EXPECT_EQ(as(make(Role::customer, "c"), az::staff_of("id"), "rest-1"), Decision::forbidden);
  EXPECT_EQ(as(make(Role::driver, "d"), az::staff_of("id"), "rest-1"), Decision::forbidden);
  EXPECT_EQ(as(make(Role::admin, "a"), az::staff_of("id"), "rest-2"), Decision::allow);
}

TEST(Authz, CustomersAndDriversOnlyThemselves) {
  EXPECT_EQ(as(make(Role::customer, "1"), az::customer_self("id"), "cust-1"), Decision::allow);
  EXPECT_EQ(as(make(Role::customer, "1"), az::customer_self("id"), "cust-2"), Decision::forbidden);
  EXPECT_EQ(as(make(Role::driver, "1"), az::customer_self("id"), "cust-1"), Decision::forbidden);
  EXPECT_EQ(as(make(Role::driver, "1"), az::driver_self("id"), "drv-1"), Decision::allow);
  EXPECT_EQ(as(make(Role::driver, "1"), az::driver_self("id"), "drv-2"), Decision::forbidden);
  EXPECT_EQ(as(make(Role::customer, "1"), az::driver_self("id"), "drv-1"), Decision::forbidden);
  EXPECT_EQ(as(make(Role::admin, "a"), az::driver_self("id"), "drv-9"), Decision::allow);
}

TEST(Authz, RolesAndAnyOf) {
  auto rule = az::roles({Role::customer, Role::driver});
  EXPECT_EQ(as(make(Role::customer, "1"), rule), Decision::allow);
  EXPECT_EQ(as(make(Role::restaurant_staff, "1"), rule), Decision::forbidden);
  EXPECT_EQ(as(make(Role::admin, "1"), rule), Decision::allow);
  auto either = az::any_of({az::customer_self("id"), az::staff_of("id")});
  EXPECT_EQ(as(make(Role::restaurant_staff, "s"), either, "rest-1"), Decision::allow);
  EXPECT_EQ(as(make(Role::customer, "1"), either, "rest-1"), Decision::forbidden);
  EXPECT_EQ(as(std::nullopt, either, "rest-1"), Decision::unauthenticated);
}

TEST(Authz, EnforceThrowsTheMatchingProblem) {
  se::http::Request req;
  try {
    az::enforce(az::authenticated(), req);
    FAIL();
  } catch (const se::Problem& p) {
    EXPECT_EQ(p.status, 401);
  }
  req.principal = make(Role::customer, "1");
  req.params["id"] = "rest-1";
  try {
    az::require_restaurant(req, "rest-1");
    FAIL();
  } catch (const se::Problem& p) {
    EXPECT_EQ(p.status, 403);
    EXPECT_EQ(p.code, "forbidden");
  }
}
