#include "services/dispatch/slack_policy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "services/dispatch/guarantee_pace.hpp"
#include "services/dispatch/route.hpp"
#include "services/dispatch/slack_round.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

using slack_detail::ChainArc;
using slack_detail::DueOrder;
using slack_detail::PlannedBundle;
using slack_detail::to_cents;

namespace {

// Whether every online courier's off-time is within `horizon` minutes of `now` (a closing fleet:
// no courier stays to take over what the leaving ones cannot carry).
bool fleet_closes_within(const World& world, Minutes now, Minutes horizon) {
  for (CourierId id = 0; id < world.courier_count(); ++id) {
    const CourierState& cs = world.courier(id);
    if (cs.online && cs.shift_end - now > horizon) return false;
  }
  return true;
}

// Sorts `due` as std::sort with DueOrder's operator< would (a total order: ids are unique), in
// linear time: a stable counting sort by restaurant, then an insertion sort of each restaurant's
// few orders by ready time and id. `count` and `sorted` are scratch.
void sort_due_orders(std::vector<DueOrder>& due, std::size_t restaurants,
                     std::vector<std::uint32_t>& count, std::vector<DueOrder>& sorted) {
  count.assign(restaurants + 1, 0);
  for (const DueOrder& d : due) ++count[d.restaurant + 1];
  std::partial_sum(count.begin(), count.end(), count.begin());
  sorted.resize(due.size());
  for (const DueOrder& d : due) sorted[count[d.restaurant]++] = d;  // count[r] ends at r's end
  for (std::size_t lo = 0; lo < sorted.size();) {
    std::size_t hi = lo + 1;
    while (hi < sorted.size() && sorted[hi].restaurant == sorted[lo].restaurant) ++hi;
    for (std::size_t i = lo + 1; i < hi; ++i) {
      const DueOrder d = sorted[i];
      std::size_t at = i;
      for (; at > lo && d < sorted[at - 1]; --at) sorted[at] = sorted[at - 1];
      sorted[at] = d;
    }
    lo = hi;
  }
  due.swap(sorted);
}

// Exact tie-break below the cent cost: arc cost = cents x 2^kTieBits + key, key in [0, span]
// (smaller preferred). `span` is chosen per round so that the keys of any matching sum to less
// than 2^kTieBits (a matching has at most min(bundles, couriers) arcs): every total then still
// orders matchings by cents first, the keys only choose among matchings of exactly equal cent
// cost, and floor(total / 2^kTieBits) is the cent total. Leaving a bundle unmatched stays 0 on
// both scales, and an arc is still useful (negative) exactly when its cents are negative.
// The key prefers the courier furthest behind its guaranteed-pay pace, but only while it is
// behind: then the guarantee pays for the order anyway. Couriers on or ahead of pace all get
// the same key, so ties between them are broken as before.
std::int64_t tie_key(double ahead, std::int64_t span) {
  if (!(ahead < 0)) return span;
  // NOLINTNEXTLINE(bugprone-incorrect-roundings): the quotient is positive (span >= 0, ahead < 0)
  return static_cast<std::int64_t>(static_cast<double>(span) / (1.0 - ahead) + 0.5);
}

}  // namespace

SlackPolicy::SlackPolicy(SlackPolicyParams params)
    : p_(params),
      scratch_(std::make_unique<Scratch>()),
      promised_(p_.tail_window),
      bounds_(p_.tail_window) {}
SlackPolicy::~SlackPolicy() = default;

std::size_t SlackPolicy::extra_candidates(std::size_t due, std::size_t available) const {
  if (p_.rival_factor <= 0 || available == 0) return p_.candidates;
  // A restaurant's k nearest couriers hold k / available of the fleet; restaurants whose own
  // nearest couriers overlap them lie within about twice that radius, four times the area, so
  // about 4 k due / available orders compete for them. A bundle with r rivals never needs more
  // than its r + 1 best couriers (see min_cost_matching.cpp), so more candidates than expected
  // rivals (with a margin) only add work; with a scarce fleet this is `candidates`.
  const double rivals = 4.0 * static_cast<double>(p_.candidates + 1) * static_cast<double>(due) /
                        static_cast<double>(available);
  const auto needed = static_cast<std::size_t>(std::ceil(p_.rival_factor * rivals)) + 1;
  return std::clamp<std::size_t>(needed, std::min(p_.min_candidates, p_.candidates), p_.candidates);
}

