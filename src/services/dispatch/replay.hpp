// Replays one benchmark day through the Dispatcher minute by minute: orders are revealed at their
// placement time, couriers at their on-time, and every offer is accepted (the benchmark has no
// declines) unless ReplayOptions make couriers decline or ignore some, to exercise the live
// world's paths on a real day. The committed assignments become a Solution in the benchmark's
// shape.
#pragma once
#include "services/dispatch/dispatcher.hpp"
#include "services/dispatch/solution.hpp"

namespace se::dispatch {

struct ReplayResult {
  Solution solution;
  DispatcherStats stats;
  std::size_t decision_rounds = 0;
};

struct ReplayOptions {
  // Shares of offers the courier declines, or leaves unanswered until offer_timeout withdraws
  // them; drawn per offer from `seed`, so a replay stays deterministic.
  double decline_rate = 0;
  double silence_rate = 0;
  Minutes offer_timeout = 2;
  std::uint64_t seed = 1;
};

[[nodiscard]] ReplayResult replay(const Instance& instance, std::unique_ptr<Policy> policy,
                                  const ReplayOptions& options = {});

}  // namespace se::dispatch
