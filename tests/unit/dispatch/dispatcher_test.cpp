// The live-world contract: declines, couriers going offline, and no double assignment whatever
// the policy proposes.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "services/dispatch/dispatcher.hpp"
#include "services/dispatch/greedy_policy.hpp"
#include "services/dispatch/slack_policy.hpp"

namespace se::dispatch {
namespace {

ServiceParams params100() {
  ServiceParams p;
  p.meters_per_minute = 100;
  return p;
}

// Two couriers, c0 nearer the restaurant than c1; one order with food already late.
// At 100 m/min with 4-minute services, c0 reaches the restaurant at 3, picks up at 5, drops off at
// 5 + 2 + 5 + 2 = 14 and is free at 16.
Dispatcher two_couriers(std::unique_ptr<Policy> policy, DispatcherOptions options = {}) {
  Dispatcher d(params100(), {{0, 0}}, std::move(policy), options);
  d.courier_online(0, {300, 0}, 0, 300);
  d.courier_online(1, {900, 0}, 0, 300);
  d.order_placed(0, {0, 500}, 0, 0, 0);
  return d;
}

class BothPolicies : public ::testing::TestWithParam<const char*> {};

TEST_P(BothPolicies, DeclinedOrderGoesToAnotherCourier) {
  Dispatcher d = two_couriers(make_policy(GetParam()));
  auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].courier, 0u);
  EXPECT_TRUE(d.decide(0).empty());  // held while the offer is outstanding
  d.decline(offers[0].id, 0);
  offers = d.decide(1);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].courier, 1u);
  ASSERT_TRUE(d.accept(offers[0].id, 1).has_value());
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Assigned);
  EXPECT_EQ(d.world().order(0).courier, 1u);
}

// A location no city holds (a GPS glitch: not finite, or thousands of kilometres off the map)
// is refused before it reaches the index, and so are rules no day can have; the day goes on as
// if they had never been sent.
TEST_P(BothPolicies, ImpossibleLocationsAreRefusedAndChangeNothing) {
  Dispatcher d = two_couriers(make_policy(GetParam()));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const Point bad : {Point{nan, 0}, Point{0, inf}, Point{1e12, 0}, Point{0, -2e8}}) {
    EXPECT_THROW(d.courier_location(0, bad, 0), std::invalid_argument);
    EXPECT_THROW(d.courier_online(2, bad, 0, 300), std::invalid_argument);
    EXPECT_THROW(d.order_placed(1, bad, 0, 0, 0), std::invalid_argument);
    EXPECT_THROW(Dispatcher(params100(), {{0, 0}, bad}, make_policy(GetParam())),
                 std::invalid_argument);
  }
  ServiceParams no_pay = params100();
  no_pay.pay_per_order = 0;  // the guarantee, counted in orders, would be infinite
  EXPECT_THROW(Dispatcher(no_pay, {{0, 0}}, make_policy(GetParam())), std::invalid_argument);
  const auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);  // only order 0, to the nearest courier as without the glitches
  EXPECT_EQ(offers[0].courier, 0u);
  EXPECT_EQ(offers[0].orders, std::vector<OrderId>{0});
}

TEST_P(BothPolicies, CourierGoingOfflineReleasesItsOffer) {
  Dispatcher d = two_couriers(make_policy(GetParam()));
  auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  d.courier_offline(offers[0].courier, 0);
  EXPECT_FALSE(d.accept(offers[0].id, 0).has_value());
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Pending);
  offers = d.decide(1);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].courier, 1u);
}

TEST_P(BothPolicies, CourierGoingOfflineBeforePickupReleasesAcceptedOrders) {
  Dispatcher d = two_couriers(make_policy(GetParam()));
  auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  const auto accepted = d.accept(offers[0].id, 0);
  ASSERT_TRUE(accepted.has_value());
  ASSERT_GT(accepted->plan.pickup, 1);
  d.courier_offline(0, 1);  // before its pickup at minute 5
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Pending);
  offers = d.decide(1);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].courier, 1u);
}

TEST_P(BothPolicies, OfflineAfterPickupKeepsTheDelivery) {
  Dispatcher d = two_couriers(make_policy(GetParam()));
  auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  const auto accepted = d.accept(offers[0].id, 0);
  ASSERT_TRUE(accepted.has_value());
  d.courier_offline(0, accepted->plan.pickup + 1);
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Assigned);
}