bool SlackPolicy::is_shortage(std::size_t due, std::size_t couriers, bool deficit) const {
  const double ratio =
      deficit || p_.burst_shortage_ratio <= 0 ? p_.shortage_ratio : p_.burst_shortage_ratio;
  return p_.shortage_ratio > 0 && static_cast<double>(due) > ratio * static_cast<double>(couriers);
}

// Step 2 of the round: the candidate couriers of every restaurant group of s.due (free now or
// within busy_window, still on shift) into s.cand / s.cand_range, and the right side of the
// matching into s.couriers / s.right_of / s.right_cand.
void SlackPolicy::find_candidates(const World& world, Minutes now, Minutes busy_window) {
  Scratch& s = *scratch_;
  const auto groups = static_cast<std::uint32_t>(s.group_begin.size() - 1);
  auto eligible = [&](const CourierSpot& cs) {
    return cs.free_time <= now + busy_window && cs.shift_end >= std::max(now, cs.free_time);
  };
  // Right side of the matching, in order of first appearance (deterministic: restaurants are
  // visited in id order and candidates nearest first).
  // Queries run in spatial order (cache reuse between neighbouring restaurants); their answers
  // are then read in restaurant order, so the result does not depend on the query order.
  s.query_order.clear();
  for (std::uint32_t g = 0; g < groups; ++g) {
    s.query_order.emplace_back(
        world.available().locality_key(world.restaurant(s.due[s.group_begin[g]].restaurant)), g);
  }
  std::sort(s.query_order.begin(), s.query_order.end());
  const std::size_t extra = extra_candidates(s.due.size(), world.available_count());
  const ServiceParams& sp = world.params();
  // One more order costs this courier no pay by the arc cost's pace model.
  auto unpaid = [&](const CourierSpot& cs) {
    return paced_pay_delta(sp, cs, now, 1, pace_ahead(sp, cs, now, 1, p_.pace_grace),
                           p_.last_call) <= 0;
  };
  const double pay_reach_m = static_cast<double>(p_.pay_reach) * sp.meters_per_minute;
  auto eligible_unpaid = [&](const CourierSpot& cs) { return eligible(cs) && unpaid(cs); };
  // Listed once per round, when the first restaurant needs them. While they are few (a fleet
  // mostly ahead of its guarantee pace, when the extra query fires most) every restaurant ranks
  // that short list instead of scanning the index out to pay_reach, which covers most of a
  // city: one pass over the index per round instead of one per restaurant.
  constexpr std::size_t kShortList = 512;
  bool unpaid_listed = false;
  s.cand.clear();
  s.cand_range.assign(groups, {0, 0});
  for (const auto& [key, g] : s.query_order) {
    const std::size_t orders = s.group_begin[g + 1] - s.group_begin[g];
    const Point rest = world.restaurant(s.due[s.group_begin[g]].restaurant);
    // A courier whose shift ends before the restaurant's first order is ready cannot pick it up:
    // as a candidate it would only keep out one who can. This matters at a shift change, where
    // the nearest couriers are often all about to leave.
    const Minutes first_ready = s.due[s.group_begin[g]].ready;
    auto on_shift_then = [first_ready](const CourierSpot& cs) {
      return cs.shift_end >= first_ready;
    };
    auto serves = [&](const CourierSpot& cs) { return eligible(cs) && on_shift_then(cs); };
    world.available().nearest(rest, extra + orders, serves, s.near);
    const auto begin = static_cast<std::uint32_t>(s.cand.size());
    s.cand.insert(s.cand.end(), s.near.begin(), s.near.end());
    // Only when some candidate would be paid for the order: if none is, more choice would not
    // lower the pay (and a large fleet's round stays as small as the rival count makes it).
    const auto free_of_pay = static_cast<std::size_t>(std::count_if(
        s.near.begin(), s.near.end(), [&](const Candidate& c) { return unpaid(c.spot); }));
    if (free_of_pay < std::min(p_.pay_candidates, s.near.size())) {
      if (!unpaid_listed) {
        world.available().collect(eligible_unpaid, s.unpaid);
        unpaid_listed = true;
      }
      if (s.unpaid.size() <= kShortList) {
        nearest_among(s.unpaid, rest, p_.pay_candidates, pay_reach_m, on_shift_then, s.near);
      } else {
        auto serves_unpaid = [&](const CourierSpot& cs) {
          return eligible_unpaid(cs) && on_shift_then(cs);
        };
        world.available().nearest(rest, p_.pay_candidates, serves_unpaid, s.near, pay_reach_m);
      }
      // Merged nearest first (the arc costs read the first as the nearest), without repeats.
      for (const Candidate& c : s.near) {
        const auto same = [&](const Candidate& o) { return o.spot.id == c.spot.id; };
        if (std::none_of(s.cand.begin() + begin, s.cand.end(), same)) s.cand.push_back(c);
      }
      std::sort(s.cand.begin() + begin, s.cand.end());
    }
    s.cand_range[g] = {begin, static_cast<std::uint32_t>(s.cand.size())};
  }
  s.couriers.clear();
  s.right_cand.clear();
  s.right_of.assign(world.courier_count(), -1);
  for (std::uint32_t g = 0; g < groups; ++g) {
    for (std::uint32_t ci = s.cand_range[g].first; ci < s.cand_range[g].second; ++ci) {
      const CourierId id = s.cand[ci].spot.id;
      if (s.right_of[id] >= 0) continue;
      s.right_of[id] = static_cast<int>(s.couriers.size());
      s.couriers.push_back(id);
      s.right_cand.push_back(ci);
    }
  }
}

