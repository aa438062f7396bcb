// The slack policy's --param overrides: names map to fields, values are checked.
#include <gtest/gtest.h>

#include <stdexcept>

#include "services/dispatch/slack_policy.hpp"

namespace se::dispatch {
namespace {

TEST(SlackParams, OverridesSetTheNamedField) {
  SlackPolicyParams p;
  apply_override(p, "strand_reach=25");
  apply_override(p, "strand_orders=5");
  apply_override(p, "strand_weight=1.5");
  apply_override(p, "hold_slack=7");
  apply_override(p, "tail_weight=4");
  apply_override(p, "tail_quantile=0.8");
  apply_override(p, "tail_floor_margin=-1");
  apply_override(p, "tail_min_orders=20");
  apply_override(p, "tail_window=600");
  EXPECT_DOUBLE_EQ(p.tail_weight, 4);
  EXPECT_DOUBLE_EQ(p.tail_quantile, 0.8);
  EXPECT_EQ(p.tail_floor_margin, -1);
  EXPECT_EQ(p.tail_min_orders, 20u);
  EXPECT_EQ(p.tail_window, 600);
  EXPECT_EQ(p.strand_reach, 25);
  EXPECT_EQ(p.strand_orders, 5u);
  EXPECT_DOUBLE_EQ(p.strand_weight, 1.5);
  EXPECT_EQ(p.hold_slack, 7);
}

TEST(SlackParams, OutOfRangeValuesAreClamped) {
  SlackPolicyParams p;
  apply_override(p, "strand_reach=-3");
  apply_override(p, "strand_orders=-1");
  apply_override(p, "epoch=0");
  apply_override(p, "tail_quantile=1.5");
  apply_override(p, "tail_window=0");
  EXPECT_DOUBLE_EQ(p.tail_quantile, 1.0);
  EXPECT_EQ(p.tail_window, 1);
  EXPECT_EQ(p.strand_reach, 0);
  EXPECT_EQ(p.strand_orders, 0u);
  EXPECT_EQ(p.epoch, 1);
}

TEST(SlackParams, MalformedOrUnknownOverridesAreRejected) {
  SlackPolicyParams p;
  EXPECT_THROW(apply_override(p, "strand_reach"), std::invalid_argument);
  EXPECT_THROW(apply_override(p, "strand_reach=20min"), std::invalid_argument);
  EXPECT_THROW(apply_override(p, "strand_radius=20"), std::invalid_argument);
  EXPECT_EQ(p.strand_reach, SlackPolicyParams{}.strand_reach);
}

}  // namespace
}  // namespace se::dispatch
