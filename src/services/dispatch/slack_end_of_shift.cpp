// Step 4a/4b of the slack policy's round: couriers near the end of their shift are charged for
// the orders a trip shuts out of the rest of their shift, alone (chain_look_ahead) and planned
// together with the other late couriers (joint_look_ahead). See docs/dispatch.md.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "services/dispatch/slack_round.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

using slack_detail::ChainArc;
using slack_detail::PlannedBundle;
using slack_detail::to_cents;

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

}  // namespace se::dispatch
