// Bundling: orders of one restaurant whose food is ready at about the same time travel together
// when couriers are scarce. One courier trip then serves several customers at the price of a
// few minutes for the later drop-offs.
#pragma once
#include <span>
#include <vector>

#include "services/dispatch/world.hpp"

namespace se::dispatch {

struct Bundle {
  RestaurantId restaurant = 0;
  std::vector<OrderId> orders;  // in drop-off sequence
  Minutes ready = 0;            // the latest ready time of its orders
};

struct BundlingRules {
  int max_size = 1;            // 1 disables bundling
  Minutes max_ready_gap = 10;  // ready times within a bundle differ by at most this
  // No order may be dropped more than this much later than if it travelled alone.
  Minutes max_extra_delay = 12;
  // Courier minutes a separate trip would spend reaching the restaurant (0: not counted): added
  // to what a bundle saves, since a second trip needs a second courier to come here.
  Minutes approach = 0;
};

// Partitions `orders` (all of one restaurant, sorted by ready time) into bundles, greedily in
// ready order: an order joins the open bundle if the rules allow and the joint trip takes less
// courier time than separate trips; otherwise it opens the next bundle.
// Food that is already ready counts as ready `now`: waiting orders bundle freely with each other.
[[nodiscard]] std::vector<Bundle> bundle_restaurant_orders(const World& world,
                                                           std::span<const OrderId> orders,
                                                           const BundlingRules& rules, Minutes now);

// Bundle size that fits the current pressure: about as many orders per bundle as there are
// due orders per available courier, capped so a trip never gets unreasonably long.
[[nodiscard]] int target_bundle_size(std::size_t due_orders, std::size_t available_couriers,
                                     int cap);

}  // namespace se::dispatch