TEST_P(BothPolicies, UnansweredOfferTimesOutAndGoesToAnotherCourier) {
  DispatcherOptions options;
  options.offer_timeout = 2;
  Dispatcher d = two_couriers(make_policy(GetParam()), options);
  const auto first = d.decide(0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].courier, 0u);
  EXPECT_TRUE(d.decide(1).empty());
  EXPECT_TRUE(d.take_withdrawals().empty());
  const auto second = d.decide(2);
  const auto withdrawn = d.take_withdrawals();
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_EQ(withdrawn[0].offer, first[0].id);
  EXPECT_EQ(withdrawn[0].courier, 0u);
  EXPECT_EQ(withdrawn[0].orders, std::vector<OrderId>{0});
  EXPECT_EQ(withdrawn[0].reason, Withdrawal::Reason::OfferTimedOut);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].courier, 1u);  // silence counts as a decline
  EXPECT_FALSE(d.accept(first[0].id, 2).has_value());
  EXPECT_EQ(d.stats().expired, 1u);
}

TEST_P(BothPolicies, WithoutTimeOutAnOfferWaitsForItsAnswer) {
  Dispatcher d = two_couriers(make_policy(GetParam()));
  const auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_TRUE(d.decide(30).empty());
  EXPECT_TRUE(d.take_withdrawals().empty());
  EXPECT_TRUE(d.accept(offers[0].id, 30).has_value());
}

DispatcherOptions with_reports(Minutes reassign_when_late = 0) {
  DispatcherOptions options;
  options.progress_reports = true;
  options.reassign_when_late = reassign_when_late;
  return options;
}

// c0 accepts the order at minute 0: pickup planned at 5.
Offer accepted_by_c0(Dispatcher& d) {
  auto offers = d.decide(0);
  EXPECT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers.at(0).courier, 0u);
  auto accepted = d.accept(offers.at(0).id, 0);
  EXPECT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->plan.pickup, 5);
  return *accepted;
}

TEST_P(BothPolicies, WithReportsOnlyAReportedPickupKeepsTheOrderWithAnOfflineCourier) {
  Dispatcher d = two_couriers(make_policy(GetParam()), with_reports());
  accepted_by_c0(d);
  EXPECT_TRUE(d.decide(10).empty());  // planned pickup passed, nothing reported
  d.courier_offline(0, 10);
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Pending);
  const auto offers = d.decide(11);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].courier, 1u);

  Dispatcher reported = two_couriers(make_policy(GetParam()), with_reports());
  const Offer a = accepted_by_c0(reported);
  EXPECT_TRUE(reported.picked_up(a.id, 6));
  reported.courier_offline(0, 10);
  EXPECT_EQ(reported.world().order(0).status, OrderStatus::Assigned);
}

TEST_P(BothPolicies, PickupAndDeliveryReportsRetimeTheCourier) {
  Dispatcher d = two_couriers(make_policy(GetParam()), with_reports());
  const Offer a = accepted_by_c0(d);
  EXPECT_EQ(d.world().courier(0).free_time, 16);
  ASSERT_TRUE(d.picked_up(a.id, 12));  // seven minutes late
  EXPECT_EQ(d.world().order(0).pickup, 12);
  EXPECT_EQ(d.world().courier(0).free_time, 12 + 2 + 5 + 4);
  EXPECT_FALSE(d.picked_up(a.id, 13));
  ASSERT_TRUE(d.delivered(a.id, 25));
  EXPECT_EQ(d.world().courier(0).free_time, 25);
  EXPECT_EQ(d.world().courier(0).free_point.y, 500);
  EXPECT_FALSE(d.delivered(a.id, 26));
}

TEST_P(BothPolicies, LiveLocationRetimesTheWayToThePickup) {
  Dispatcher d = two_couriers(make_policy(GetParam()), with_reports());
  accepted_by_c0(d);
  d.courier_location(0, {1500, 0}, 2);  // went the wrong way: 15 minutes out at minute 2
  EXPECT_EQ(d.world().order(0).pickup, 2 + 15 + 2);
  EXPECT_EQ(d.world().courier(0).free_time, 19 + 2 + 5 + 4);
  EXPECT_TRUE(d.take_withdrawals().empty());
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Assigned);
}

