// Bundling rules: same restaurant, close ready times, bounded extra delay, sized by pressure.
#include <gtest/gtest.h>

#include "services/dispatch/bundling.hpp"

namespace se::dispatch {
namespace {

struct Fixture {
  World world;
  Fixture() : world(params(), {{0, 0}, {5000, 0}}) {}
  static ServiceParams params() {
    ServiceParams p;
    p.meters_per_minute = 100;
    return p;
  }
  void order(OrderId o, Point at, RestaurantId r, Minutes ready) {
    world.place_order(o, at, r, 0, ready);
  }
};

TEST(DispatchBundling, SameRestaurantCloseReadyTimesAndNearbyCustomersBundle) {
  Fixture f;
  f.order(0, {800, 0}, 0, 10);
  f.order(1, {900, 100}, 0, 12);
  const OrderId ids[] = {0, 1};
  const auto b = bundle_restaurant_orders(f.world, ids, BundlingRules{2, 10, 12}, 0);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].orders.size(), 2u);
  EXPECT_EQ(b[0].ready, 12);      // a bundle is ready when its latest order is
  EXPECT_EQ(b[0].orders[0], 0u);  // nearer customer first
}

TEST(DispatchBundling, SizeOneMeansNoBundling) {
  Fixture f;
  f.order(0, {800, 0}, 0, 10);
  f.order(1, {900, 100}, 0, 12);
  const OrderId ids[] = {0, 1};
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, BundlingRules{1, 10, 12}, 0).size(), 2u);
}

TEST(DispatchBundling, DistantReadyTimesStayApart) {
  Fixture f;
  f.order(0, {800, 0}, 0, 10);
  f.order(1, {900, 100}, 0, 40);
  const OrderId ids[] = {0, 1};
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, BundlingRules{2, 10, 12}, 0).size(), 2u);
}

TEST(DispatchBundling, FoodAlreadyWaitingBundlesRegardlessOfReadyGap) {
  Fixture f;
  f.order(0, {800, 0}, 0, 10);
  f.order(1, {900, 100}, 0, 40);
  const OrderId ids[] = {0, 1};
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, BundlingRules{2, 10, 12}, 45).size(), 1u);
}

TEST(DispatchBundling, OppositeDirectionsAreNotWorthBundling) {
  Fixture f;
  f.order(0, {2000, 0}, 0, 10);
  f.order(1, {-2000, 0}, 0, 10);
  const OrderId ids[] = {0, 1};
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, BundlingRules{2, 10, 30}, 0).size(), 2u);
}

// Alone each trip takes 24 minutes from the restaurant, together 68 (20 out, 40 across, 4 x 2
// service): not worth it against 24 + 24 + 4 (the second pickup), nor with a 10-minute ride of
// a second courier to the restaurant (62), but worth it when that ride is 20 minutes (72).
TEST(DispatchBundling, ApproachRideOfASecondCourierCountsAsSaving) {
  Fixture f;
  f.order(0, {2000, 0}, 0, 10);
  f.order(1, {-2000, 0}, 0, 10);
  const OrderId ids[] = {0, 1};
  BundlingRules rules{2, 10, 100};
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, rules, 0).size(), 2u);
  rules.approach = 10;
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, rules, 0).size(), 2u);
  rules.approach = 20;
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, rules, 0).size(), 1u);
}

TEST(DispatchBundling, ExtraDelayIsBounded) {
  Fixture f;
  f.order(0, {1500, 0}, 0, 10);
  f.order(1, {1500, 1500}, 0, 10);  // second drop-off 15+ minutes after the first
  const OrderId ids[] = {0, 1};
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, BundlingRules{2, 10, 5}, 0).size(), 2u);
  EXPECT_EQ(bundle_restaurant_orders(f.world, ids, BundlingRules{2, 10, 30}, 0).size(), 1u);
}

TEST(DispatchBundling, TargetSizeFollowsPressure) {
  EXPECT_EQ(target_bundle_size(5, 20, 3), 1);
  EXPECT_EQ(target_bundle_size(20, 20, 3), 1);
  EXPECT_EQ(target_bundle_size(21, 20, 3), 2);
  EXPECT_EQ(target_bundle_size(100, 10, 3), 3);
  EXPECT_EQ(target_bundle_size(10, 0, 3), 3);
  EXPECT_EQ(target_bundle_size(0, 0, 3), 1);
}

}  // namespace
}  // namespace se::dispatch
