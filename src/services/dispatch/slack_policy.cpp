#include "services/dispatch/slack_policy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>

#include "services/dispatch/route.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

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

// A bundle with its drop-off offsets precomputed, so costing it for a courier is O(size). Its
// orders, offsets and placement times live in the round's flat arrays at [first, first + size).
struct PlannedBundle {
  RestaurantId restaurant = 0;
  Minutes ready = 0;
  std::uint32_t first = 0;
  std::uint32_t size = 0;
  std::uint32_t group = 0;    // index of the restaurant's candidate list
  bool any_declines = false;  // skip the per-courier decline check when none
  Minutes placed_sum = 0;
};

// An arc of a courier near the end of its shift, for the end-of-shift look-ahead: where and
// when the courier is free again after the arc's bundle.
struct ChainArc {
  std::uint32_t right = 0;
  std::uint32_t arc = 0;
  std::uint32_t bundle = 0;
  Minutes free_after = 0;
  Point last_drop;
  friend bool operator<(const ChainArc& a, const ChainArc& b) {
    return a.right != b.right ? a.right < b.right : a.arc < b.arc;
  }
};

struct DueOrder {
  RestaurantId restaurant = 0;
  Minutes ready = 0;
  OrderId order = 0;
  friend bool operator<(const DueOrder& a, const DueOrder& b) {
    return a.restaurant != b.restaurant
               ? a.restaurant < b.restaurant
               : (a.ready != b.ready ? a.ready < b.ready : a.order < b.order);
  }
};

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

// Matching costs are whole hundredths of a minute; rounds half away from zero like llround,
// without the library call (one per arc). Clamped to +-2^31 cents (some 40 years of minutes; real
// arcs stay below 2^20) so that shifting in the tie-break key below can never overflow.
std::int64_t to_cents(double cost) {
  constexpr double kMaxCents = 2147483648.0;  // 2^31
  const double c = std::clamp(cost * 100.0, -kMaxCents, kMaxCents);
  // NOLINTNEXTLINE(bugprone-incorrect-roundings): half away from zero by hand, as said above
  return c >= 0 ? static_cast<std::int64_t>(c + 0.5) : -static_cast<std::int64_t>(-c + 0.5);
}

// Orders a courier would be ahead of the pace that reaches its guarantee exactly at the end of
// its shift, after taking k more (negative: behind, so the guarantee still pays for them).
double pace_ahead(const ServiceParams& sp, const CourierSpot& cs, Minutes now, int k,
                  double grace) {
  const double shift = static_cast<double>(std::max<Minutes>(1, cs.shift_end - cs.shift_start));
  const double elapsed = std::clamp(static_cast<double>(now - cs.shift_start) / shift, 0.0, 1.0);
  const double guaranteed_orders = shift * sp.guaranteed_pay_per_hour / 60.0 / sp.pay_per_order;
  // Orders come whole, so a courier exactly on pace is up to one order ahead of the line.
  return cs.orders_committed + k - grace - guaranteed_orders * elapsed;
}

