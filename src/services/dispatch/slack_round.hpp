// The slack policy's per-round working state, shared by the translation units that implement
// its steps (slack_policy.cpp: candidates, bundles, arc costs, matching, commitment;
// slack_end_of_shift.cpp: the late couriers' look-ahead; slack_trip_growth.cpp: orders taken
// along by committed trips). Not part of the library's interface.
#pragma once
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "services/dispatch/min_cost_matching.hpp"
#include "services/dispatch/slack_policy.hpp"
#include "services/dispatch/spatial_index.hpp"

namespace se::dispatch::slack_detail {

// A bundle with its drop-off offsets precomputed, so costing it for a courier is O(size). Its
// orders, offsets and placement times live in the round's flat arrays at [first, first + size).
struct PlannedBundle {
  RestaurantId restaurant = 0;
  Minutes ready = 0;
  std::uint32_t first = 0;
  std::uint32_t size = 0;
  std::uint32_t group = 0;    // index of the restaurant's candidate list
  bool any_declines = false;  // skip the per-courier decline check when none
  bool stranding = false;     // its last drop-off is where few orders are placed (strand_reach)
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

// Matching costs are whole hundredths of a minute; rounds half away from zero like llround,
// without the library call (one per arc). Clamped to +-2^31 cents (some 40 years of minutes; real
// arcs stay below 2^20) so that shifting in the tie-break key below can never overflow.
inline std::int64_t to_cents(double cost) {
  constexpr double kMaxCents = 2147483648.0;  // 2^31
  const double c = std::clamp(cost * 100.0, -kMaxCents, kMaxCents);
  // NOLINTNEXTLINE(bugprone-incorrect-roundings): half away from zero by hand, as said above
  return c >= 0 ? static_cast<std::int64_t>(c + 0.5) : -static_cast<std::int64_t>(-c + 0.5);
}

}  // namespace se::dispatch::slack_detail

namespace se::dispatch {

struct SlackPolicy::Scratch {
  std::vector<slack_detail::DueOrder> due;  // sorted by restaurant, then ready time
  std::vector<std::uint32_t> group_begin;   // restaurant groups in `due`
  std::vector<std::uint32_t> due_count;     // sorting `due`: orders per restaurant
  std::vector<slack_detail::DueOrder> due_sorted;
  std::vector<Candidate> cand;  // candidate couriers of every group, nearest first
  std::vector<std::pair<std::uint32_t, std::uint32_t>> cand_range;   // per group, into `cand`
  std::vector<std::pair<std::uint64_t, std::uint32_t>> query_order;  // (locality key, group)
  std::vector<Candidate> near;
  std::vector<Candidate> unpaid;    // the round's couriers one more order costs no pay (step 2d)
  std::vector<CourierId> couriers;  // right side of the matching
  std::vector<std::uint32_t> right_cand;  // per right index: one of its entries in `cand`
  std::vector<int> right_of;              // courier id -> right index, -1 if not a candidate
  std::vector<slack_detail::PlannedBundle> bundles;
  std::vector<OrderId> orders;       // flat per-bundle arrays (drop-off sequence)
  std::vector<Minutes> drop_offset;  // drop-off minute minus leaving the restaurant
  std::vector<Minutes> placed;
  std::vector<OrderId> group_orders;
  std::vector<Point> drops;
  std::vector<MatchArc> arcs;
  std::vector<std::uint32_t> arc_begin;  // per bundle, into `arcs` (and one past the last)
  std::vector<slack_detail::ChainArc> chain;
  std::vector<std::uint32_t> chain_follow;
  std::vector<std::uint32_t> chain_short;    // per chain arc: orders the joint plan loses with it
  std::vector<std::uint32_t> commit_bundle;  // per proposal of the round: its bundle
};

}  // namespace se::dispatch