TEST_P(BothPolicies, ACourierRunningLateLosesTheAssignmentToABetterOne) {
  Dispatcher d = two_couriers(make_policy(GetParam()), with_reports(/*reassign_when_late=*/5));
  const Offer a = accepted_by_c0(d);
  d.courier_location(0, {1000, 0}, 1);  // pickup now 1 + 10 + 2 = 13: 8 behind the promised 5
  const auto withdrawn = d.take_withdrawals();
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_EQ(withdrawn[0].offer, a.id);
  EXPECT_EQ(withdrawn[0].reason, Withdrawal::Reason::RunningLate);
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Pending);
  EXPECT_EQ(d.world().courier(0).free_point.x, 1000);
  EXPECT_EQ(d.world().courier(0).free_time, 1);
  EXPECT_EQ(d.stats().reassigned_late, 1u);
  const auto offers = d.decide(1);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].courier, 1u);  // 9 minutes away against c0's 10
}

TEST_P(BothPolicies, ASmallDelayKeepsTheAssignment) {
  Dispatcher d = two_couriers(make_policy(GetParam()), with_reports(/*reassign_when_late=*/5));
  accepted_by_c0(d);
  d.courier_location(0, {600, 0}, 2);  // pickup 2 + 6 + 2 = 10: exactly 5 late
  EXPECT_TRUE(d.take_withdrawals().empty());
  EXPECT_EQ(d.world().order(0).pickup, 10);
}

INSTANTIATE_TEST_SUITE_P(Dispatch, BothPolicies, ::testing::Values("greedy", "slack"));

// Proposes exactly what it is given for each minute.
class Scripted final : public Policy {
 public:
  explicit Scripted(std::map<Minutes, std::vector<Proposal>> script) : script_(std::move(script)) {}
  std::string_view name() const override { return "scripted"; }
  std::vector<Proposal> decide(const World&, Minutes now) override {
    auto it = script_.find(now);
    return it == script_.end() ? std::vector<Proposal>{} : it->second;
  }

 private:
  std::map<Minutes, std::vector<Proposal>> script_;
};

TEST(DispatchDispatcher, PastItsShiftACourierLosesTheAssignment) {
  Dispatcher d(
      params100(), {{0, 0}},
      std::make_unique<Scripted>(std::map<Minutes, std::vector<Proposal>>{{0, {{0, {0}}}}}),
      with_reports());
  d.courier_online(0, {300, 0}, 0, 10);  // last pickup at 10
  d.order_placed(0, {0, 500}, 0, 0, 0);
  const auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  ASSERT_TRUE(d.accept(offers[0].id, 0).has_value());
  d.courier_location(0, {1500, 0}, 3);  // pickup 3 + 15 + 2 = 20 > 10
  const auto withdrawn = d.take_withdrawals();
  ASSERT_EQ(withdrawn.size(), 1u);
  EXPECT_EQ(withdrawn[0].reason, Withdrawal::Reason::PastShiftEnd);
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Pending);
}

// The round's only offer, accepted at once; nullopt (and a failure) if the round made another
// number of offers.
std::optional<Offer> accept_the_offer(Dispatcher& d, Minutes now) {
  const auto offers = d.decide(now);
  EXPECT_EQ(offers.size(), 1u);
  if (offers.size() != 1) return std::nullopt;
  return d.accept(offers[0].id, now);
}

TEST(DispatchDispatcher, ALatePickupRetimesTheCouriersNextAssignment) {
  // c0 takes order 0 at minute 0 and, still busy, order 1 (same restaurant, drop 300 m away) at 1.
  Dispatcher d(params100(), {{0, 0}},
               std::make_unique<Scripted>(
                   std::map<Minutes, std::vector<Proposal>>{{0, {{0, {0}}}}, {1, {{0, {1}}}}}),
               with_reports());
  d.courier_online(0, {300, 0}, 0, 300);
  d.order_placed(0, {0, 500}, 0, 0, 0);
  d.order_placed(1, {300, 0}, 0, 1, 0);
  const auto first = accept_the_offer(d, 0);
  ASSERT_TRUE(first.has_value());
  const auto second = accept_the_offer(d, 1);
  ASSERT_TRUE(second.has_value());
  // Free at 16 at order 0's door, 5 minutes back to the restaurant: pickup 23, free 23 + 2 + 3 + 4.
  EXPECT_EQ(second->plan.pickup, 23);
  EXPECT_EQ(d.world().courier(0).free_time, 32);
  ASSERT_TRUE(d.picked_up(first->id, 12));  // free at 23 instead of 16
  EXPECT_EQ(d.world().order(1).pickup, 30);
  EXPECT_EQ(d.world().courier(0).free_time, 39);
  ASSERT_TRUE(d.delivered(first->id, 20));  // then faster than planned
  EXPECT_EQ(d.world().order(1).pickup, 27);
  EXPECT_EQ(d.world().courier(0).free_time, 36);
  // Going offline before the second pickup releases only the second.
  d.courier_offline(0, 21);
  EXPECT_EQ(d.world().order(1).status, OrderStatus::Pending);
  EXPECT_EQ(d.world().order(0).status, OrderStatus::Assigned);
}

