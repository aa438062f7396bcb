// What one more order costs in courier pay, judged against the pace that reaches a courier's
// guaranteed pay at the end of its shift. Pure: the slack policy's arc cost and its pay-aware
// candidates read it (docs/dispatch.md, step 4).
#pragma once
#include "services/dispatch/model.hpp"
#include "services/dispatch/spatial_index.hpp"

namespace se::dispatch {

// Orders the courier's guaranteed pay covers over its whole shift (fractional).
[[nodiscard]] double guaranteed_orders(const ServiceParams& sp, const CourierSpot& cs);

// Orders a courier would be ahead of the pace that reaches its guarantee exactly at the end of
// its shift, after taking k more (negative: behind, so the guarantee still pays for them).
// `grace`: orders it may run ahead for free (orders come whole, so a courier exactly on pace is
// up to one order ahead of the line).
[[nodiscard]] double pace_ahead(const ServiceParams& sp, const CourierSpot& cs, Minutes now, int k,
                                double grace);

// Pay is max(pay per order x orders, guaranteed pay), so an order costs nothing extra while the
// courier stays under its guarantee and full price above it. Judged against the pace that would
// reach the guarantee exactly at the end of the shift (`ahead`, from pace_ahead): orders beyond
// that pace will most likely be paid on top, orders within it only fill the guarantee. At the
// end of the shift this is exactly the marginal pay (up to the grace). Within `last_call`
// minutes of the shift's end, orders that fill a courier's remaining guarantee count as a saving
// (negative), since that pay is owed anyway.
[[nodiscard]] double paced_pay_delta(const ServiceParams& sp, const CourierSpot& cs, Minutes now,
                                     int k, double ahead, Minutes last_call);

// Guaranteed orders of the shift still ahead once the courier is free again at `free_after`
// after taking k more (the guarantee's linear pace over the minutes left), at most what is still
// short of its whole guarantee. A trip that leaves the courier where no orders come loses them:
// that pay is owed whether or not the courier gets them (the stranding term of the arc cost).
[[nodiscard]] double guarantee_left_after(const ServiceParams& sp, const CourierSpot& cs, int k,
                                          Minutes free_after);

}  // namespace se::dispatch
