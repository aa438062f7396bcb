// Recent placements per cell, for the slack policy's stranding term.
#include <gtest/gtest.h>

#include "services/dispatch/recent_placements.hpp"

namespace se::dispatch {
namespace {

TEST(RecentPlacements, CountsTheThreeByThreeCellsAround) {
  RecentPlacements r;
  r.configure(1000, 90);
  r.record({500, 500}, 0);    // cell (0, 0)
  r.record({1500, 500}, 0);   // (1, 0): a neighbour of (0, 0)
  r.record({2500, 500}, 0);   // (2, 0): two cells away
  r.record({-500, -500}, 0);  // (-1, -1): a neighbour, negative coordinates
  EXPECT_EQ(r.near({100, 900}), 3);
  EXPECT_EQ(r.near({2100, 100}), 2);  // (2, 0) and (1, 0)
  EXPECT_EQ(r.near({9000, 9000}), 0);
}

TEST(RecentPlacements, ForgetsWhatLeftTheWindow) {
  RecentPlacements r;
  r.configure(1000, 90);
  r.record({0, 0}, 10);
  r.record({0, 0}, 50);
  r.expire(99);
  EXPECT_EQ(r.near({0, 0}), 2);
  r.expire(100);  // the first is 90 minutes old
  EXPECT_EQ(r.near({0, 0}), 1);
  EXPECT_EQ(r.size(), 1u);
  r.expire(140);
  EXPECT_EQ(r.near({0, 0}), 0);
}

TEST(RecentPlacements, FullOnlyAfterAWholeWindowWatched) {
  RecentPlacements r;
  r.configure(1000, 90);
  EXPECT_FALSE(r.full(0));
  r.expire(20);  // the watch starts
  EXPECT_FALSE(r.full(109));
  EXPECT_TRUE(r.full(110));
  r.clear();
  EXPECT_FALSE(r.full(200));
}

TEST(RecentPlacements, ANewCellSizeOrWindowStartsAfresh) {
  RecentPlacements r;
  r.configure(1000, 90);
  r.record({0, 0}, 0);
  r.configure(1000, 90);
  EXPECT_EQ(r.near({0, 0}), 1);
  r.configure(2000, 90);
  EXPECT_EQ(r.near({0, 0}), 0);
}

}  // namespace
}  // namespace se::dispatch
