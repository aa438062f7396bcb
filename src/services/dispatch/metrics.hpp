// The benchmark's performance measures of a solution (the same definitions as its public
// evaluator): service quality for customers, pay and utilisation for couriers.
#pragma once
#include <span>
#include <string>

#include "services/dispatch/model.hpp"
#include "services/dispatch/solution.hpp"

namespace se::dispatch {

// Percentiles use linear interpolation between order statistics, as pandas' describe() does.
struct Summary {
  std::size_t count = 0;
  double mean = 0, p10 = 0, p50 = 0, p90 = 0, max = 0;
};
[[nodiscard]] Summary summarize(std::span<const double> values);

struct Metrics {
  std::size_t orders_total = 0;
  std::size_t orders_delivered = 0;
  std::size_t bundles = 0;
  double total_payment = 0;
  double share_guaranteed = 0;  // couriers whose per-order earnings stay below the guarantee
  double cost_per_order = 0;    // total payment / orders delivered
  Summary click_to_door;        // drop-off - placement
  Summary overage;              // max(0, click-to-door - target)
  Summary ready_to_door;        // drop-off - ready
  Summary ready_to_pickup;      // pickup - ready
  Summary utilisation;          // (driving + pickup and drop-off service) / shift, per courier
  Summary orders_per_bundle;
};

[[nodiscard]] Metrics compute_metrics(const Instance& instance, const Solution& solution);

// Human-readable multi-line summary (no I/O; the caller prints it).
[[nodiscard]] std::string format_metrics(const Metrics& m);

}  // namespace se::dispatch
