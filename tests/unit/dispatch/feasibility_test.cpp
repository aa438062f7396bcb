// Every rule of the evaluator must accept a correct solution and reject a crafted bad one.
#include <gtest/gtest.h>

#include "services/dispatch/feasibility.hpp"

namespace se::dispatch {
namespace {

using K = Place::Kind;

// 100 m/min: c1 starts at r1 and carries o1 then o2; c2 starts at r2 and carries o3.
Instance tiny() {
  Instance in;
  in.params.meters_per_minute = 100;
  in.restaurants = {{"r1", {0, 0}}, {"r2", {1000, 0}}};
  in.orders = {{"o1", {500, 0}, 0, 0, 10}, {"o2", {0, 500}, 2, 0, 12}, {"o3", {1500, 0}, 5, 1, 20}};
  in.couriers = {{"c1", {0, 0}, 0, 100}, {"c2", {1000, 0}, 0, 30}};
  return in;
}

Solution valid() {
  Solution s;
  s.assignments = {{8, 12, 0, {0, 1}}, {5, 20, 1, {2}}};
  s.orders = {{0, 0, 10, 12, 21, 0}, {1, 2, 12, 12, 33, 0}, {2, 5, 20, 20, 29, 1}};
  s.moves = {{0, 8, {K::CourierStart, 0}, {K::Restaurant, 0}},
             {0, 14, {K::Restaurant, 0}, {K::Customer, 0}},
             {0, 23, {K::Customer, 0}, {K::Customer, 1}},
             {1, 5, {K::CourierStart, 1}, {K::Restaurant, 1}},
             {1, 22, {K::Restaurant, 1}, {K::Customer, 2}}};
  return s;
}

std::string describe(const FeasibilityReport& r) {
  std::string out;
  for (const auto& v : r.violations) out += std::string(rule_name(v.rule)) + ": " + v.detail + "\n";
  return out;
}

TEST(DispatchFeasibility, AcceptsValidSolution) {
  const auto r = check_feasibility(tiny(), valid());
  EXPECT_TRUE(r.feasible()) << describe(r);
}

void expect_fails(const Instance& in, const Solution& s, Rule rule) {
  const auto r = check_feasibility(in, s);
  EXPECT_GT(r.count(rule), 0u) << rule_name(rule) << " not detected; got:\n" << describe(r);
}

TEST(DispatchFeasibility, OrderInTwoAssignments) {
  auto s = valid();
  s.assignments.push_back({9, 20, 1, {0}});
  expect_fails(tiny(), s, Rule::OrderOnce);
}

TEST(DispatchFeasibility, AssignedBeforePlacement) {
  auto s = valid();
  s.assignments[1].assigned = 4;  // o3 is placed at 5
  expect_fails(tiny(), s, Rule::NoPeek);
}

TEST(DispatchFeasibility, PickupAfterOffTime) {
  auto in = tiny();
  in.couriers[1].off = 19;  // c2 picks up at 20
  expect_fails(in, valid(), Rule::PickupBeforeOffTime);
}

TEST(DispatchFeasibility, PickupBeforeReady) {
  auto s = valid();
  s.assignments[0].pickup = 11;  // o2 is ready at 12; presence at r1 still holds
  s.orders[0].pickup = s.orders[1].pickup = 11;
  expect_fails(tiny(), s, Rule::PickupAfterReady);
}

TEST(DispatchFeasibility, DropoffsTooClose) {
  auto s = valid();
  s.orders[1].dropoff = 24;  // o1 was dropped at 21, service is 4
  expect_fails(tiny(), s, Rule::DropoffSequence);
}

TEST(DispatchFeasibility, MoveStartsElsewhere) {
  auto s = valid();
  s.moves[2].from = {K::Restaurant, 0};  // c1 is at o1, not r1
  expect_fails(tiny(), s, Rule::MovesContinuous);
}

TEST(DispatchFeasibility, MovesOfACourierSplit) {
  auto s = valid();
  std::swap(s.moves[2], s.moves[3]);  // c1, c1, c2, c1, c2
  expect_fails(tiny(), s, Rule::MovesContinuous);
}

TEST(DispatchFeasibility, DepartsBeforeArriving) {
  auto s = valid();
  s.moves[4].depart = 4;  // c2 only reaches r2 at 5
  expect_fails(tiny(), s, Rule::TimeMonotone);
}

TEST(DispatchFeasibility, LeavesRestaurantWithinServiceTime) {
  auto s = valid();
  s.moves[1].depart = 13;  // pickup at 12 needs 2 minutes after it
  expect_fails(tiny(), s, Rule::AtRestaurant);
}

TEST(DispatchFeasibility, ArrivesTooLateForPickup) {
  auto s = valid();
  s.moves[3].depart = 19;  // c2 reaches r2 at 19 but picks up at 20: needs 2 minutes before
  expect_fails(tiny(), s, Rule::AtRestaurant);
}

TEST(DispatchFeasibility, DropoffBeforeServiceHalf) {
  auto s = valid();
  s.orders[0].dropoff = 20;  // c1 reaches o1 at 19: the first half of service ends at 21
  expect_fails(tiny(), s, Rule::AtCustomer);
}

TEST(DispatchFeasibility, DropoffWhereCourierIsNot) {
  auto s = valid();
  s.orders[2].dropoff = 24;  // c2 is on the road (left r2 at 22, arrives 27)
  expect_fails(tiny(), s, Rule::AtCustomer);
}

TEST(DispatchFeasibility, BundleMixesRestaurants) {
  auto in = tiny();
  in.orders[1].restaurant = 1;
  expect_fails(in, valid(), Rule::SingleRestaurant);
}

TEST(DispatchFeasibility, PrepositioningMoveIsADiversion) {
  auto s = valid();
  s.moves.push_back({1, 31, {K::Customer, 2}, {K::Restaurant, 0}});
  expect_fails(tiny(), s, Rule::NoDiversion);
}

TEST(DispatchFeasibility, SetsOffBeforeAssignment) {
  auto s = valid();
  s.assignments[1].assigned = 6;  // c2 already left at 5
  expect_fails(tiny(), s, Rule::NoDiversion);
}

TEST(DispatchFeasibility, OrderLineDisagrees) {
  auto s = valid();
  s.orders[0].courier = 1;
  expect_fails(tiny(), s, Rule::RecordsConsistent);
}

TEST(DispatchFeasibility, AssignedOrderWithoutDropoff) {
  auto s = valid();
  s.orders.erase(s.orders.begin() + 1);
  expect_fails(tiny(), s, Rule::RecordsConsistent);
}

TEST(DispatchFeasibility, EveryRuleHasAFailingTest) {
  // Guard: a new rule must come with a crafted failure above.
  EXPECT_EQ(std::size(kAllRules), 12u);
}

}  // namespace
}  // namespace se::dispatch

namespace se::dispatch {
namespace {

TEST(FeasibilityReport, OnlyTravelRulesBrokenTellsOrderRulesApart) {
  FeasibilityReport fr;
  EXPECT_TRUE(fr.only_travel_rules_broken());
  fr.violations.push_back(Violation{Rule::MovesContinuous, "stopped half-way"});
  fr.violations.push_back(Violation{Rule::AtRestaurant, "no move to the restaurant"});
  fr.violations.push_back(Violation{Rule::NoDiversion, "route differs"});
  fr.violations.push_back(Violation{Rule::AtCustomer, "arrived before the model allows"});
  fr.violations.push_back(Violation{Rule::TimeMonotone, "left before the model arrives"});
  EXPECT_TRUE(fr.only_travel_rules_broken());
  fr.violations.push_back(Violation{Rule::PickupBeforeOffTime, "picked up after the shift"});
  EXPECT_FALSE(fr.only_travel_rules_broken());
}

}  // namespace
}  // namespace se::dispatch
