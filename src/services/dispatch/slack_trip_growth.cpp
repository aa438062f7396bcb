// Steps 6a/6b of the slack policy's round: committed trips that take further orders of their
// restaurant along, a leaving courier's last trip (last_trip_bundling) and, in a sustained
// shortage, orders placed and ready minutes after the pickup (hold_for_placed).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "services/dispatch/route.hpp"
#include "services/dispatch/slack_round.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

using slack_detail::PlannedBundle;

namespace {

// The orders and couriers a round has committed so far, for the steps that grow its trips.
class Committed {
 public:
  explicit Committed(const std::vector<Proposal>& out) {
    for (const Proposal& pr : out) {
      orders_.insert(orders_.end(), pr.orders.begin(), pr.orders.end());
      couriers_.push_back(pr.courier);
    }
    std::sort(orders_.begin(), orders_.end());
    std::sort(couriers_.begin(), couriers_.end());
  }
  [[nodiscard]] bool has_order(OrderId o) const {
    return std::binary_search(orders_.begin(), orders_.end(), o);
  }
  [[nodiscard]] bool has_courier(CourierId c) const {
    return std::binary_search(couriers_.begin(), couriers_.end(), c);
  }
  void add_order(OrderId o) {
    orders_.insert(std::upper_bound(orders_.begin(), orders_.end(), o), o);
  }

 private:
  std::vector<OrderId> orders_;      // sorted
  std::vector<CourierId> couriers_;  // sorted
};

// The earliest drop-off another candidate courier of the group (neither `except` nor one the
// round has committed) could give an order alone: from where it is free, to the restaurant by
// `ready`, then `ride` minutes to the customer.
Minutes alone_dropoff(const ServiceParams& sp, const std::vector<Candidate>& cand,
                      std::pair<std::uint32_t, std::uint32_t> range, CourierId except,
                      const Committed& committed, Minutes now, Minutes ready, Minutes ride) {
  const Minutes hp = half_service(sp.pickup_service);
  const Minutes hd = half_service(sp.dropoff_service);
  Minutes best = std::numeric_limits<Minutes>::max() / 4;
  for (std::uint32_t ci = range.first; ci < range.second; ++ci) {
    const CourierSpot& oc = cand[ci].spot;
    if (oc.id == except || committed.has_courier(oc.id)) continue;
    const auto travel = static_cast<Minutes>(std::ceil(cand[ci].distance_m / sp.meters_per_minute));
    const Minutes pickup = std::max(ready, std::max(now, oc.free_time) + travel + hp);
    if (pickup > oc.shift_end) continue;
    best = std::min(best, pickup + hp + ride + hd);
  }
  return best;
}

// A trip's orders in their best drop-off sequence (indices into `orders`) and its route from the
// restaurant, timed from leaving it at minute 0.
struct JoinedTrip {
  std::vector<std::size_t> sequence;
  RoutePlan plan;
};
JoinedTrip joined_trip(const World& world, Point restaurant, const std::vector<OrderId>& orders) {
  const ServiceParams& sp = world.params();
  std::vector<Point> drops;
  drops.reserve(orders.size());
  for (OrderId x : orders) drops.push_back(world.order(x).at);
  JoinedTrip out;
  out.sequence = best_dropoff_sequence(sp, restaurant, drops);
  std::vector<Point> ordered;
  for (std::size_t q : out.sequence) ordered.push_back(drops[q]);
  out.plan = plan_route(sp, restaurant, 0, restaurant, 0, ordered);
  return out;
}

}  // namespace