// Whether this round continues a run of consecutive shortage rounds that has lasted at least
// sustained_shortage minutes; records the round.
bool SlackPolicy::shortage_sustained(bool shortage, Minutes now) {
  if (!shortage) {
    shortage_since_ = -1;
    return false;
  }
  if (shortage_since_ < 0) shortage_since_ = now;
  return now - shortage_since_ >= p_.sustained_shortage;
}

SlackPolicy::MinuteTally& SlackPolicy::tally(Minutes now) {
  const auto window = static_cast<std::size_t>(std::max<Minutes>(1, p_.deficit_window));
  if (tally_.size() != window) tally_.assign(window, MinuteTally{});
  MinuteTally& t = tally_[static_cast<std::size_t>(now) % window];
  if (t.minute != now) t = MinuteTally{now, 0, 0, 0};
  return t;
}

// A committed trip of `orders` orders keeps its courier busy for `courier_minutes` from now.
void SlackPolicy::record_commitment(Minutes now, Minutes courier_minutes, std::size_t orders) {
  if (p_.deficit_ratio <= 0) return;
  MinuteTally& t = tally(now);
  t.courier_minutes += courier_minutes;
  t.committed_orders += orders;
}

// Projected deficit (records the round's `arrived` new orders): demand over the next
// deficit_horizon minutes = orders pending + the arrival rate of the last deficit_window minutes
// x the horizon, against the capacity of the couriers online now = their minutes on shift within
// the horizon, from when they are free, / the courier minutes per order of this policy's
// commitments of the window. Only what has been revealed is used (placed orders, online
// couriers, the policy's own commitments): couriers who will come online are not known, so the
// ratio is a margin for them. The couriers are scanned only until their capacity covers the
// demand, so a large fleet stops early.
bool SlackPolicy::projected_deficit(const World& world, Minutes now, std::size_t arrived) {
  if (p_.deficit_ratio <= 0) return false;
  tally(now).arrivals += arrived;
  std::size_t arrivals = 0, orders = 0;
  Minutes minutes = 0;
  for (const MinuteTally& t : tally_) {
    if (t.minute < 0 || t.minute > now || now - t.minute >= p_.deficit_window) continue;
    arrivals += t.arrivals;
    minutes += t.courier_minutes;
    orders += t.committed_orders;
  }
  const double per_order = orders > 0 ? static_cast<double>(minutes) / static_cast<double>(orders)
                                      : p_.deficit_trip_minutes;
  const double demand = static_cast<double>(world.pending().size()) +
                        static_cast<double>(arrivals) * static_cast<double>(p_.deficit_horizon) /
                            static_cast<double>(p_.deficit_window);
  double capacity = 0;
  const Minutes until = now + p_.deficit_horizon;
  for (CourierId id = 0; id < world.courier_count() && p_.deficit_ratio * capacity < demand; ++id) {
    const CourierState& cs = world.courier(id);
    if (!cs.online) continue;
    const Minutes from = std::max(now, cs.free_time);
    const Minutes to = std::min(until, cs.shift_end);
    if (to > from) capacity += static_cast<double>(to - from) / per_order;
  }
  last_.projected_demand = demand;
  last_.projected_capacity = capacity;
  return p_.deficit_ratio * capacity < demand;
}

