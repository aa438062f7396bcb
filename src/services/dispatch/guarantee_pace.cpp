#include "services/dispatch/guarantee_pace.hpp"

#include <algorithm>

namespace se::dispatch {

namespace {
// Shift length in minutes, at least one (a zero-length shift must not divide by zero).
double shift_minutes(const CourierSpot& cs) {
  return static_cast<double>(std::max<Minutes>(1, cs.shift_end - cs.shift_start));
}
}  // namespace

double guaranteed_orders(const ServiceParams& sp, const CourierSpot& cs) {
  return shift_minutes(cs) * sp.guaranteed_pay_per_hour / 60.0 / sp.pay_per_order;
}

double pace_ahead(const ServiceParams& sp, const CourierSpot& cs, Minutes now, int k,
                  double grace) {
  const double shift = shift_minutes(cs);
  const double elapsed = std::clamp(static_cast<double>(now - cs.shift_start) / shift, 0.0, 1.0);
  return cs.orders_committed + k - grace - guaranteed_orders(sp, cs) * elapsed;
}

double paced_pay_delta(const ServiceParams& sp, const CourierSpot& cs, Minutes now, int k,
                       double ahead, Minutes last_call) {
  double delta = sp.pay_per_order * std::clamp(ahead, 0.0, static_cast<double>(k));
  if (cs.shift_end - now <= last_call) {
    const double short_of = guaranteed_orders(sp, cs) - cs.orders_committed;
    delta -= sp.pay_per_order * std::clamp(short_of, 0.0, static_cast<double>(k));
  }
  return delta;
}

double guarantee_left_after(const ServiceParams& sp, const CourierSpot& cs, int k,
                            Minutes free_after) {
  const double whole = guaranteed_orders(sp, cs);
  const double shift = shift_minutes(cs);
  const double left =
      whole * static_cast<double>(std::max<Minutes>(0, cs.shift_end - free_after)) / shift;
  return std::clamp(whole - cs.orders_committed - k, 0.0, left);
}

}  // namespace se::dispatch
