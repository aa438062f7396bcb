// Exact min-cost bipartite matching between bundles (left) and couriers (right): exact
// reductions, then LEMON's network simplex on what they leave (tiny components are enumerated).
// Leaving a bundle unmatched costs nothing, so only arcs with negative cost are worth using; the
// caller folds "value of serving now" into the arc cost.
#pragma once
#include <cstdint>
#include <memory>
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
  std::size_t enumerated = 0;    // tiny components solved by trying every combination
  std::size_t solver_calls = 0;  // components that needed the flow solver
  std::int64_t total_cost = 0;   // of the matching returned
};

// Reusable solver: keeps its scratch buffers and its LEMON graph and network simplex between
// calls, so a decision round that solves hundreds of small components allocates (almost)
// nothing. Not thread-safe; one per policy instance.
class MinCostMatcher {
 public:
  // Components with at most `enumeration_limit` combinations (product over bundles of arcs + 1)
  // are enumerated instead of solved as flow problems; 0 sends every component to the solver.
  explicit MinCostMatcher(std::size_t enumeration_limit = 64);
  ~MinCostMatcher();
  MinCostMatcher(const MinCostMatcher&) = delete;
  MinCostMatcher& operator=(const MinCostMatcher&) = delete;

  // For each left node, its matched right node or -1 (valid until the next call). Exact: the
  // candidate graph is reduced exactly, split into connected components (independent
  // subproblems); trivial ones are solved directly, the rest by min-cost flow.
  const std::vector<int>& solve(std::size_t left, std::size_t right, std::span<const MatchArc> arcs,
                                MatchingStats* stats = nullptr);

 private:
  struct Flow;  // LEMON graph, maps and solver (kept out of this header)
  void solve_component(std::span<const MatchArc> arcs);
  bool enumerate_component(std::span<const MatchArc> arcs);

  std::size_t enumeration_limit_;
  std::unique_ptr<Flow> flow_;
  std::vector<int> match_;
  std::vector<MatchArc> useful_;           // negative arcs, grouped by left, cheapest first
  std::vector<std::uint32_t> left_begin_;  // CSR over useful_ by left
  std::vector<std::uint32_t> left_end_;    // arcs still in play: [left_begin_, left_end_)
  std::vector<std::uint32_t> by_right_;    // CSR over useful_ by right (arc indexes)
  std::vector<std::uint32_t> right_begin_;
  std::vector<std::uint32_t> degree_;  // undecided bundles that can still use each courier
  std::vector<char> left_done_;
  std::vector<std::uint32_t> mark_;   // per left: stamp (counting rivals)
  std::vector<std::uint32_t> work_;   // bundles whose favourite can be fixed
  std::vector<std::uint32_t> queue_;  // bundles to look at for pruning
  std::vector<char> queued_;
  std::vector<std::uint32_t> parent_;  // disjoint sets over left + right
  std::vector<std::uint32_t> comp_begin_;
  std::vector<MatchArc> grouped_;     // undecided arcs grouped by component
  std::vector<std::uint32_t> seen_;   // per right: last component stamp (distinct check)
  std::vector<std::uint32_t> local_;  // per left/right: node index inside the flow graph
  std::vector<std::pair<std::uint32_t, std::uint32_t>> segments_;  // enumeration: arcs per bundle
  std::vector<std::uint32_t> choice_, best_choice_, used_;
};

// One-shot convenience wrapper (allocates a fresh solver).
[[nodiscard]] std::vector<int> min_cost_matching(std::size_t left, std::size_t right,
                                                 std::span<const MatchArc> arcs,
                                                 MatchingStats* stats = nullptr,
                                                 std::size_t enumeration_limit = 64);

}  // namespace se::dispatch
