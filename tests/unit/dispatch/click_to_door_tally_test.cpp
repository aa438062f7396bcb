#include "services/dispatch/click_to_door_tally.hpp"

#include <gtest/gtest.h>

namespace se::dispatch {
namespace {

TEST(ClickToDoorTally, QuantileIsTheSmallestMinuteCoveringTheShare) {
  ClickToDoorTally t;
  EXPECT_EQ(t.quantile(0.9), -1);
  for (Minutes m = 1; m <= 10; ++m) t.record(0, m * 10);  // 10, 20, ..., 100
  EXPECT_EQ(t.count(), 10u);
  EXPECT_EQ(t.quantile(0.9), 90);  // 9 of 10 are <= 90
  EXPECT_EQ(t.quantile(0.91), 100);
  EXPECT_EQ(t.quantile(0.1), 10);
  EXPECT_EQ(t.quantile(0.0), 10);  // at least one value
  EXPECT_EQ(t.quantile(1.0), 100);
}

TEST(ClickToDoorTally, ValuesBeyondTheHistogramCountInItsEnds) {
  ClickToDoorTally t;
  for (int i = 0; i < 9; ++i) t.record(0, 30);
  t.record(0, 5000);
  t.record(0, -3);
  EXPECT_EQ(t.count(), 11u);
  EXPECT_EQ(t.quantile(0.05), 0);
  EXPECT_EQ(t.quantile(0.9), 30);
  EXPECT_EQ(t.quantile(1.0), ClickToDoorTally::kBins - 1);
  t.clear();
  EXPECT_EQ(t.count(), 0u);
  EXPECT_EQ(t.quantile(0.5), -1);
  t.record(0, 12);
  EXPECT_EQ(t.quantile(0.5), 12);
}

TEST(ClickToDoorTally, OnlyTheLastWindowCounts) {
  ClickToDoorTally t(60);
  t.record(0, 90);
  t.record(10, 90);
  t.record(30, 20);
  t.record(59, 20);
  EXPECT_EQ(t.quantile(0.5), 20);
  EXPECT_EQ(t.quantile(1.0), 90);
  t.expire(60);  // the value recorded at 0 is 60 minutes old: gone
  EXPECT_EQ(t.count(), 3u);
  EXPECT_EQ(t.quantile(1.0), 90);
  t.expire(70);
  EXPECT_EQ(t.count(), 2u);
  EXPECT_EQ(t.quantile(1.0), 20);
  t.expire(200);
  EXPECT_EQ(t.count(), 0u);
  EXPECT_EQ(t.quantile(0.9), -1);
}

}  // namespace
}  // namespace se::dispatch
