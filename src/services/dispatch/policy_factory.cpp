#include <stdexcept>
#include <string>

#include "services/dispatch/greedy_policy.hpp"
#include "services/dispatch/policy.hpp"

namespace se::dispatch {

std::unique_ptr<Policy> make_policy(std::string_view name) {
  if (name == "greedy") return std::make_unique<GreedyPolicy>();
  throw std::invalid_argument("unknown policy '" + std::string(name) + "'");
}

std::vector<std::string> policy_names() { return {"greedy"}; }

}  // namespace se::dispatch