// Pay is max(pay per order x orders, guaranteed pay), so an order costs nothing extra while the
// courier stays under its guarantee and full price above it. Judged against the pace that would
// reach the guarantee exactly at the end of the shift: orders beyond that pace will most likely be
// paid on top, orders within it only fill the guarantee. At the end of the shift this is exactly
// the marginal pay (up to the grace).
double paced_pay_delta(const ServiceParams& sp, const CourierSpot& cs, Minutes now, int k,
                       double ahead, Minutes last_call) {
  double delta = sp.pay_per_order * std::clamp(ahead, 0.0, static_cast<double>(k));
  // Near the end of its shift a courier still short of its guarantee will be paid the
  // difference anyway, so orders it can still take are (partly) free: count the saving.
  if (cs.shift_end - now <= last_call) {
    const double shift = static_cast<double>(std::max<Minutes>(1, cs.shift_end - cs.shift_start));
    const double guaranteed_orders = shift * sp.guaranteed_pay_per_hour / 60.0 / sp.pay_per_order;
    const double short_of = guaranteed_orders - cs.orders_committed;
    delta -= sp.pay_per_order * std::clamp(short_of, 0.0, static_cast<double>(k));
  }
  return delta;
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

struct SlackPolicy::Scratch {
  std::vector<DueOrder> due;               // sorted by restaurant, then ready time
  std::vector<std::uint32_t> group_begin;  // restaurant groups in `due`
  std::vector<std::uint32_t> due_count;    // sorting `due`: orders per restaurant
  std::vector<DueOrder> due_sorted;
  std::vector<Candidate> cand;  // candidate couriers of every group, nearest first
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cand_range;   // per group, into `cand`
  std::vector<std::pair<std::uint64_t, std::uint32_t>> query_order;  // (locality key, group)
  std::vector<Candidate> near;
  std::vector<Candidate> unpaid;    // the round's couriers one more order costs no pay (step 2d)
  std::vector<CourierId> couriers;  // right side of the matching
  std::vector<std::uint32_t> right_cand;  // per right index: one of its entries in `cand`
  std::vector<int> right_of;              // courier id -> right index, -1 if not a candidate
  std::vector<PlannedBundle> bundles;
  std::vector<OrderId> orders;       // flat per-bundle arrays (drop-off sequence)
  std::vector<Minutes> drop_offset;  // drop-off minute minus leaving the restaurant
  std::vector<Minutes> placed;
  std::vector<OrderId> group_orders;
  std::vector<Point> drops;
  std::vector<MatchArc> arcs;
  std::vector<std::uint32_t> arc_begin;  // per bundle, into `arcs` (and one past the last)
  std::vector<ChainArc> chain;
  std::vector<std::uint32_t> chain_follow;
  std::vector<std::uint32_t> chain_short;    // per chain arc: orders the joint plan loses with it
  std::vector<std::uint32_t> commit_bundle;  // per proposal of the round: its bundle
};

SlackPolicy::SlackPolicy(SlackPolicyParams params)
    : p_(params), scratch_(std::make_unique<Scratch>()) {}
SlackPolicy::~SlackPolicy() = default;

void apply_override(SlackPolicyParams& p, std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos) throw std::invalid_argument("expected name=value");
  const std::string name(assignment.substr(0, eq));
  const std::string text(assignment.substr(eq + 1));
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    throw std::invalid_argument("bad value for " + name + ": " + text);
  }
  const auto m = static_cast<Minutes>(v);
  if (name == "epoch")
    p.epoch = std::max<Minutes>(1, m);
  else if (name == "look_ahead")
    p.look_ahead = m;
  else if (name == "busy_look_ahead")
    p.busy_look_ahead = m;
  else if (name == "commit_slack")
    p.commit_slack = m;
  else if (name == "candidates")
    p.candidates = static_cast<std::size_t>(std::max(1.0, v));
  else if (name == "min_candidates")
    p.min_candidates = static_cast<std::size_t>(std::max(1.0, v));
  else if (name == "rival_factor")
    p.rival_factor = v;
  else if (name == "shortage_ratio")
    p.shortage_ratio = v;
  else if (name == "burst_shortage_ratio")
    p.burst_shortage_ratio = v;
  else if (name == "shortage_max_bundle")
    p.shortage_max_bundle = static_cast<int>(v);
  else if (name == "late_from_now")
    p.late_from_now = v != 0;
  else if (name == "chain_horizon")
    p.chain_horizon = m;
  else if (name == "chain_weight")
    p.chain_weight = v;
  else if (name == "chain_trips")
    p.chain_trips = static_cast<int>(v);
  else if (name == "chain_shortage_only")
    p.chain_shortage_only = v != 0;
  else if (name == "chain_joint_budget")
    p.chain_joint_budget = static_cast<std::size_t>(std::max(0.0, v));
  else if (name == "closing_horizon")
    p.closing_horizon = m;
  else if (name == "last_trip_bundle")
    p.last_trip_bundle = v != 0;
  else if (name == "last_trip_slack")
    p.last_trip_slack = m;
  else if (name == "last_trip_delay")
    p.last_trip_delay = m;
  else if (name == "last_trip_horizon")
    p.last_trip_horizon = m;
  else if (name == "sustained_shortage")
    p.sustained_shortage = m;
  else if (name == "sustained_busy_look_ahead")
    p.sustained_busy_look_ahead = m;
  else if (name == "deficit_ratio")
    p.deficit_ratio = v;
  else if (name == "deficit_window")
    p.deficit_window = std::max<Minutes>(1, m);
  else if (name == "deficit_horizon")
    p.deficit_horizon = std::max<Minutes>(0, m);
  else if (name == "deficit_trip_minutes")
    p.deficit_trip_minutes = std::max(1.0, v);
  else if (name == "hold_minutes")
    p.hold_minutes = m;
  else if (name == "hold_slack")
    p.hold_slack = m;
  else if (name == "pay_candidates")
    p.pay_candidates = static_cast<std::size_t>(std::max(0.0, v));
  else if (name == "pay_reach")
    p.pay_reach = m;
  else if (name == "max_bundle")
    p.max_bundle = static_cast<int>(v);
  else if (name == "pressure_window")
    p.pressure_window = m;
  else if (name == "bundle_gap")
    p.bundling.max_ready_gap = m;
  else if (name == "bundle_delay")
    p.bundling.max_extra_delay = m;
  else if (name == "travel_weight")
    p.travel_weight = v;
  else if (name == "wait_weight")
    p.wait_weight = v;
  else if (name == "pay_weight")
    p.pay_weight = v;
  else if (name == "age_weight")
    p.age_weight = v;
  else if (name == "late_weight")
    p.late_weight = v;
  else if (name == "serve_value")
    p.serve_value = v;
  else if (name == "pace_grace")
    p.pace_grace = v;
  else if (name == "last_call")
    p.last_call = m;
  else if (name == "arcs_per_bundle")
    p.arcs_per_bundle = static_cast<std::size_t>(std::max(0.0, v));
  else if (name == "scale_time_by_pressure")
    p.scale_time_by_pressure = v != 0;
  else
    throw std::invalid_argument("unknown slack policy parameter '" + name + "'");
}

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

