// Baseline: each order, as soon as it is placed, goes alone to the nearest idle courier that can
// still pick it up within its shift. No bundling, no waiting, no look-ahead.
#pragma once
#include "services/dispatch/policy.hpp"

namespace se::dispatch {

class GreedyPolicy final : public Policy {
 public:
  [[nodiscard]] std::string_view name() const override { return "greedy"; }
  std::vector<Proposal> decide(const World& world, Minutes now) override;
};

}  // namespace se::dispatch