// Last-trip bundling (step 6a): a committed trip after which its courier can reach no restaurant
// before its off-time is the last use of that courier, so its spare capacity perishes with it.
// Such a trip takes along further orders of its restaurant that are placed, not committed this
// round and ready by its pickup (so the pickup does not move), greedily in ready order, up to the
// round's bundle cap, while no order of the trip is dropped more than last_trip_delay later than
// in the trip as committed, and each added order is dropped no later than last_trip_slack after
// the earliest drop-off any other candidate courier of the restaurant (free now or within
// busy_look_ahead, not committed this round) could give it alone: the leaving courier's capacity
// is free, another courier's trip is not. Deterministic: trips in commit order, orders in ready
// order.
void SlackPolicy::last_trip_bundling(const World& world, Minutes now, bool shortage,
                                     std::vector<Proposal>& out) {
  Scratch& s = *scratch_;
  const ServiceParams& sp = world.params();
  const Minutes hp = half_service(sp.pickup_service);
  const Minutes hd = half_service(sp.dropoff_service);
  const auto cap =
      static_cast<std::size_t>(std::max(1, shortage ? p_.shortage_max_bundle : p_.max_bundle));
  Committed committed(out);
  for (std::size_t k = 0; k < out.size(); ++k) {
    Proposal& pr = out[k];
    const PlannedBundle& pb = s.bundles[s.commit_bundle[k]];
    if (pr.orders.size() >= cap) continue;
    const CourierState& cs = world.courier(pr.courier);
    const Point rest = world.restaurant(pb.restaurant);
    const Minutes pickup =
        std::max(pb.ready, now + travel_minutes(cs.free_point, rest, sp.meters_per_minute) + hp);
    const Minutes leave = pickup + hp;
    const std::uint32_t last = pb.first + pb.size - 1;
    const Minutes free_after = leave + s.drop_offset[last] + hd;
    const Point last_drop = world.order(s.orders[last]).at;
    // Its last trip: no restaurant reachable before the off-time afterwards.
    if (free_after + hp <= cs.shift_end) {
      bool reach = false;
      for (RestaurantId r = 0; r < world.restaurant_count() && !reach; ++r) {
        reach = free_after + travel_minutes(last_drop, world.restaurant(r), sp.meters_per_minute) +
                    hp <=
                cs.shift_end;
      }
      if (reach) continue;
    }
    // Drop-off minutes of the trip as committed.
    std::vector<Minutes> base(pb.size);
    for (std::uint32_t j = 0; j < pb.size; ++j) base[j] = leave + s.drop_offset[pb.first + j];
    const std::uint32_t g = pb.group;
    std::vector<OrderId> cur = pr.orders;
    std::vector<std::pair<OrderId, Minutes>> added;  // added orders and their latest drop-off
    bool grown = false;
    for (std::uint32_t i = s.group_begin[g]; i < s.group_begin[g + 1] && cur.size() < cap; ++i) {
      const OrderId o = s.due[i].order;
      const OrderState& os = world.order(o);
      if (os.ready > pickup || committed.has_order(o) || world.declined(o, pr.courier)) continue;
      // The best another candidate courier could do for it alone.
      const Minutes ride = travel_minutes(rest, os.at, sp.meters_per_minute);
      const Minutes alt =
          alone_dropoff(sp, s.cand, s.cand_range[g], pr.courier, committed, now, os.ready, ride);
      std::vector<OrderId> joined = cur;
      joined.push_back(o);
      const JoinedTrip trip = joined_trip(world, rest, joined);
      const auto& seq = trip.sequence;
      const RoutePlan& plan = trip.plan;
      added.emplace_back(o, alt + p_.last_trip_slack);
      bool ok = true;
      std::vector<OrderId> seq_orders;
      for (std::size_t q = 0; q < seq.size() && ok; ++q) {
        const OrderId x = joined[seq[q]];
        seq_orders.push_back(x);
        const Minutes drop = leave + plan.dropoff[q] - plan.leave_restaurant;
        for (std::uint32_t j = 0; j < pb.size; ++j) {
          if (s.orders[pb.first + j] == x) ok = drop - base[j] <= p_.last_trip_delay;
        }
        for (const auto& [a, latest] : added) {
          if (a == x) ok = ok && drop <= latest;
        }
      }
      if (!ok) {
        added.pop_back();
        continue;
      }
      cur = std::move(seq_orders);
      committed.add_order(o);
      grown = true;
    }
    if (grown) {
      pr.orders = std::move(cur);
      ++last_.last_trip_grown;
    }
  }
}

