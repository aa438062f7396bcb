// Replays one benchmark day through the Dispatcher minute by minute: orders are revealed at their
// placement time, couriers at their on-time, and every offer is accepted (the benchmark has no
// declines). The committed assignments become a Solution in the benchmark's shape.
#pragma once
#include "services/dispatch/dispatcher.hpp"
#include "services/dispatch/solution.hpp"

namespace se::dispatch {

struct ReplayResult {
  Solution solution;
  DispatcherStats stats;
  std::size_t decision_rounds = 0;
};

[[nodiscard]] ReplayResult replay(const Instance& instance, std::unique_ptr<Policy> policy);

}  // namespace se::dispatch
