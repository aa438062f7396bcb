#include "services/dispatch/slack_policy.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "services/dispatch/route.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

namespace {

// A bundle with its drop-off offsets precomputed, so costing it for a courier is O(size).
struct PlannedBundle {
  Bundle bundle;
  std::vector<Minutes> drop_offset;  // drop-off minute minus leaving the restaurant
  std::vector<Minutes> placed;       // per order, in drop-off sequence
  bool any_declines = false;         // skip the per-courier decline check when none
  Minutes placed_sum = 0;
  Minutes oldest_placed = 0;
  std::size_t candidates = 0;        // index into the per-restaurant candidate lists
};

PlannedBundle plan_bundle(const World& world, Bundle b) {
  PlannedBundle pb;
  std::vector<Point> drops;
  for (OrderId o : b.orders) {
    drops.push_back(world.order(o).at);
    pb.placed.push_back(world.order(o).placed);
    pb.placed_sum += world.order(o).placed;
    pb.any_declines = pb.any_declines || !world.order(o).declined_by.empty();
  }
  const Point r = world.restaurant(b.restaurant);
  const RoutePlan plan = plan_route(world.params(), r, 0, r, 0, drops);
  for (Minutes d : plan.dropoff) pb.drop_offset.push_back(d - plan.leave_restaurant);
  pb.bundle = std::move(b);
  return pb;
}

// Pay is max(pay per order x orders, guaranteed pay), so an order costs nothing extra while the
// courier stays under its guarantee and full price above it. Judged against the pace that would
// reach the guarantee exactly at the end of the shift: orders beyond that pace will most likely be
// paid on top, orders within it only fill the guarantee. At the end of the shift this is exactly
// the marginal pay (up to the grace).
double paced_pay_delta(const ServiceParams& sp, const CourierSpot& cs, Minutes now, int k, double grace,
                       Minutes last_call) {
  const double shift = static_cast<double>(std::max<Minutes>(1, cs.shift_end - cs.shift_start));
  const double elapsed = std::clamp(static_cast<double>(now - cs.shift_start) / shift, 0.0, 1.0);
  const double guaranteed_orders = shift * sp.guaranteed_pay_per_hour / 60.0 / sp.pay_per_order;
  // Orders come whole, so a courier exactly on pace is up to one order ahead of the line.
  const double ahead = cs.orders_committed + k - grace - guaranteed_orders * elapsed;
  double delta = sp.pay_per_order * std::clamp(ahead, 0.0, static_cast<double>(k));
  // Near the end of its shift a courier still short of its guarantee will be paid the
  // difference anyway, so orders it can still take are (partly) free: count the saving.
  if (cs.shift_end - now <= last_call) {
    const double short_of = guaranteed_orders - cs.orders_committed;
    delta -= sp.pay_per_order * std::clamp(short_of, 0.0, static_cast<double>(k));
  }
  return delta;
}

}  // namespace

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
  if (name == "epoch") p.epoch = std::max<Minutes>(1, m);
  else if (name == "look_ahead") p.look_ahead = m;
  else if (name == "busy_look_ahead") p.busy_look_ahead = m;
  else if (name == "commit_slack") p.commit_slack = m;
  else if (name == "candidates") p.candidates = static_cast<std::size_t>(std::max(1.0, v));
  else if (name == "max_bundle") p.max_bundle = static_cast<int>(v);
  else if (name == "pressure_window") p.pressure_window = m;
  else if (name == "bundle_gap") p.bundling.max_ready_gap = m;
  else if (name == "bundle_delay") p.bundling.max_extra_delay = m;
  else if (name == "travel_weight") p.travel_weight = v;
  else if (name == "wait_weight") p.wait_weight = v;
  else if (name == "pay_weight") p.pay_weight = v;
  else if (name == "age_weight") p.age_weight = v;
  else if (name == "late_weight") p.late_weight = v;
  else if (name == "serve_value") p.serve_value = v;
  else if (name == "pace_grace") p.pace_grace = v;
  else if (name == "last_call") p.last_call = m;
  else if (name == "arcs_per_bundle") p.arcs_per_bundle = static_cast<std::size_t>(std::max(0.0, v));
  else if (name == "scale_time_by_pressure") p.scale_time_by_pressure = v != 0;
  else throw std::invalid_argument("unknown slack policy parameter '" + name + "'");
}

