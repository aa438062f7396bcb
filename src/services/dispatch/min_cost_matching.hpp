// Exact min-cost bipartite matching between bundles (left) and couriers (right), solved with
// LEMON's network simplex. Leaving a bundle unmatched costs nothing, so only arcs with negative
// cost are worth using; the caller folds "value of serving now" into the arc cost.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace se::dispatch {

struct MatchArc {
  std::uint32_t left = 0;
  std::uint32_t right = 0;
  std::int64_t cost = 0;
};

struct MatchingStats {
  std::size_t components = 0;
  std::size_t solver_calls = 0;  // components that needed the flow solver
};

// Returns, for each left node, its matched right node or -1. Exact: the candidate graph is split
// into connected components (independent subproblems); trivial ones are solved directly, the
// rest by min-cost flow.
[[nodiscard]] std::vector<int> min_cost_matching(std::size_t left, std::size_t right,
                                                 std::span<const MatchArc> arcs,
                                                 MatchingStats* stats = nullptr);

}  // namespace se::dispatch