std::vector<Proposal> SlackPolicy::decide(const World& world, Minutes now) {
  last_ = {};
  std::vector<Proposal> out;
  if (p_.epoch > 1 && now % p_.epoch != 0) return out;
  // A run of shortage rounds counts only consecutive rounds; a second round in the same minute
  // (a live dispatcher may decide again when an event arrives) continues the run.
  const bool consecutive =
      previous_round_ >= 0 && now >= previous_round_ && now - previous_round_ <= p_.epoch;
  if (!consecutive) {
    shortage_since_ = -1;
    tally_.clear();
  }
  // Placements and click-to-door tallies stay counted over quiet minutes without a round (their
  // windows expire them); only a clock that goes back (another world) starts them afresh.
  if (previous_round_ > now) {
    placed_.clear();
    promised_.clear();
    bounds_.clear();
  }
  promised_.expire(now);
  bounds_.expire(now);
  // Orders placed after the previous round are new (after a gap: those placed this minute).
  const Minutes seen_until = consecutive ? previous_round_ : now - 1;
  previous_round_ = now;
  const ServiceParams& sp = world.params();
  const Minutes hp = half_service(sp.pickup_service);
  const Minutes hd = half_service(sp.dropoff_service);
  Scratch& s = *scratch_;

  // Stranding: placements of the last deficit_window minutes, per cell of strand_reach.
  if (p_.strand_reach > 0) {
    placed_.configure(static_cast<double>(p_.strand_reach) * sp.meters_per_minute,
                      p_.deficit_window);
    placed_.expire(now);
  }

  // 1. Due orders by restaurant, in ready order.
  s.due.clear();
  std::size_t demand = 0, arrived = 0;
  for (OrderId o : world.pending()) {
    const OrderState& os = world.order(o);
    if (os.placed > seen_until) {
      ++arrived;
      if (p_.strand_reach > 0) placed_.record(world.restaurant(os.restaurant), now);
      if (p_.tail_weight > 0) {
        const Minutes pickup = std::max(os.ready, os.placed + hp);
        bounds_.record(
            now, pickup + hp +
                     travel_minutes(world.restaurant(os.restaurant), os.at, sp.meters_per_minute) +
                     hd - os.placed);
      }
    }
    if (os.ready > now + p_.look_ahead) continue;
    s.due.push_back(DueOrder{os.restaurant, os.ready, o});
    if (os.ready <= now + p_.pressure_window) ++demand;
  }
  last_.due_orders = s.due.size();
  // Projected deficit of the coming hour(s): see the parameter. Recorded before the early return
  // so that the arrivals of every round are counted.
  const bool deficit = projected_deficit(world, now, arrived);
  last_.deficit = deficit;
  if (s.due.empty()) {
    shortage_since_ = -1;  // no due orders: no shortage
    return out;
  }
  sort_due_orders(s.due, world.restaurant_count(), s.due_count, s.due_sorted);
  s.group_begin.clear();
  for (std::uint32_t i = 0; i < s.due.size(); ++i) {
    if (i == 0 || s.due[i].restaurant != s.due[i - 1].restaurant) s.group_begin.push_back(i);
  }
  const auto groups = static_cast<std::uint32_t>(s.group_begin.size());
  s.group_begin.push_back(static_cast<std::uint32_t>(s.due.size()));

  // 2. Candidate couriers per restaurant from the grid index: free now or soon, still on shift.
  find_candidates(world, now, p_.busy_look_ahead);
  last_.couriers = s.couriers.size();

  // 3. Bundles sized to the pressure of due orders on available couriers.
  BundlingRules rules = p_.bundling;
  rules.max_size = target_bundle_size(demand, s.couriers.size(), p_.max_bundle);
  // Shortage (more due orders than the candidate couriers can take soon): throughput first.
  // Bundles are limited only by the ready gap and the courier time they save (the approach
  // ride included, below), not by the near-term pressure nor by how much later than alone an
  // order arrives: without a bundle it would wait for a courier anyway, and the matching still
  // charges every drop-off minute.
  const bool shortage = is_shortage(s.due.size(), s.couriers.size(), deficit);
  // Sustained shortage: couriers that free up a little later compete too (see the parameter).
  // A round in a projected deficit continues the run even when its own queue is short.
  if (shortage_sustained(shortage || deficit, now) &&
      p_.sustained_busy_look_ahead > p_.busy_look_ahead) {
    find_candidates(world, now, p_.sustained_busy_look_ahead);
    last_.couriers = s.couriers.size();
    last_.sustained = true;
  }
  if (shortage) {
    rules.max_size = std::max(rules.max_size, p_.shortage_max_bundle);
    rules.max_extra_delay = std::numeric_limits<Minutes>::max() / 4;
    // Closing fleet: when every online courier leaves within closing_horizon, a separate trip
    // may be one the fleet can no longer make; bundle regardless of the ready gap.
    if (p_.closing_horizon > 0) {
      const bool closing = fleet_closes_within(world, now, p_.closing_horizon);
      if (closing) rules.max_ready_gap = std::numeric_limits<Minutes>::max() / 4;
      last_.closing = closing;
    }
  }
  // Lateness then grows no faster than the age credit: waiting no longer makes an order worse.
  const double late_weight = shortage ? std::min(p_.late_weight, p_.age_weight) : p_.late_weight;
  last_.shortage = shortage;
  // Tail: click-to-door minutes beyond which an order misses the percentile promised so far.
  Minutes tail = p_.tail_weight > 0 && promised_.count() >= p_.tail_min_orders
                     ? promised_.quantile(p_.tail_quantile)
                     : -1;
  if (tail >= 0 && p_.tail_floor_margin >= 0) {
    const Minutes floor = bounds_.quantile(p_.tail_quantile);
    if (tail - floor <= p_.tail_floor_margin) tail = floor;
  }
  // Courier minutes are worth saving only when couriers are scarce; when most of them idle, a
  // longer ride costs nothing and pay balance (who reaches the guarantee) matters more.
  const double pressure =
      std::min(1.0, static_cast<double>(demand) /
                        static_cast<double>(std::max<std::size_t>(s.couriers.size(), 1)));
  const double time_scale = p_.scale_time_by_pressure ? pressure : 1.0;
  s.bundles.clear();
  s.orders.clear();
  s.drop_offset.clear();
  s.placed.clear();
  auto add_bundle = [&](RestaurantId r, Minutes ready, std::uint32_t g) {
    PlannedBundle pb;
    pb.restaurant = r;
    pb.ready = ready;
    pb.first = static_cast<std::uint32_t>(s.placed.size());
    pb.size = static_cast<std::uint32_t>(s.orders.size()) - pb.first;
    pb.group = g;
    for (std::uint32_t j = pb.first; j < pb.first + pb.size; ++j) {
      const OrderState& os = world.order(s.orders[j]);
      s.placed.push_back(os.placed);
      pb.placed_sum += os.placed;
      pb.any_declines = pb.any_declines || !os.declined_by.empty();
    }
    // A trip ending where few orders were placed lately leaves its courier far from the next ones.
    pb.stranding =
        p_.strand_reach > 0 && pb.size > 0 && placed_.full(now) &&
        static_cast<std::size_t>(placed_.near(world.order(s.orders[pb.first + pb.size - 1]).at)) <
            p_.strand_orders;
    s.bundles.push_back(pb);
  };
  for (std::uint32_t g = 0; g < groups; ++g) {
    const RestaurantId r = s.due[s.group_begin[g]].restaurant;
    const Point rest = world.restaurant(r);
    if (rules.max_size == 1) {
      // No bundling: every order travels alone, dropped off one ride after leaving.
      for (std::uint32_t i = s.group_begin[g]; i < s.group_begin[g + 1]; ++i) {
        const OrderId o = s.due[i].order;
        s.orders.push_back(o);
        s.drop_offset.push_back(travel_minutes(rest, world.order(o).at, sp.meters_per_minute) + hd);
        add_bundle(r, s.due[i].ready, g);
      }
      continue;
    }
    // In a shortage a second trip also costs a courier's ride to this restaurant: count at least
    // the nearest candidate's (candidates are nearest first).
    rules.approach = 0;
    if (shortage && s.cand_range[g].second > s.cand_range[g].first) {
      rules.approach = static_cast<Minutes>(
          std::ceil(s.cand[s.cand_range[g].first].distance_m / sp.meters_per_minute));
    }
    s.group_orders.clear();
    for (std::uint32_t i = s.group_begin[g]; i < s.group_begin[g + 1]; ++i)
      s.group_orders.push_back(s.due[i].order);
    for (const Bundle& b : bundle_restaurant_orders(world, s.group_orders, rules, now)) {
      s.drops.clear();
      for (OrderId o : b.orders) {
        s.orders.push_back(o);
        s.drops.push_back(world.order(o).at);
      }
      const RoutePlan plan = plan_route(sp, rest, 0, rest, 0, s.drops);
      for (Minutes d : plan.dropoff) s.drop_offset.push_back(d - plan.leave_restaurant);
      add_bundle(r, b.ready, g);
    }
  }
  last_.bundles = s.bundles.size();

  // 4. Arc costs for every bundle and each of its restaurant's candidate couriers.
  const std::int64_t tie_span =
      (kTieScale - 1) / static_cast<std::int64_t>(std::max<std::size_t>(
                            1, std::min(s.bundles.size(), s.couriers.size())));
  const bool chain_on = p_.chain_horizon > 0 && (shortage || !p_.chain_shortage_only);
  s.arcs.clear();
  s.arc_begin.clear();
  s.chain.clear();
  for (std::uint32_t i = 0; i < s.bundles.size(); ++i) {
    const PlannedBundle& pb = s.bundles[i];
    const auto k = static_cast<Minutes>(pb.size);
    s.arc_begin.push_back(static_cast<std::uint32_t>(s.arcs.size()));
    for (std::uint32_t ci = s.cand_range[pb.group].first; ci < s.cand_range[pb.group].second;
         ++ci) {
      const Candidate& cand = s.cand[ci];
      const CourierSpot& cs = cand.spot;
      const CourierId c = cs.id;
      if (pb.any_declines) {
        bool declined = false;
        for (std::uint32_t j = pb.first; j < pb.first + pb.size; ++j)
          declined = declined || world.declined(s.orders[j], c);
        if (declined) continue;
      }
      const Minutes depart = std::max(now, cs.free_time);
      // Same value as travel_minutes(cs.at, rest): the index already measured this distance.
      const auto travel = static_cast<Minutes>(std::ceil(cand.distance_m / sp.meters_per_minute));
      const Minutes arrive = depart + travel;
      const Minutes pickup = std::max(pb.ready, arrive + hp);
      if (pickup > cs.shift_end) continue;
      const Minutes leave = pickup + hp;
      double remaining = 0, late = 0, beyond_tail = 0;
      for (std::uint32_t j = pb.first; j < pb.first + pb.size; ++j) {
        const Minutes drop = leave + s.drop_offset[j];
        remaining += static_cast<double>(drop - now);
        if (tail >= 0 && drop - s.placed[j] > tail) beyond_tail += 1;
        // Minutes beyond the target, all of them or (late_from_now) only those still ahead.
        const Minutes late_from = p_.late_from_now
                                      ? std::max(now, s.placed[j] + sp.target_click_to_door)
                                      : s.placed[j] + sp.target_click_to_door;
        late += static_cast<double>(std::max<Minutes>(0, drop - late_from));
      }
      const double age = static_cast<double>(k * now - pb.placed_sum);
      const double wait = static_cast<double>(pickup - (arrive + hp));
      const double ahead = pace_ahead(sp, cs, now, static_cast<int>(k), p_.pace_grace);
      const double pay = paced_pay_delta(sp, cs, now, static_cast<int>(k), ahead, p_.last_call);
      const std::int64_t key = tie_key(ahead, tie_span);
      const double courier_time =
          p_.travel_weight * static_cast<double>(travel) + p_.wait_weight * wait;
      // Stranding: the guarantee the rest of the shift would have earned is paid for nothing.
      const double strand =
          pb.stranding
              ? p_.strand_weight * sp.pay_per_order *
                    guarantee_left_after(sp, cs, static_cast<int>(k),
                                         leave + s.drop_offset[pb.first + pb.size - 1] + hd)
              : 0.0;
      const double cost = remaining + late_weight * late + p_.tail_weight * beyond_tail +
                          time_scale * courier_time + p_.pay_weight * (pay + strand) -
                          p_.age_weight * age - p_.serve_value * static_cast<double>(k);
      const auto right = static_cast<std::uint32_t>(s.right_of[c]);
      if (chain_on && cs.shift_end - now <= p_.chain_horizon) {
        const std::uint32_t last = pb.first + pb.size - 1;
        s.chain.push_back(ChainArc{right, static_cast<std::uint32_t>(s.arcs.size()), i,
                                   leave + s.drop_offset[last] + hd,
                                   world.order(s.orders[last]).at});
      }
      s.arcs.push_back(MatchArc{i, right, to_cents(cost) * kTieScale + key});
    }
  }
  s.arc_begin.push_back(static_cast<std::uint32_t>(s.arcs.size()));

  // 4a. End-of-shift look-ahead: a trip after which the courier can no longer pick up bundles it
  // could take after another first trip is charged for the orders it shuts out of the shift.
  chain_look_ahead(world, now);

  // Keep only each bundle's cheapest arcs: the others are almost never in an optimal matching
  // but they glue neighbouring bundles into large flow problems.
  if (p_.arcs_per_bundle > 0) {
    std::size_t kept = 0;
    for (std::uint32_t i = 0; i < s.bundles.size(); ++i) {
      auto begin = s.arcs.begin() + static_cast<long>(s.arc_begin[i]);
      auto end = s.arcs.begin() + static_cast<long>(s.arc_begin[i + 1]);
      if (static_cast<std::size_t>(end - begin) > p_.arcs_per_bundle) {
        std::nth_element(begin, begin + static_cast<long>(p_.arcs_per_bundle - 1), end,
                         [](const MatchArc& a, const MatchArc& b) {
                           return a.cost != b.cost ? a.cost < b.cost : a.right < b.right;
                         });
        end = begin + static_cast<long>(p_.arcs_per_bundle);
      }
      for (auto it = begin; it != end; ++it) s.arcs[kept++] = *it;
    }
    s.arcs.resize(kept);
  }
  last_.arcs = s.arcs.size();

  // 5. One exact matching for the whole horizon.
  const std::vector<int>& match =
      matcher_.solve(s.bundles.size(), s.couriers.size(), s.arcs, &last_.matching);
  last_.matched_cents =
      last_.matching.total_cost >> kTieBits;  // floor: the keys sum below 2^kTieBits

  // 6. Commit only matches whose timing is right now; the rest are re-planned next epoch.
  s.commit_bundle.clear();
  for (std::size_t i = 0; i < s.bundles.size(); ++i) {
    if (match[i] < 0) continue;
    ++last_.matched;
    const auto right = static_cast<std::size_t>(match[i]);
    const CourierId c = s.couriers[right];
    // The index's snapshot is the courier's state (the world re-files a courier whenever where
    // or when it is free changes); the candidate's copy is near in memory, the world's is not.
    const CourierSpot& cs = s.cand[s.right_cand[right]].spot;
    if (cs.free_time > now) continue;  // busy: it was only holding its place in the plan
    const PlannedBundle& pb = s.bundles[i];
    const Minutes arrive =
        now + travel_minutes(cs.at, world.restaurant(pb.restaurant), sp.meters_per_minute);
    const Minutes slack = pb.ready - (arrive + hp);
    if (slack > p_.commit_slack) continue;
    const Minutes leave = std::max(pb.ready, arrive + hp) + hp;
    record_commitment(now, leave + s.drop_offset[pb.first + pb.size - 1] + hd - now, pb.size);
    // The tail's promises are an estimate: orders a trip grows by below are not counted, and an
    // order offered again after a decline is counted twice.
    if (p_.tail_weight > 0) {
      for (std::uint32_t j = pb.first; j < pb.first + pb.size; ++j)
        promised_.record(now, leave + s.drop_offset[j] - s.placed[j]);
    }
    out.push_back(Proposal{c, std::vector<OrderId>(s.orders.begin() + pb.first,
                                                   s.orders.begin() + pb.first + pb.size)});
    s.commit_bundle.push_back(static_cast<std::uint32_t>(i));
    ++last_.committed;
  }
  if (p_.last_trip_bundle && !out.empty()) {
    // Only when the whole online fleet is closing (every off-time within last_trip_horizon):
    // earlier in the day the couriers coming online replace the leaving ones' capacity.
    if (p_.last_trip_horizon <= 0 || fleet_closes_within(world, now, p_.last_trip_horizon))
      last_trip_bundling(world, now, shortage, out);
  }
  // Step 2c: in a sustained shortage a courier's trip waits a little for placed orders of its
  // restaurant rather than leaving them to a second courier's trip.
  if (p_.hold_minutes > 0 && last_.sustained && !out.empty())
    hold_for_placed(world, now, shortage, out);
  return out;
}

}  // namespace se::dispatch
