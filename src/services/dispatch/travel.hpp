// Travel and service-time arithmetic shared by the policies, the simulator and the evaluator, so
// that all three agree to the minute.
#pragma once
#include <cmath>

#include "services/dispatch/model.hpp"

namespace se::dispatch {

// ceil(euclidean / speed). Written as sqrt(dx*dx+dy*dy), not hypot, so the result matches the
// benchmark's numpy evaluator bit for bit on boundary cases.
[[nodiscard]] inline Minutes travel_minutes(Point a, Point b, double meters_per_minute) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  return static_cast<Minutes>(std::ceil(std::sqrt(dx * dx + dy * dy) / meters_per_minute));
}

[[nodiscard]] inline double distance_m(Point a, Point b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);
}

// Service times are split in two halves around the pickup/drop-off instant. Times are whole
// minutes, so an odd service time is rounded up on each side: never shorter than the rule.
[[nodiscard]] inline Minutes half_service(Minutes service) { return (service + 1) / 2; }

}  // namespace se::dispatch