std::vector<Proposal> SlackPolicy::decide(const World& world, Minutes now) {
  last_ = {};
  std::vector<Proposal> out;
  if (p_.epoch > 1 && now % p_.epoch != 0) return out;
  const ServiceParams& sp = world.params();
  const Minutes hp = half_service(sp.pickup_service);

  // 1. Due orders by restaurant, in ready order.
  std::map<RestaurantId, std::vector<OrderId>> due;
  std::size_t demand = 0;
  for (OrderId o : world.pending()) {
    const OrderState& os = world.order(o);
    if (os.ready > now + p_.look_ahead) continue;
    due[os.restaurant].push_back(o);
    ++last_.due_orders;
    if (os.ready <= now + p_.pressure_window) ++demand;
  }
  if (due.empty()) return out;

  // 2. Candidate couriers per restaurant from the grid index: free now or soon, still on shift.
  auto eligible = [&](const CourierSpot& cs) {
    return cs.free_time <= now + p_.busy_look_ahead && cs.shift_end >= std::max(now, cs.free_time);
  };
  std::vector<std::vector<Candidate>> cand_lists;
  cand_lists.reserve(due.size());
  // Right side of the matching, in order of first appearance (deterministic: restaurants are
  // visited in id order and candidates nearest first).
  std::vector<CourierId> couriers;
  std::vector<int> right_of(world.courier_count(), -1);
  std::vector<Candidate> near;
  for (auto& [r, orders] : due) {
    std::sort(orders.begin(), orders.end(), [&](OrderId a, OrderId b) {
      const Minutes ra = world.order(a).ready, rb = world.order(b).ready;
      return ra != rb ? ra < rb : a < b;
    });
    world.available().nearest(world.restaurant(r), p_.candidates + orders.size(), eligible, near);
    cand_lists.push_back(near);
    for (const Candidate& c : near) {
      if (right_of[c.spot.id] >= 0) continue;
      right_of[c.spot.id] = static_cast<int>(couriers.size());
      couriers.push_back(c.spot.id);
    }
  }
  last_.couriers = couriers.size();

  // 3. Bundles sized to the pressure of due orders on available couriers.
  BundlingRules rules = p_.bundling;
  rules.max_size = target_bundle_size(demand, couriers.size(), p_.max_bundle);
  // Courier minutes are worth saving only when couriers are scarce; when most of them idle, a
  // longer ride costs nothing and pay balance (who reaches the guarantee) matters more.
  const double pressure = std::min(
      1.0, static_cast<double>(demand) / static_cast<double>(std::max<std::size_t>(couriers.size(), 1)));
  const double time_scale = p_.scale_time_by_pressure ? pressure : 1.0;
  std::vector<PlannedBundle> bundles;
  std::size_t list = 0;
  for (const auto& [r, orders] : due) {
    for (Bundle& b : bundle_restaurant_orders(world, orders, rules, now)) {
      bundles.push_back(plan_bundle(world, std::move(b)));
      bundles.back().candidates = list;
    }
    ++list;
  }
  last_.bundles = bundles.size();

  // 4. Arc costs for every bundle and each of its restaurant's candidate couriers.
  std::vector<MatchArc> arcs;
  for (std::uint32_t i = 0; i < bundles.size(); ++i) {
    const PlannedBundle& pb = bundles[i];
    const Bundle& b = pb.bundle;
    const auto k = static_cast<Minutes>(b.orders.size());
    const std::size_t first_arc = arcs.size();
    for (const Candidate& cand : cand_lists[pb.candidates]) {
      const CourierSpot& cs = cand.spot;
      const CourierId c = cs.id;
      if (pb.any_declines) {
        bool declined = false;
        for (OrderId o : b.orders) declined = declined || world.declined(o, c);
        if (declined) continue;
      }
      const Minutes depart = std::max(now, cs.free_time);
      // Same value as travel_minutes(cs.at, rest): the index already measured this distance.
      const auto travel = static_cast<Minutes>(std::ceil(cand.distance_m / sp.meters_per_minute));
      const Minutes arrive = depart + travel;
      const Minutes pickup = std::max(b.ready, arrive + hp);
      if (pickup > cs.shift_end) continue;
      const Minutes leave = pickup + hp;
      double remaining = 0, late = 0;
      for (std::size_t j = 0; j < b.orders.size(); ++j) {
        const Minutes drop = leave + pb.drop_offset[j];
        remaining += static_cast<double>(drop - now);
        late += static_cast<double>(std::max<Minutes>(0, drop - pb.placed[j] - sp.target_click_to_door));
      }
      const double age = static_cast<double>(k * now - pb.placed_sum);
      const double wait = static_cast<double>(pickup - (arrive + hp));
      const double pay = paced_pay_delta(sp, cs, now, static_cast<int>(k), p_.pace_grace, p_.last_call);
      const double courier_time = p_.travel_weight * static_cast<double>(travel) + p_.wait_weight * wait;
      const double cost = remaining + p_.late_weight * late + time_scale * courier_time +
                          p_.pay_weight * pay - p_.age_weight * age - p_.serve_value * static_cast<double>(k);
      const auto right = static_cast<std::uint32_t>(right_of[c]);
      arcs.push_back(MatchArc{i, right, static_cast<std::int64_t>(std::llround(cost * 100.0))});
    }
    // Keep only the bundle's cheapest arcs: the others are almost never in an optimal matching
    // but they glue neighbouring bundles into large flow problems.
    if (p_.arcs_per_bundle > 0 && arcs.size() - first_arc > p_.arcs_per_bundle) {
      auto begin = arcs.begin() + static_cast<long>(first_arc);
      std::nth_element(begin, begin + static_cast<long>(p_.arcs_per_bundle - 1), arcs.end(),
                       [](const MatchArc& a, const MatchArc& b) {
                         return a.cost != b.cost ? a.cost < b.cost : a.right < b.right;
                       });
      arcs.resize(first_arc + p_.arcs_per_bundle);
    }
  }
  last_.arcs = arcs.size();

  // 5. One exact matching for the whole horizon.
  const std::vector<int> match = min_cost_matching(bundles.size(), couriers.size(), arcs, &last_.matching);

  // 6. Commit only matches whose timing is right now; the rest are re-planned next epoch.
  for (std::size_t i = 0; i < bundles.size(); ++i) {
    if (match[i] < 0) continue;
    ++last_.matched;
    const CourierId c = couriers[static_cast<std::size_t>(match[i])];
    const CourierState& cs = world.courier(c);
    if (cs.free_time > now) continue;  // busy: it was only holding its place in the plan
    const Bundle& b = bundles[i].bundle;
    const Minutes arrive =
        now + travel_minutes(cs.free_point, world.restaurant(b.restaurant), sp.meters_per_minute);
    const Minutes slack = b.ready - (arrive + hp);
    if (slack > p_.commit_slack) continue;
    out.push_back(Proposal{c, b.orders});
    ++last_.committed;
  }
  return out;
}

}  // namespace se::dispatch
