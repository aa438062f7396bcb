#include "services/dispatch/synthetic.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace se::dispatch {

Instance make_synthetic_instance(const SyntheticSpec& spec) {
  if (spec.orders > 0 && spec.restaurants == 0)
    throw std::invalid_argument("synthetic instance: orders need at least one restaurant");
  SplitMix64 rng(spec.seed);
  Instance in;
  auto anywhere = [&] {
    return Point{std::round(rng.uniform() * spec.side_m), std::round(rng.uniform() * spec.side_m)};
  };
  for (std::size_t i = 0; i < spec.restaurants; ++i) {
    in.restaurants.push_back(Restaurant{fmt::format("r{}", i + 1), anywhere()});
  }
  for (std::size_t i = 0; i < spec.orders; ++i) {
    const auto r = static_cast<RestaurantId>(rng.next() % spec.restaurants);
    const Point at = in.restaurants[r].at;
    const double angle = rng.uniform() * 6.283185307179586;
    const double dist = 200 + rng.uniform() * 2800;
    const Point drop{std::clamp(std::round(at.x + dist * std::cos(angle)), 0.0, spec.side_m),
                     std::clamp(std::round(at.y + dist * std::sin(angle)), 0.0, spec.side_m)};
    const Minutes placed = rng.between(0, spec.day - 61);
    const Minutes ready = placed + rng.between(spec.min_prep, spec.max_prep);
    in.orders.push_back(Order{fmt::format("o{}", i + 1), drop, placed, r, ready});
  }
  for (std::size_t i = 0; i < spec.couriers; ++i) {
    const Minutes len = rng.between(spec.min_shift, spec.max_shift);
    // Spread shift starts so the whole day is covered, the last shifts ending after the day.
    const Minutes on =
        static_cast<Minutes>((static_cast<double>(i) / static_cast<double>(spec.couriers)) *
                             static_cast<double>(std::max<Minutes>(0, spec.day - len)));
    in.couriers.push_back(
        Courier{fmt::format("c{}", i + 1), anywhere(), on, std::max(on + len, spec.day)});
  }
  return in;
}

}  // namespace se::dispatch
