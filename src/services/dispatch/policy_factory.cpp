#include <stdexcept>
#include <string>

#include "services/dispatch/greedy_policy.hpp"
#include "services/dispatch/policy.hpp"
#include "services/dispatch/slack_policy.hpp"

namespace se::dispatch {

std::unique_ptr<Policy> make_policy(std::string_view name,
                                    const std::vector<std::string>& overrides) {
  if (name == "greedy") {
    if (!overrides.empty()) throw std::invalid_argument("greedy takes no parameters");
    return std::make_unique<GreedyPolicy>();
  }
  if (name == "slack") {
    SlackPolicyParams params;
    for (const auto& o : overrides) apply_override(params, o);
    return std::make_unique<SlackPolicy>(params);
  }
  throw std::invalid_argument("unknown policy '" + std::string(name) + "'");
}

std::vector<std::string> policy_names() { return {"greedy", "slack"}; }

}  // namespace se::dispatch
