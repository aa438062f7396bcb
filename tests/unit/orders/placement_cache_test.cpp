#include <gtest/gtest.h>

#include "services/orders/domain/placement_cache.hpp"

using namespace se::orders;

namespace {
CachedItem prepared(const std::string& id, std::int64_t qty, std::int64_t version) {
  return {{id, "r", "P " + id, "prepared", 250, true}, CachedStock{qty, version}};
}
CachedItem made(const std::string& id) {
  return {{id, "r", "M " + id, "made_to_order", 900, true}, std::nullopt};
}
PlacementCache filled() {
  PlacementCache c(100);
  c.remember_restaurant("r", {300, 0, "tdr1"});
  c.remember_item(prepared("a", 5, 7));
  c.remember_item(made("b"));
  return c;
}
}  // namespace

TEST(PlacementCache, HitNeedsTheRestaurantEveryItemAndEnoughStock) {
  auto c = filled();
  auto hit = c.lookup("r", {{"a", 2}, {"b", 1}});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->restaurant.delivery_fee_cents, 300);
  EXPECT_EQ(hit->restaurant.geo_key, "tdr1");
  ASSERT_EQ(hit->catalog.size(), 2u);
  EXPECT_EQ(hit->catalog[0].food_item_id, "a");
  EXPECT_EQ(hit->stock[0]->version, 7);
  EXPECT_FALSE(hit->stock[1]);
  EXPECT_FALSE(c.lookup("other", {{"a", 1}}));        // restaurant unknown
  EXPECT_FALSE(c.lookup("r", {{"a", 1}, {"z", 1}}));  // one item unknown
  EXPECT_FALSE(c.lookup("r", {{"a", 6}}));            // more than the stock held
  EXPECT_TRUE(c.lookup("r", {{"a", 5}}));
  c.remember_item({{"c", "r", "C", "prepared", 100, true}, std::nullopt});
  EXPECT_FALSE(c.lookup("r", {{"c", 1}}));  // prepared without a known stock row
}

TEST(PlacementCache, TookFollowsTheCompareAndSet) {
  auto c = filled();
  c.took("a", 2, 7);  // the write expected 7: the row is now 8 with 3 left
  auto hit = c.lookup("r", {{"a", 3}});
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->stock[0]->version, 8);
  EXPECT_EQ(hit->stock[0]->quantity, 3);
  EXPECT_FALSE(c.lookup("r", {{"a", 4}}));
  c.took("a", 1, 5);  // an older write completing late changes nothing
  EXPECT_EQ(c.lookup("r", {{"a", 1}})->stock[0]->version, 8);
  c.took("a", 1, 9);  // a newer one than we know of: the stock left is unknown
  EXPECT_FALSE(c.lookup("r", {{"a", 1}}));
}

TEST(PlacementCache, AnOlderReadNeverReplacesNewerStock) {
  auto c = filled();
  c.remember_item(prepared("a", 50, 6));
  EXPECT_EQ(c.lookup("r", {{"a", 1}})->stock[0]->quantity, 5);
  c.remember_item(prepared("a", 40, 9));
  EXPECT_EQ(c.lookup("r", {{"a", 1}})->stock[0]->quantity, 40);
}

TEST(PlacementCache, ForgettingSendsPlacementsBackToTheRead) {
  auto c = filled();
  c.forget_items({{"b", 1}});
  EXPECT_FALSE(c.lookup("r", {{"b", 1}}));
  EXPECT_TRUE(c.lookup("r", {{"a", 1}}));
  c.forget_restaurant("r");
  EXPECT_FALSE(c.lookup("r", {{"a", 1}}));
}

TEST(PlacementCache, StartsOverAtItsBoundAndZeroDisablesIt) {
  PlacementCache c(2);
  c.remember_restaurant("r", {0, 0, "g"});
  c.remember_item(made("a"));
  c.remember_item(made("b"));
  EXPECT_EQ(c.items(), 2u);
  c.remember_item(made("c"));  // past the bound: only the newest entry is left
  EXPECT_EQ(c.items(), 1u);
  EXPECT_FALSE(c.lookup("r", {{"c", 1}}));  // the restaurant went too
  PlacementCache off(0);
  off.remember_restaurant("r", {0, 0, "g"});
  off.remember_item(made("a"));
  EXPECT_EQ(off.items(), 0u);
  EXPECT_FALSE(off.lookup("r", {{"a", 1}}));
}
