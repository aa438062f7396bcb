// The pay model of the slack policy's arc cost: what one more order costs a courier's pay.
#include <gtest/gtest.h>

#include "services/dispatch/guarantee_pace.hpp"

namespace se::dispatch {
namespace {

// A two-hour shift at $15/h guaranteed and $10 an order: the guarantee covers 3 orders.
CourierSpot two_hour_shift(int committed) {
  CourierSpot cs;
  cs.shift_start = 100;
  cs.shift_end = 220;
  cs.orders_committed = committed;
  return cs;
}

TEST(GuaranteePace, GuaranteedOrdersFollowShiftLengthAndRates) {
  const ServiceParams sp;
  EXPECT_DOUBLE_EQ(guaranteed_orders(sp, two_hour_shift(0)), 3.0);
  CourierSpot ninety = two_hour_shift(0);
  ninety.shift_end = 190;
  EXPECT_DOUBLE_EQ(guaranteed_orders(sp, ninety), 2.25);
  ServiceParams dearer;
  dearer.pay_per_order = 5;
  EXPECT_DOUBLE_EQ(guaranteed_orders(dearer, two_hour_shift(0)), 6.0);
}

TEST(GuaranteePace, AheadIsMeasuredAgainstTheLinearPace) {
  const ServiceParams sp;
  // Halfway through the shift the pace line is at 1.5 orders.
  EXPECT_DOUBLE_EQ(pace_ahead(sp, two_hour_shift(1), 160, 1, 0.0), 0.5);
  EXPECT_DOUBLE_EQ(pace_ahead(sp, two_hour_shift(1), 160, 1, 1.0), -0.5);
  EXPECT_DOUBLE_EQ(pace_ahead(sp, two_hour_shift(1), 160, 2, 1.0), 0.5);
  // Before the shift the line is at 0, after it at the whole guarantee.
  EXPECT_DOUBLE_EQ(pace_ahead(sp, two_hour_shift(0), 50, 1, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(pace_ahead(sp, two_hour_shift(3), 300, 1, 0.0), 1.0);
}

TEST(GuaranteePace, AnOrderBehindThePaceCostsNothingAndAheadOfItFullPrice) {
  const ServiceParams sp;
  const CourierSpot cs = two_hour_shift(0);
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, cs, 160, 1, -0.5, 0), 0.0);
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, cs, 160, 1, 0.25, 0), 2.5);
  // Never more than the orders taken: a courier far ahead pays $10 an order, not more.
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, cs, 160, 1, 4.0, 0), 10.0);
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, cs, 160, 2, 4.0, 0), 20.0);
}

TEST(GuaranteePace, NearTheEndFillingTheGuaranteeIsASaving) {
  const ServiceParams sp;
  // 1 of 3 guaranteed orders, 10 minutes before the end: two more orders are paid anyway.
  const CourierSpot cs = two_hour_shift(1);
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, cs, 210, 1, 0.0, 30), -10.0);
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, cs, 210, 3, 0.0, 30), -20.0);
  // Outside the last call the same courier is only priced by its pace.
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, cs, 180, 1, 0.0, 30), 0.0);
  // A courier already at its guarantee saves nothing.
  EXPECT_DOUBLE_EQ(paced_pay_delta(sp, two_hour_shift(3), 210, 1, 1.0, 30), 10.0);
}

TEST(GuaranteePace, GuaranteeLeftAfterATripFollowsTheMinutesLeftAndWhatIsShort) {
  const ServiceParams sp;
  // Free again at 160, halfway: the rest of the shift holds 1.5 of the 3 guaranteed orders.
  EXPECT_DOUBLE_EQ(guarantee_left_after(sp, two_hour_shift(0), 1, 160), 1.5);
  // With 2 orders and this one the guarantee is met: nothing is left to lose.
  EXPECT_DOUBLE_EQ(guarantee_left_after(sp, two_hour_shift(2), 1, 160), 0.0);
  // One order committed, this one: 1 short, although the half shift would hold 1.5.
  EXPECT_DOUBLE_EQ(guarantee_left_after(sp, two_hour_shift(1), 1, 160), 1.0);
  // Free only after the off-time: no shift is left.
  EXPECT_DOUBLE_EQ(guarantee_left_after(sp, two_hour_shift(0), 1, 230), 0.0);
}

}  // namespace
}  // namespace se::dispatch
