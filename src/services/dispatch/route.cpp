#include "services/dispatch/route.hpp"

#include <algorithm>
#include <numeric>

#include "services/dispatch/travel.hpp"

namespace se::dispatch {

namespace {

// Appends the drop-offs of `drops` to `plan` for a courier leaving `at` at `t`, and when it is
// free after the last.
void append_dropoffs(const ServiceParams& params, Point at, Minutes t, std::span<const Point> drops,
                     RoutePlan& plan) {
  const Minutes hd = half_service(params.dropoff_service);
  for (const Point& d : drops) {
    t += travel_minutes(at, d, params.meters_per_minute);
    plan.arrive_customer.push_back(t);
    t += hd;
    plan.dropoff.push_back(t);
    t += hd;
    at = d;
  }
  plan.free_at = t;
}

// Fills the drop-offs of `plan` from its leave_restaurant onwards.
void plan_dropoffs(const ServiceParams& params, Point restaurant, std::span<const Point> drops,
                   RoutePlan& plan) {
  append_dropoffs(params, restaurant, plan.leave_restaurant, drops, plan);
}

}  // namespace

RoutePlan plan_route(const ServiceParams& params, Point from, Minutes depart, Point restaurant,
                     Minutes ready, std::span<const Point> drops) {
  const Minutes hp = half_service(params.pickup_service);
  RoutePlan plan;
  plan.depart = depart;
  plan.arrive_restaurant = depart + travel_minutes(from, restaurant, params.meters_per_minute);
  plan.pickup = std::max(ready, plan.arrive_restaurant + hp);
  plan.leave_restaurant = plan.pickup + hp;
  plan_dropoffs(params, restaurant, drops, plan);
  return plan;
}

void retime_after_dropoff(const ServiceParams& params, std::span<const Point> drops,
                          std::size_t done, Minutes dropped_at, RoutePlan& plan) {
  plan.arrive_customer.resize(done + 1);
  plan.dropoff.resize(done + 1);
  plan.arrive_customer[done] = std::min(plan.arrive_customer[done], dropped_at);
  plan.dropoff[done] = dropped_at;
  append_dropoffs(params, drops[done], dropped_at + half_service(params.dropoff_service),
                  drops.subspan(done + 1), plan);
}

RoutePlan plan_from_pickup(const ServiceParams& params, Point restaurant, Minutes pickup,
                           std::span<const Point> drops) {
  RoutePlan plan;
  plan.depart = pickup;
  plan.arrive_restaurant = pickup;
  plan.pickup = pickup;
  plan.leave_restaurant = pickup + half_service(params.pickup_service);
  plan_dropoffs(params, restaurant, drops, plan);
  return plan;
}

Minutes sequence_dropoffs(const ServiceParams& params, Point restaurant, Minutes leave,
                          std::span<const Point> drops, Minutes* last) {
  const Minutes hd = half_service(params.dropoff_service);
  Point at = restaurant;
  Minutes t = leave;
  Minutes sum = 0;
  for (const Point& d : drops) {
    t += travel_minutes(at, d, params.meters_per_minute) + hd;
    sum += t;
    t += hd;
    at = d;
  }
  if (last != nullptr) *last = t - (drops.empty() ? 0 : hd);
  return sum;
}

RouteSummary summarize_route(const ServiceParams& params, Point from, Minutes depart,
                             Point restaurant, Minutes ready, std::span<const Point> drops) {
  const Minutes hp = half_service(params.pickup_service);
  RouteSummary s;
  s.arrive_restaurant = depart + travel_minutes(from, restaurant, params.meters_per_minute);
  s.pickup = std::max(ready, s.arrive_restaurant + hp);
  s.sum_dropoff = sequence_dropoffs(params, restaurant, s.pickup + hp, drops, &s.last_dropoff);
  s.free_at = s.last_dropoff + (drops.empty() ? hp : half_service(params.dropoff_service));
  return s;
}

std::vector<std::size_t> best_dropoff_sequence(const ServiceParams& params, Point restaurant,
                                               std::span<const Point> drops) {
  std::vector<std::size_t> perm(drops.size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  if (drops.size() <= 1) return perm;
  std::vector<std::size_t> best = perm;
  Minutes best_sum = -1;
  std::vector<Point> seq(drops.size());
  // next_permutation from the sorted start visits permutations in lexicographic order, so the
  // first minimum found is the deterministic tie-break.
  do {
    for (std::size_t i = 0; i < perm.size(); ++i) seq[i] = drops[perm[i]];
    const Minutes sum = sequence_dropoffs(params, restaurant, 0, seq);
    if (best_sum < 0 || sum < best_sum) {
      best_sum = sum;
      best = perm;
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

}  // namespace se::dispatch