// For each courier near the end of its shift, over its arcs of this round: F(a) = orders of the
// best chain_trips (1 or 2) further trips, each one bundle of the round not yet in the chain, it
// could still pick up (before its off-time) after arc a's trip, and M = the largest F over its
// arcs. Arc a is charged chain_weight x serve_value x (M - F(a)), so that among this courier's
// arcs the matching weighs |a| + F(a), the orders of its next trips planned together: M - F(a)
// are the orders a's trip shuts out of the courier's shift compared with its best first trip.
// Couriers whose every trip leaves time for the rest are unchanged (F = M). Each courier is
// planned alone (another courier may serve the bundles counted in F), so this is a heuristic;
// with chain_joint_budget the joint plan of all late couriers (joint_look_ahead) is searched too
// and each arc is charged the larger of the two shortfalls.
// Deterministic: arcs are visited by courier, then in arc order.
void SlackPolicy::chain_look_ahead(const World& world, Minutes now) {
  Scratch& s = *scratch_;
  last_.chain_arcs = s.chain.size();
  if (s.chain.empty() || p_.chain_trips <= 0) return;
  const ServiceParams& sp = world.params();
  const Minutes hp = half_service(sp.pickup_service);
  const Minutes hd = half_service(sp.dropoff_service);
  std::sort(s.chain.begin(), s.chain.end());
  std::vector<std::uint32_t>& shortfall = s.chain_short;
  shortfall.assign(s.chain.size(), 0);
  const bool joint = p_.chain_joint_budget > 0 && joint_look_ahead(world, now);
  std::vector<std::uint32_t>& follow = s.chain_follow;
  for (std::size_t lo = 0; lo < s.chain.size();) {
    std::size_t hi = lo;
    while (hi < s.chain.size() && s.chain[hi].right == s.chain[lo].right) ++hi;
    const Minutes off = world.courier(s.couriers[s.chain[lo].right]).shift_end;
    std::uint32_t largest = 0;
    for (std::size_t a = lo; a < hi; ++a)
      largest = std::max(largest, s.bundles[s.chain[a].bundle].size);
    // Pickup minute of bundle b by a courier free at `free` at `from`, or -1 after the off-time.
    auto pickup_after = [&](const PlannedBundle& b, Point from, Minutes free) -> Minutes {
      const Minutes pickup = std::max(
          b.ready,
          free + travel_minutes(from, world.restaurant(b.restaurant), sp.meters_per_minute) + hp);
      return pickup <= off ? pickup : -1;
    };
    follow.assign(hi - lo, 0);
    std::uint32_t best = 0;
    for (std::size_t a = lo; a < hi; ++a) {
      const ChainArc& ca = s.chain[a];
      std::uint32_t f = 0;  // orders of the best one or two trips after this one
      for (std::size_t b = lo; b < hi; ++b) {
        const ChainArc& cb = s.chain[b];
        const PlannedBundle& nb = s.bundles[cb.bundle];
        if (cb.bundle == ca.bundle) continue;
        if (nb.size + (p_.chain_trips >= 2 ? largest : 0) <= f) continue;  // cannot beat f
        const Minutes pickup = pickup_after(nb, ca.last_drop, ca.free_after);
        if (pickup < 0) continue;
        std::uint32_t v = nb.size;
        if (p_.chain_trips >= 2) {
          const std::uint32_t last = nb.first + nb.size - 1;
          const Minutes free2 = pickup + hp + s.drop_offset[last] + hd;
          std::uint32_t third = 0;
          for (std::size_t c = lo; c < hi; ++c) {
            const ChainArc& cc = s.chain[c];
            const PlannedBundle& nc = s.bundles[cc.bundle];
            if (cc.bundle == ca.bundle || cc.bundle == cb.bundle || nc.size <= third) continue;
            if (pickup_after(nc, cb.last_drop, free2) >= 0) third = nc.size;
          }
          v += third;
        }
        f = std::max(f, v);
      }
      follow[a - lo] = f;
      best = std::max(best, f);
    }
    for (std::size_t a = lo; a < hi; ++a) {
      std::uint32_t shut_out = best - follow[a - lo];
      if (joint) shut_out = std::max(shut_out, shortfall[a]);
      if (shut_out == 0) continue;
      s.arcs[s.chain[a].arc].cost +=
          to_cents(p_.chain_weight * p_.serve_value * static_cast<double>(shut_out)) * kTieScale;
      ++last_.chain_charged;
    }
    lo = hi;
  }
}

