// A policy looks at the world at a decision minute and proposes courier/bundle pairs. It owns
// no state the Dispatcher relies on, so a buggy or slow policy can never double-assign: the
// Dispatcher validates every proposal before it becomes an offer.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/dispatch/world.hpp"

namespace se::dispatch {

struct Proposal {
  CourierId courier = 0;
  std::vector<OrderId> orders;  // one restaurant, in drop-off sequence
};

class Policy {
 public:
  virtual ~Policy() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Called every minute; the policy decides itself whether this minute is a decision epoch.
  virtual std::vector<Proposal> decide(const World& world, Minutes now) = 0;
};

// "greedy" or "slack" (the platform policy), with optional "name=value" parameter overrides;
// throws std::invalid_argument on an unknown policy or parameter.
[[nodiscard]] std::unique_ptr<Policy> make_policy(std::string_view name,
                                                  const std::vector<std::string>& overrides = {});
[[nodiscard]] std::vector<std::string> policy_names();

}  // namespace se::dispatch
