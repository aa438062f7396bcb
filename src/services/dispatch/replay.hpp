// Replays one benchmark day through the Dispatcher minute by minute: orders are revealed at their
// placement time, couriers at their on-time, and every offer is accepted (the benchmark has no
// declines) unless ReplayOptions make couriers decline or ignore some, or ride slower than
// planned and report what they do, to exercise the live world's paths on a real day. The
// committed assignments (or, with reporting couriers, what they carried out) become a Solution in
// the benchmark's shape.
#pragma once
#include "services/dispatch/dispatcher.hpp"
#include "services/dispatch/solution.hpp"

namespace se::dispatch {

struct ReplayResult {
  Solution solution;
  DispatcherStats stats;
  std::size_t decision_rounds = 0;
  // Courier reports the dispatcher did not expect (a pickup or delivery of an assignment it
  // does not hold): always 0 unless the two disagree.
  std::size_t unexpected_reports = 0;
};

struct ReplayOptions {
  // Shares of offers the courier declines, or leaves unanswered until offer_timeout withdraws
  // them; drawn per offer from `seed`, so a replay stays deterministic.
  double decline_rate = 0;
  double silence_rate = 0;
  Minutes offer_timeout = 2;
  std::uint64_t seed = 1;
  // Couriers ride slower (or faster) than the travel model: each assignment's rides take
  // 1 - speedup + (slowdown + speedup) x u times as long (u uniform in [0, 1), drawn per offer
  // from `seed`). The couriers then report their location every minute on the way to a pickup,
  // each pickup, each order handed over and each assignment done (CourierSim), and the solution
  // holds what they did, not what was planned. Such a solution keeps the benchmark's order rules
  // but not its travel model, so it is not checked as one
  // (FeasibilityReport::only_travel_rules_broken).
  double slowdown = 0;
  double speedup = 0;  // below 1
  // With reporting couriers: an assignment whose pickup, re-estimated from a live location, slips
  // more than this many minutes behind its promise goes back to the pool (0: only past shift end).
  Minutes reassign_when_late = 0;
  // With slowdown and speedup 0, true runs the same reporting couriers at the model's speed.
  bool couriers_report = false;
};

[[nodiscard]] ReplayResult replay(const Instance& instance, std::unique_ptr<Policy> policy,
                                  const ReplayOptions& options = {});

}  // namespace se::dispatch
