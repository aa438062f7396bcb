// The slack policy's "name=value" parameter overrides (--param), by field name.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "services/dispatch/slack_policy.hpp"

namespace se::dispatch {

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
  else if (name == "strand_reach")
    p.strand_reach = std::max<Minutes>(0, m);
  else if (name == "strand_orders")
    p.strand_orders = static_cast<std::size_t>(std::max(0.0, v));
  else if (name == "strand_weight")
    p.strand_weight = v;
  else if (name == "tail_weight")
    p.tail_weight = v;
  else if (name == "tail_quantile")
    p.tail_quantile = std::clamp(v, 0.0, 1.0);
  else if (name == "tail_window")
    p.tail_window = std::max<Minutes>(1, m);
  else if (name == "tail_floor_margin")
    p.tail_floor_margin = m;
  else if (name == "tail_min_orders")
    p.tail_min_orders = static_cast<std::size_t>(std::max(0.0, v));
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

}  // namespace se::dispatch