TEST(DispatchDispatcher, EachDropOffReportRetimesTheRestOfTheBundle) {
  // c0 carries orders 0 and 1 of one restaurant: 500 m north, then 300 m east of it.
  Dispatcher d(
      params100(), {{0, 0}},
      std::make_unique<Scripted>(std::map<Minutes, std::vector<Proposal>>{{0, {{0, {0, 1}}}}}),
      with_reports());
  d.courier_online(0, {300, 0}, 0, 300);
  d.order_placed(0, {0, 500}, 0, 0, 0);
  d.order_placed(1, {300, 0}, 0, 0, 0);
  const auto a = accept_the_offer(d, 0);
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(a->orders, (std::vector<OrderId>{0, 1}));
  // Pickup 5, order 0 at 5 + 2 + 5 + 2 = 14, order 1 at 14 + 2 + 6 + 2 = 24, free at 26.
  EXPECT_EQ(d.world().courier(0).free_time, 26);
  ASSERT_TRUE(d.picked_up(a->id, 5));
  ASSERT_TRUE(d.dropped_off(a->id, 0, 20));  // six minutes late at the first door
  EXPECT_EQ(d.world().courier(0).free_time, 20 + 2 + 6 + 2 + 2);
  ASSERT_TRUE(d.dropped_off(a->id, 1, 27));  // and then quick
  EXPECT_EQ(d.world().courier(0).free_time, 29);
  EXPECT_FALSE(d.dropped_off(a->id, 7, 28));  // not an order of this assignment
  EXPECT_FALSE(d.dropped_off(a->id + 1, 0, 28));
  ASSERT_TRUE(d.delivered(a->id, 29));
  EXPECT_FALSE(d.dropped_off(a->id, 1, 30));  // delivered: nothing left to re-time
}

// A policy that proposes the same order to two couriers, and an order to a busy courier.
class GreedyTwice final : public Policy {
 public:
  std::string_view name() const override { return "twice"; }
  std::vector<Proposal> decide(const World&, Minutes) override {
    return {{0, {0}}, {1, {0}}, {0, {1}}, {1, {0, 0}}};
  }
};

TEST(DispatchDispatcher, RejectsDoubleAssignmentFromAnyPolicy) {
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<GreedyTwice>());
  d.courier_online(0, {300, 0}, 0, 300);
  d.courier_online(1, {900, 0}, 0, 300);
  d.order_placed(0, {0, 500}, 0, 0, 0);
  d.order_placed(1, {0, 600}, 0, 0, 0);
  const auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].courier, 0u);
  EXPECT_EQ(d.stats().rejected_proposals, 3u);
}

TEST(DispatchDispatcher, UnknownOrderIsNeverAssigned) {
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<GreedyTwice>());
  d.courier_online(0, {300, 0}, 0, 300);
  EXPECT_TRUE(d.decide(0).empty());  // order 0 is not placed yet: no peeking
}

TEST(DispatchDispatcher, ParameterOverrides) {
  EXPECT_NO_THROW((void)make_policy("slack", {"commit_slack=3", "max_bundle=2"}));
  EXPECT_THROW((void)make_policy("slack", {"nonsense=1"}), std::invalid_argument);
  EXPECT_THROW((void)make_policy("slack", {"commit_slack"}), std::invalid_argument);
  EXPECT_THROW((void)make_policy("nearest"), std::invalid_argument);
}

}  // namespace
}  // namespace se::dispatch
