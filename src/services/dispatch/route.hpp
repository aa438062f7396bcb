// Timing of one assignment (a bundle from one restaurant) for one courier: when it reaches the
// restaurant, picks up, drops each order off and becomes free again.
#pragma once
#include <span>
#include <vector>

#include "services/dispatch/model.hpp"

namespace se::dispatch {

struct RoutePlan {
  Minutes depart = 0;  // leaves its current spot towards the restaurant
  Minutes arrive_restaurant = 0;
  Minutes pickup = 0;  // max(ready, arrival + pickup_service/2)
  Minutes leave_restaurant = 0;
  std::vector<Minutes> arrive_customer;  // in drop-off sequence
  std::vector<Minutes> dropoff;
  Minutes free_at = 0;  // leaves the last customer, waiting for instructions
};

// `ready` is the bundle's ready time (its latest order); `drops` are in delivery sequence.
[[nodiscard]] RoutePlan plan_route(const ServiceParams& params, Point from, Minutes depart,
                                   Point restaurant, Minutes ready, std::span<const Point> drops);

// The rest of a plan once the pickup has happened at `pickup` (reported by the courier): the
// drop-offs from the restaurant onwards. depart and arrive_restaurant are left at `pickup`.
[[nodiscard]] RoutePlan plan_from_pickup(const ServiceParams& params, Point restaurant,
                                         Minutes pickup, std::span<const Point> drops);

// Order `done` of the plan's drop-off sequence `drops` was dropped off at `dropped_at` (reported
// by the courier): the later drop-offs and free_at are re-timed from there.
void retime_after_dropoff(const ServiceParams& params, std::span<const Point> drops,
                          std::size_t done, Minutes dropped_at, RoutePlan& plan);

// Same timing without allocating: only what cost functions need.
struct RouteSummary {
  Minutes arrive_restaurant = 0;
  Minutes pickup = 0;
  Minutes free_at = 0;
  Minutes sum_dropoff = 0;  // sum of drop-off instants (for sum of click-to-door)
  Minutes last_dropoff = 0;
};
[[nodiscard]] RouteSummary summarize_route(const ServiceParams& params, Point from, Minutes depart,
                                           Point restaurant, Minutes ready,
                                           std::span<const Point> drops);

// Drop-off minutes of a sequence when the courier leaves the restaurant at `leave`.
// Returns the sum of drop-off instants; `last` receives the final one.
[[nodiscard]] Minutes sequence_dropoffs(const ServiceParams& params, Point restaurant,
                                        Minutes leave, std::span<const Point> drops,
                                        Minutes* last = nullptr);

// Order of drop-offs minimising the sum of drop-off instants (so the sum of click-to-door);
// exhaustive for the small bundles this problem uses, ties broken by input order so the
// answer is deterministic. Returns indexes into `drops`.
[[nodiscard]] std::vector<std::size_t> best_dropoff_sequence(const ServiceParams& params,
                                                             Point restaurant,
                                                             std::span<const Point> drops);

}  // namespace se::dispatch
