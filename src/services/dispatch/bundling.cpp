#include "services/dispatch/bundling.hpp"

#include <algorithm>
#include <cmath>

#include "services/dispatch/route.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

namespace {

struct Trip {
  std::vector<OrderId> sequence;
  std::vector<Minutes> dropoff;  // relative to leaving the restaurant, per sequence position
  Minutes duration = 0;          // leaving the restaurant until free at the last customer
};

Trip plan_trip(const World& world, RestaurantId r, const std::vector<OrderId>& orders) {
  const ServiceParams& p = world.params();
  std::vector<Point> drops;
  drops.reserve(orders.size());
  for (OrderId o : orders) drops.push_back(world.order(o).at);
  const auto seq = best_dropoff_sequence(p, world.restaurant(r), drops);
  Trip t;
  std::vector<Point> ordered;
  for (std::size_t i : seq) {
    t.sequence.push_back(orders[i]);
    ordered.push_back(drops[i]);
  }
  const RoutePlan plan = plan_route(p, world.restaurant(r), 0, world.restaurant(r), 0, ordered);
  for (Minutes d : plan.dropoff) t.dropoff.push_back(d - plan.leave_restaurant);
  t.duration = plan.free_at - plan.leave_restaurant;
  return t;
}

Minutes ready_of(const World& world, const std::vector<OrderId>& orders) {
  Minutes ready = 0;
  for (OrderId o : orders) ready = std::max(ready, world.order(o).ready);
  return ready;
}

Minutes effective_ready(const World& world, OrderId o, Minutes now) {
  return std::max(world.order(o).ready, now);
}

// Travelling alone, an order would be dropped this long after it is (effectively) ready.
Minutes solo_dropoff(const World& world, RestaurantId r, OrderId o, Minutes now) {
  const ServiceParams& p = world.params();
  return effective_ready(world, o, now) + half_service(p.pickup_service) +
         travel_minutes(world.restaurant(r), world.order(o).at, p.meters_per_minute) +
         half_service(p.dropoff_service);
}

bool acceptable(const World& world, RestaurantId r, const std::vector<OrderId>& orders,
                const Trip& joint, const Trip& open, const BundlingRules& rules, Minutes now) {
  const ServiceParams& p = world.params();
  const Minutes ready = std::max(ready_of(world, orders), now);
  const Minutes leave = ready + half_service(p.pickup_service);
  for (std::size_t i = 0; i < joint.sequence.size(); ++i) {
    if (leave + joint.dropoff[i] - solo_dropoff(world, r, joint.sequence[i], now) >
        rules.max_extra_delay) {
      return false;
    }
  }
  // Worth it only if one trip saves courier time over two (the added order's solo trip
  // includes a pickup at the restaurant that the bundle avoids).
  const OrderId added = orders.back();
  const Trip alone = plan_trip(world, r, {added});
  return joint.duration < open.duration + alone.duration + p.pickup_service + rules.approach;
}

}  // namespace

std::vector<Bundle> bundle_restaurant_orders(const World& world, std::span<const OrderId> orders,
                                             const BundlingRules& rules, Minutes now) {
  std::vector<Bundle> out;
  if (orders.empty()) return out;
  const RestaurantId r = world.order(orders.front()).restaurant;
  std::vector<OrderId> open;
  Trip open_trip;
  auto close = [&] {
    if (open.empty()) return;
    out.push_back(Bundle{r, open_trip.sequence, ready_of(world, open)});
    open.clear();
  };
  for (OrderId o : orders) {
    if (!open.empty() && static_cast<int>(open.size()) < rules.max_size &&
        effective_ready(world, o, now) - effective_ready(world, open.front(), now) <=
            rules.max_ready_gap) {
      std::vector<OrderId> joined = open;
      joined.push_back(o);
      Trip joint = plan_trip(world, r, joined);
      if (acceptable(world, r, joined, joint, open_trip, rules, now)) {
        open = std::move(joined);
        open_trip = std::move(joint);
        continue;
      }
    }
    close();
    open = {o};
    open_trip = plan_trip(world, r, open);
  }
  close();
  return out;
}

int target_bundle_size(std::size_t due_orders, std::size_t available_couriers, int cap) {
  if (due_orders == 0) return 1;
  const double ratio = static_cast<double>(due_orders) /
                       static_cast<double>(std::max<std::size_t>(available_couriers, 1));
  return std::clamp(static_cast<int>(std::ceil(ratio)), 1, std::max(cap, 1));
}

}  // namespace se::dispatch