// Hold for placed orders (step 2c): in a sustained shortage, a committed trip takes along further
// pending orders of its restaurant, already placed and ready no later than hold_minutes after
// its pickup (due or not, committed to no other trip of the round), greedily in ready order up
// to the round's bundle cap, while no order of the trip is dropped more than hold_minutes later
// than as committed and each added order is dropped no later than hold_slack after the earliest
// drop-off any other candidate courier of the restaurant (not committed this round) could give it
// alone. Deterministic: trips in commit order, orders in (ready, id) order.
void SlackPolicy::hold_for_placed(const World& world, Minutes now, bool shortage,
                                  std::vector<Proposal>& out) {
  Scratch& s = *scratch_;
  const ServiceParams& sp = world.params();
  const Minutes hp = half_service(sp.pickup_service);
  const auto cap =
      static_cast<std::size_t>(std::max(1, shortage ? p_.shortage_max_bundle : p_.max_bundle));
  Committed committed(out);
  // Pending orders by restaurant, then ready time and id: one pass over them for the round
  // rather than one per committed trip.
  struct Placed {
    RestaurantId restaurant;
    Minutes ready;
    OrderId order;
    bool operator<(const Placed& o) const {
      return std::tie(restaurant, ready, order) < std::tie(o.restaurant, o.ready, o.order);
    }
  };
  std::vector<Placed> placed;
  placed.reserve(world.pending().size());
  for (OrderId o : world.pending())
    placed.push_back({world.order(o).restaurant, world.order(o).ready, o});
  std::sort(placed.begin(), placed.end());
  std::vector<std::pair<Minutes, OrderId>> extra;
  for (std::size_t k = 0; k < out.size(); ++k) {
    Proposal& pr = out[k];
    if (pr.orders.size() >= cap) continue;
    const PlannedBundle& pb = s.bundles[s.commit_bundle[k]];
    const CourierState& cs = world.courier(pr.courier);
    const Point rest = world.restaurant(pb.restaurant);
    const Minutes arrive_hp = now + travel_minutes(cs.free_point, rest, sp.meters_per_minute) + hp;
    const Minutes pickup = std::max(pb.ready, arrive_hp);
    extra.clear();
    auto it = std::lower_bound(
        placed.begin(), placed.end(), Placed{pb.restaurant, 0, 0},
        [](const Placed& a, const Placed& b) { return a.restaurant < b.restaurant; });
    for (; it != placed.end() && it->restaurant == pb.restaurant; ++it) {
      if (it->ready > pickup + p_.hold_minutes) break;
      if (committed.has_order(it->order) || world.declined(it->order, pr.courier)) continue;
      extra.emplace_back(it->ready, it->order);
    }
    if (extra.empty()) continue;
    // Drop-off minutes of the trip as committed.
    std::vector<std::pair<OrderId, Minutes>> base;
    for (std::uint32_t j = 0; j < pb.size; ++j)
      base.emplace_back(s.orders[pb.first + j], pickup + hp + s.drop_offset[pb.first + j]);
    std::vector<OrderId> cur = pr.orders;
    Minutes ready = pb.ready;
    bool grown = false;
    for (const auto& [r, o] : extra) {
      if (cur.size() >= cap) break;
      const Minutes p2 = std::max(std::max(ready, r), arrive_hp);
      if (p2 > cs.shift_end) continue;
      std::vector<OrderId> joined = cur;
      joined.push_back(o);
      const JoinedTrip trip = joined_trip(world, rest, joined);
      const auto& seq = trip.sequence;
      const RoutePlan& plan = trip.plan;
      bool ok = true;
      std::vector<OrderId> seq_orders;
      for (std::size_t q = 0; q < seq.size(); ++q) {
        const OrderId x = joined[seq[q]];
        seq_orders.push_back(x);
        const Minutes drop = p2 + hp + plan.dropoff[q] - plan.leave_restaurant;
        for (const auto& [b, d] : base) {
          if (b == x) ok = ok && drop - d <= p_.hold_minutes;
        }
      }
      if (ok) {
        // The best another candidate courier of the restaurant could do for it alone.
        const OrderState& os = world.order(o);
        const Minutes ride = travel_minutes(rest, os.at, sp.meters_per_minute);
        const Minutes alt = alone_dropoff(sp, s.cand, s.cand_range[pb.group], pr.courier, committed,
                                          now, os.ready, ride);
        for (std::size_t q = 0; q < seq.size(); ++q) {
          if (joined[seq[q]] == o)
            ok = p2 + hp + plan.dropoff[q] - plan.leave_restaurant <= alt + p_.hold_slack;
        }
      }
      if (!ok) continue;
      cur = std::move(seq_orders);
      ready = std::max(ready, r);
      committed.add_order(o);
      grown = true;
    }
    if (grown) {
      pr.orders = std::move(cur);
      ++last_.held;
    }
  }
}

}  // namespace se::dispatch
