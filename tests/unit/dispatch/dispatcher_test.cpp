// The live-world contract: declines, couriers going offline, and no double assignment whatever
// the policy proposes.
#include <gtest/gtest.h>

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
Dispatcher two_couriers(std::unique_ptr<Policy> policy) {
  Dispatcher d(params100(), {{0, 0}}, std::move(policy));
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

INSTANTIATE_TEST_SUITE_P(Dispatch, BothPolicies, ::testing::Values("greedy", "slack"));

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