// Joint plan of the late couriers (s.chain sorted by courier), filling s.chain_short. Chains: for
// each late courier of the matching, every sequence of up to 1 + chain_trips distinct bundles
// among those it has arcs to, the first one of its arcs, each next one picked up before its
// off-time (same timing as above); for each late courier outside the matching the same over all
// those bundles, from where and when it is free. best(k, used) = the most orders couriers k..
// (one skipped) serve with the bundles outside `used`, memoised on (k, used). J(arc) = best
// chain starting with the arc + best of all other couriers; chain_short = the courier's largest J
// minus J(arc). Returns false (nothing computed) when the bundles exceed 64 or the search its
// budget; deterministic (couriers in index order, chains in a fixed order, the memo only looked
// up).
bool SlackPolicy::joint_look_ahead(const World& world, Minutes now) {
  Scratch& s = *scratch_;
  const ServiceParams& sp = world.params();
  const Minutes hp = half_service(sp.pickup_service);
  const Minutes hd = half_service(sp.dropoff_service);
  std::size_t budget = p_.chain_joint_budget;
  auto spend = [&](std::size_t n) {
    if (n > budget) return false;
    budget -= n;
    return true;
  };
  // The couriers outside the matching are found by scanning every courier: a large fleet (a
  // city, not the end of a day) is beyond the budget at once.
  if (!spend(world.courier_count())) return false;
  // Local bit of every bundle some late courier can take.
  std::vector<int> bit(s.bundles.size(), -1);
  std::vector<std::uint32_t> bit_size;
  for (const ChainArc& ca : s.chain) {
    if (bit[ca.bundle] >= 0) continue;
    if (bit_size.size() == 64) return false;
    bit[ca.bundle] = static_cast<int>(bit_size.size());
    bit_size.push_back(s.bundles[ca.bundle].size);
  }
  constexpr std::uint32_t kNoArc = std::numeric_limits<std::uint32_t>::max();
  struct Chain {
    std::uint64_t mask = 0;
    std::uint32_t orders = 0;
    std::uint32_t first = 0;  // index into s.chain of its first trip
  };
  std::vector<std::pair<std::size_t, std::size_t>> range;  // per courier, into s.chain
  std::vector<std::vector<Chain>> chains;                  // per courier
  for (std::size_t lo = 0; lo < s.chain.size();) {
    std::size_t hi = lo;
    while (hi < s.chain.size() && s.chain[hi].right == s.chain[lo].right) ++hi;
    const Minutes off = world.courier(s.couriers[s.chain[lo].right]).shift_end;
    auto pickup_after = [&](const PlannedBundle& b, Point from, Minutes free) -> Minutes {
      const Minutes pickup = std::max(
          b.ready,
          free + travel_minutes(from, world.restaurant(b.restaurant), sp.meters_per_minute) + hp);
      return pickup <= off ? pickup : -1;
    };
    std::vector<Chain> cs;
    for (std::size_t a = lo; a < hi; ++a) {
      const ChainArc& ca = s.chain[a];
      const std::uint64_t m1 = std::uint64_t{1} << bit[ca.bundle];
      const std::uint32_t o1 = s.bundles[ca.bundle].size;
      cs.push_back(Chain{m1, o1, static_cast<std::uint32_t>(a)});
      if (!spend(hi - lo)) return false;
      for (std::size_t b = lo; b < hi; ++b) {
        const ChainArc& cb = s.chain[b];
        if (cb.bundle == ca.bundle) continue;
        const PlannedBundle& nb = s.bundles[cb.bundle];
        const Minutes pickup = pickup_after(nb, ca.last_drop, ca.free_after);
        if (pickup < 0) continue;
        const std::uint64_t m2 = m1 | (std::uint64_t{1} << bit[cb.bundle]);
        cs.push_back(Chain{m2, o1 + nb.size, static_cast<std::uint32_t>(a)});
        if (p_.chain_trips < 2) continue;
        if (!spend(hi - lo)) return false;
        const Minutes free2 = pickup + hp + s.drop_offset[nb.first + nb.size - 1] + hd;
        for (std::size_t c = lo; c < hi; ++c) {
          const ChainArc& cc = s.chain[c];
          if (cc.bundle == ca.bundle || cc.bundle == cb.bundle) continue;
          if (pickup_after(s.bundles[cc.bundle], cb.last_drop, free2) < 0) continue;
          cs.push_back(Chain{m2 | (std::uint64_t{1} << bit[cc.bundle]),
                             o1 + nb.size + s.bundles[cc.bundle].size,
                             static_cast<std::uint32_t>(a)});
        }
      }
    }
    if (!spend(cs.size())) return false;
    range.emplace_back(lo, hi);
    chains.push_back(std::move(cs));
    lo = hi;
  }
  const std::size_t late = chains.size();
  // Couriers near their off-time that are not in this round's matching (busy beyond
  // busy_look_ahead, or beyond every restaurant's nearest candidates) take part in the plan as
  // capacity only: from where and when they are free, any of the bundles above.
  {
    std::vector<std::uint32_t> local;  // bundles with a bit, in bit order
    local.resize(bit_size.size());
    for (std::uint32_t i = 0; i < s.bundles.size(); ++i) {
      if (bit[i] >= 0) local[static_cast<std::size_t>(bit[i])] = i;
    }
    auto last_point = [&](const PlannedBundle& b) {
      return world.order(s.orders[b.first + b.size - 1]).at;
    };
    for (CourierId id = 0; id < world.courier_count(); ++id) {
      const CourierState& cs = world.courier(id);
      if (!cs.online || s.right_of[id] >= 0 || cs.shift_end - now > p_.chain_horizon) continue;
      if (cs.shift_end < std::max(now, cs.free_time)) continue;
      const Minutes off = cs.shift_end;
      // Pickup minute and free minute after bundle b from (from, free), or -1 after the off-time.
      auto trip = [&](std::uint32_t b, Point from, Minutes free, Minutes& after) -> bool {
        const PlannedBundle& pb = s.bundles[b];
        const Minutes pickup = std::max(
            pb.ready,
            free + travel_minutes(from, world.restaurant(pb.restaurant), sp.meters_per_minute) +
                hp);
        after = pickup + hp + s.drop_offset[pb.first + pb.size - 1] + hd;
        return pickup <= off;
      };
      std::vector<Chain> cs2;
      const std::size_t m = local.size();
      for (std::size_t x = 0; x < m; ++x) {
        Minutes f1 = 0;
        if (!trip(local[x], cs.free_point, std::max(now, cs.free_time), f1)) continue;
        const std::uint64_t m1 = std::uint64_t{1} << x;
        cs2.push_back(Chain{m1, bit_size[x], kNoArc});
        if (p_.chain_trips < 1) continue;
        if (!spend(m)) return false;
        for (std::size_t y = 0; y < m; ++y) {
          Minutes f2 = 0;
          if (y == x || !trip(local[y], last_point(s.bundles[local[x]]), f1, f2)) continue;
          const std::uint64_t m2 = m1 | (std::uint64_t{1} << y);
          cs2.push_back(Chain{m2, bit_size[x] + bit_size[y], kNoArc});
          if (p_.chain_trips < 2) continue;
          if (!spend(m)) return false;
          for (std::size_t z = 0; z < m; ++z) {
            Minutes f3 = 0;
            if (z == x || z == y || !trip(local[z], last_point(s.bundles[local[y]]), f2, f3))
              continue;
            cs2.push_back(Chain{m2 | (std::uint64_t{1} << z),
                                bit_size[x] + bit_size[y] + bit_size[z], kNoArc});
          }
        }
      }
      if (cs2.empty()) continue;
      if (!spend(cs2.size())) return false;
      chains.push_back(std::move(cs2));
    }
  }
  const std::size_t n = chains.size();
  // For the search only the set of bundles matters: one chain per (mask), largest first.
  std::vector<std::vector<Chain>> sets(n);
  for (std::size_t k = 0; k < n; ++k) {
    sets[k] = chains[k];
    std::sort(sets[k].begin(), sets[k].end(), [](const Chain& a, const Chain& b) {
      return a.orders != b.orders ? a.orders > b.orders : a.mask < b.mask;
    });
    sets[k].erase(std::unique(sets[k].begin(), sets[k].end(),
                              [](const Chain& a, const Chain& b) { return a.mask == b.mask; }),
                  sets[k].end());
    // Equal masks have equal orders, so they are adjacent in this order.
  }
  auto left = [&](std::uint64_t used) {
    std::uint32_t v = 0;
    for (std::size_t b = 0; b < bit_size.size(); ++b) {
      if ((used >> b & 1U) == 0) v += bit_size[b];
    }
    return v;
  };
  std::vector<std::unordered_map<std::uint64_t, std::uint32_t>> memo(n + 1);
  bool over = false;
  std::size_t skip = 0;
  // Most orders couriers k.. (except `skip`) serve with the bundles outside `used`.
  auto best = [&](auto&& self, std::size_t k, std::uint64_t used) -> std::uint32_t {
    if (k == skip) ++k;
    if (k >= n || over) return 0;
    auto it = memo[k].find(used);
    if (it != memo[k].end()) return it->second;
    const std::uint32_t bound = left(used);
    std::uint32_t v = self(self, k + 1, used);  // courier k takes nothing more
    for (const Chain& c : sets[k]) {
      if (v >= bound || over) break;
      if ((c.mask & used) != 0) continue;
      if (!spend(1)) {
        over = true;
        break;
      }
      v = std::max(v, c.orders + self(self, k + 1, used | c.mask));
    }
    memo[k].emplace(used, v);
    return v;
  };
  std::vector<std::uint32_t> follow;
  for (std::size_t k = 0; k < late; ++k) {
    skip = k;
    for (auto& m : memo) m.clear();
    const auto [lo, hi] = range[k];
    follow.assign(hi - lo, 0);
    std::uint32_t top = 0;
    for (const Chain& c : chains[k]) {
      const std::uint32_t v = c.orders + best(best, 0, c.mask);
      if (over) return false;
      follow[c.first - lo] = std::max(follow[c.first - lo], v);
      top = std::max(top, v);
    }
    // J(arc) includes the arc's own orders, which the matching rewards again: weigh each order
    // of the joint shortfall above the spread of the courier's bundle sizes, so a trip whose
    // plan serves fewer orders never wins on its own size (equal J: the larger trip still wins).
    std::uint32_t smallest = std::numeric_limits<std::uint32_t>::max(), largest = 0;
    for (std::size_t a = lo; a < hi; ++a) {
      smallest = std::min(smallest, s.bundles[s.chain[a].bundle].size);
      largest = std::max(largest, s.bundles[s.chain[a].bundle].size);
    }
    for (std::size_t a = lo; a < hi; ++a) {
      s.chain_short[a] = (1 + largest - smallest) * (top - follow[a - lo]);
    }
  }
  last_.chain_joint = true;
  return true;
}

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
  // Orders placed after the previous round are new (after a gap: those placed this minute).
  const Minutes seen_until = consecutive ? previous_round_ : now - 1;
  previous_round_ = now;
  const ServiceParams& sp = world.params();
  const Minutes hp = half_service(sp.pickup_service);
  const Minutes hd = half_service(sp.dropoff_service);
  Scratch& s = *scratch_;

  // 1. Due orders by restaurant, in ready order.
  s.due.clear();
  std::size_t demand = 0, arrived = 0;
  for (OrderId o : world.pending()) {
    const OrderState& os = world.order(o);
    if (os.placed > seen_until) ++arrived;
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
      double remaining = 0, late = 0;
      for (std::uint32_t j = pb.first; j < pb.first + pb.size; ++j) {
        const Minutes drop = leave + s.drop_offset[j];
        remaining += static_cast<double>(drop - now);
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
      const double cost = remaining + late_weight * late + time_scale * courier_time +
                          p_.pay_weight * pay - p_.age_weight * age -
                          p_.serve_value * static_cast<double>(k);
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
