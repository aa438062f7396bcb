#include "services/dispatch/min_cost_matching.hpp"

#include <lemon/maps.h>
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>
#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace se::dispatch {

namespace {

constexpr std::uint32_t kNone = ~std::uint32_t{0};

bool cheaper(const MatchArc& a, const MatchArc& b) {
  return a.cost != b.cost ? a.cost < b.cost : a.right < b.right;
}

std::uint32_t find(std::vector<std::uint32_t>& parent, std::uint32_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

// Counting sort of `n` items into buckets: `begin` receives bucket offsets (size buckets + 1).
template <class KeyOf>
void bucket_offsets(std::size_t buckets, std::size_t n, KeyOf key_of,
                    std::vector<std::uint32_t>& begin) {
  begin.assign(buckets + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++begin[key_of(i) + 1];
  std::partial_sum(begin.begin(), begin.end(), begin.begin());
}

}  // namespace

// The graph, its maps and the solver live as long as the matcher: LEMON graphs and maps keep
// their storage across clear(), and NetworkSimplex::reset() re-reads a changed graph into its
// own (kept) vectors, so solving a component allocates nothing once buffers have grown.
struct MinCostMatcher::Flow {
  using Graph = lemon::SmartDigraph;
  Graph g;
  Graph::ArcMap<std::int64_t> cost{g};
  Graph::NodeMap<int> supply{g};
  lemon::NetworkSimplex<Graph, int, std::int64_t> ns{g};
  std::vector<Graph::Node> nodes;
  std::vector<Graph::Arc> arcs;
};

MinCostMatcher::MinCostMatcher(std::size_t enumeration_limit)
    : enumeration_limit_(enumeration_limit), flow_(std::make_unique<Flow>()) {}
MinCostMatcher::~MinCostMatcher() = default;

// Several bundles and several couriers: min-cost flow where each bundle sends one unit either
// to a courier (arc cost) or straight to the sink (cost 0, i.e. stays unmatched); each courier
// passes at most one unit on to the sink.
void MinCostMatcher::solve_component(std::span<const MatchArc> arcs) {
  using Graph = Flow::Graph;
  Flow& f = *flow_;
  f.g.clear();
  f.nodes.clear();
  f.arcs.clear();
  const std::size_t left = match_.size();
  std::size_t lefts = 0;
  for (const MatchArc& a : arcs) {  // local node ids in order of first appearance
    for (const std::size_t key : {std::size_t{a.left}, left + a.right}) {
      if (local_[key] != kNone) continue;
      local_[key] = static_cast<std::uint32_t>(f.nodes.size());
      f.nodes.push_back(f.g.addNode());
      if (key < left) ++lefts;
    }
  }
  const Graph::Node sink = f.g.addNode();
  for (const Graph::Node n : f.nodes) f.supply[n] = 0;
  for (const MatchArc& a : arcs) {
    const Graph::Arc e = f.g.addArc(f.nodes[local_[a.left]], f.nodes[local_[left + a.right]]);
    f.cost[e] = a.cost;
    f.arcs.push_back(e);
    if (f.supply[f.nodes[local_[a.left]]] == 0) {  // first arc of this bundle: its way out
      f.supply[f.nodes[local_[a.left]]] = 1;
      f.cost[f.g.addArc(f.nodes[local_[a.left]], sink)] = 0;
    }
  }
  for (const MatchArc& a : arcs) {
    std::uint32_t& id = local_[left + a.right];
    if (id == kNone) continue;
    f.cost[f.g.addArc(f.nodes[id], sink)] = 0;
    id = kNone;  // once per courier; also resets the scratch for the next component
  }
  f.supply[sink] = -static_cast<int>(lefts);

  f.ns.reset();
  // Unit capacities everywhere: each bundle and each courier is used at most once.
  f.ns.upperMap(lemon::ConstMap<Graph::Arc, int>(1)).costMap(f.cost).supplyMap(f.supply);
  if (f.ns.run() != lemon::NetworkSimplex<Graph, int, std::int64_t>::OPTIMAL) {
    throw std::logic_error("matching flow problem not optimal");
  }
  for (std::size_t k = 0; k < arcs.size(); ++k) {
    if (f.ns.flow(f.arcs[k]) > 0) match_[arcs[k].left] = static_cast<int>(arcs[k].right);
    local_[arcs[k].left] = kNone;
  }
}

bool MinCostMatcher::enumerate_component(std::span<const MatchArc> arcs) {
  segments_.clear();
  std::size_t combinations = 1;
  for (std::uint32_t k = 0; k < arcs.size(); ++k) {
    if (k > 0 && arcs[k].left == arcs[k - 1].left) continue;
    std::uint32_t end = k + 1;
    while (end < arcs.size() && arcs[end].left == arcs[k].left) ++end;
    segments_.emplace_back(k, end);
    combinations *= end - k + 1;
    if (combinations > enumeration_limit_) return false;
  }
  choice_.assign(segments_.size(), kNone);
  best_choice_ = choice_;
  std::int64_t best_total = 0;  // everything unmatched
  used_.clear();
  // Depth first over bundles; each takes one of its arcs to a courier still free, or none.
  // Strictly better totals only, in a fixed order: deterministic among ties.
  auto search = [&](auto& self, std::size_t depth, std::int64_t total) -> void {
    if (depth == segments_.size()) {
      if (total < best_total) {
        best_total = total;
        best_choice_ = choice_;
      }
      return;
    }
    for (std::uint32_t k = segments_[depth].first; k < segments_[depth].second; ++k) {
      if (std::find(used_.begin(), used_.end(), arcs[k].right) != used_.end()) continue;
      used_.push_back(arcs[k].right);
      choice_[depth] = k;
      self(self, depth + 1, total + arcs[k].cost);
      used_.pop_back();
    }
    choice_[depth] = kNone;
    self(self, depth + 1, total);
  };
  search(search, 0, 0);
  for (const std::uint32_t k : best_choice_) {
    if (k != kNone) match_[arcs[k].left] = static_cast<int>(arcs[k].right);
  }
  return true;
}

const std::vector<int>& MinCostMatcher::solve(std::size_t left, std::size_t right,
                                              std::span<const MatchArc> arcs,
                                              MatchingStats* stats) {
  match_.assign(left, -1);
  MatchingStats st;

  // Only arcs that beat leaving the bundle unmatched can be in an optimal matching. Grouped by
  // bundle (stable counting sort), each bundle's arcs cheapest first (ties: lowest courier).
  std::size_t n = 0;
  for (const MatchArc& a : arcs) n += (a.cost < 0 && a.left < left && a.right < right) ? 1 : 0;
  useful_.resize(n);
  left_begin_.assign(left + 1, 0);
  for (const MatchArc& a : arcs) {
    if (a.cost < 0 && a.left < left && a.right < right) ++left_begin_[a.left + 1];
  }
  std::partial_sum(left_begin_.begin(), left_begin_.end(), left_begin_.begin());
  work_.assign(left_begin_.begin(), left_begin_.end() - 1);  // fill cursor per bundle
  for (const MatchArc& a : arcs) {
    if (a.cost < 0 && a.left < left && a.right < right) useful_[work_[a.left]++] = a;
  }
  for (std::size_t l = 0; l < left; ++l) {
    std::sort(useful_.begin() + left_begin_[l], useful_.begin() + left_begin_[l + 1], cheaper);
  }

  // Exact reductions, applied until neither changes anything. Each keeps the optimal cost (the
  // matching found is optimal for the original arcs too):
  // - private favourite: if a bundle's cheapest courier is wanted by no other bundle, some
  //   optimal matching gives it to that bundle (swapping it in can only lower the cost);
  // - enough arcs: a bundle whose couriers are wanted by d other bundles needs only its d + 1
  //   cheapest arcs, because in any matching at least one of those couriers is left free for
  //   it, and moving it there costs no more. Pruning splits the plan into smaller components.
  // A bundle's arcs stay a prefix of its cheapest-first list, so its cheapest courier is always
  // its first arc. With plentiful couriers this settles most bundles before any flow problem.
  left_end_.assign(left_begin_.begin() + 1, left_begin_.end());
  bucket_offsets(
      right, n, [&](std::size_t i) { return useful_[i].right; }, right_begin_);
  degree_.assign(right, 0);
  by_right_.resize(n);
  {
    std::vector<std::uint32_t>& cursor = parent_;  // borrowed as scratch
    cursor.assign(right_begin_.begin(), right_begin_.end() - 1);
    for (std::uint32_t i = 0; i < n; ++i) {
      by_right_[cursor[useful_[i].right]++] = i;
      ++degree_[useful_[i].right];
    }
  }
  auto alive = [&](std::uint32_t i) {
    const std::uint32_t l = useful_[i].left;
    return left_done_[l] == 0 && i < left_end_[l];
  };
  // A courier lost a suitor: its other suitors may have fewer rivals now (look at them again),
  // and if one is left and it is that bundle's favourite, it can be fixed.
  auto lose_suitor = [&](std::uint32_t r) {
    --degree_[r];
    for (std::uint32_t j = right_begin_[r]; j < right_begin_[r + 1]; ++j) {
      if (!alive(by_right_[j])) continue;
      const std::uint32_t other = useful_[by_right_[j]].left;
      if (degree_[r] == 1 && useful_[left_begin_[other]].right == r) work_.push_back(other);
      if (queued_[other] == 0) {
        queued_[other] = 1;
        queue_.push_back(other);
      }
    }
  };
  left_done_.assign(left, 0);
  queued_.assign(left, 0);
  work_.clear();
  queue_.clear();
  for (std::uint32_t l = 0; l < left; ++l) {
    if (left_begin_[l] == left_end_[l]) {
      left_done_[l] = 1;  // no useful courier: stays unmatched
      continue;
    }
    if (degree_[useful_[left_begin_[l]].right] == 1) work_.push_back(l);
    queued_[l] = 1;
    queue_.push_back(l);
  }
  auto fix_favourites = [&] {
    for (std::size_t w = 0; w < work_.size(); ++w) {  // breadth first: deterministic order
      const std::uint32_t l = work_[w];
      if (left_done_[l] != 0) continue;
      match_[l] = static_cast<int>(useful_[left_begin_[l]].right);
      left_done_[l] = 1;
      for (std::uint32_t i = left_begin_[l]; i < left_end_[l]; ++i) lose_suitor(useful_[i].right);
    }
    work_.clear();
  };
  fix_favourites();
  // Bundles whose rivals may have changed are looked at again (first in, first out), until
  // no reduction applies anywhere.
  mark_.assign(left, 0);
  std::uint32_t stamp = 0;
  for (std::size_t q = 0; q < queue_.size(); ++q) {
    const std::uint32_t l = queue_[q];
    queued_[l] = 0;
    if (left_done_[l] != 0) continue;
    const std::uint32_t size = left_end_[l] - left_begin_[l];
    std::uint32_t rivals = 0;
    ++stamp;
    mark_[l] = stamp;
    for (std::uint32_t i = left_begin_[l]; i < left_end_[l] && rivals + 1 < size; ++i) {
      const std::uint32_t r = useful_[i].right;
      for (std::uint32_t j = right_begin_[r]; j < right_begin_[r + 1]; ++j) {
        const std::uint32_t other = useful_[by_right_[j]].left;
        if (mark_[other] == stamp || !alive(by_right_[j])) continue;
        mark_[other] = stamp;
        ++rivals;
      }
    }
    if (rivals + 1 >= size) continue;
    const std::uint32_t old_end = left_end_[l];
    left_end_[l] = left_begin_[l] + rivals + 1;
    for (std::uint32_t i = left_end_[l]; i < old_end; ++i) lose_suitor(useful_[i].right);
    fix_favourites();
  }

  // Connected components of what is left (arcs of undecided bundles still in their lists).
  // Roots are smallest member ids, so the order is deterministic.
  parent_.resize(left + right);
  std::iota(parent_.begin(), parent_.end(), 0u);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!alive(i)) continue;
    const MatchArc& a = useful_[i];
    std::uint32_t x = find(parent_, a.left),
                  y = find(parent_, static_cast<std::uint32_t>(left + a.right));
    if (x != y) parent_[std::max(x, y)] = std::min(x, y);
  }
  std::size_t undecided = 0;
  comp_begin_.assign(left + 1, 0);  // a component's root is its smallest bundle
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!alive(i)) continue;
    ++comp_begin_[find(parent_, useful_[i].left) + 1];
    ++undecided;
  }
  std::partial_sum(comp_begin_.begin(), comp_begin_.end(), comp_begin_.begin());
  grouped_.resize(undecided);
  work_.assign(comp_begin_.begin(), comp_begin_.end() - 1);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (alive(i)) grouped_[work_[find(parent_, useful_[i].left)]++] = useful_[i];
  }

  seen_.assign(right, 0);
  local_.assign(left + right, kNone);
  for (std::size_t root = 0; root < left; ++root) {
    const std::span<const MatchArc> comp(grouped_.data() + comp_begin_[root],
                                         comp_begin_[root + 1] - comp_begin_[root]);
    if (comp.empty()) continue;
    ++st.components;
    bool one_left = true, one_right = true;
    for (const MatchArc& a : comp) {
      one_left = one_left && a.left == comp.front().left;
      one_right = one_right && a.right == comp.front().right;
    }
    if (one_left || one_right) {
      // A star: the single cheapest arc is optimal (ties: lowest ids).
      const MatchArc* best = &comp.front();
      for (const MatchArc& a : comp) {
        if (a.cost < best->cost ||
            (a.cost == best->cost &&
             (a.left < best->left || (a.left == best->left && a.right < best->right)))) {
          best = &a;
        }
      }
      match_[best->left] = static_cast<int>(best->right);
      continue;
    }
    // If every bundle's cheapest courier is a different one, that is optimal: each bundle gets
    // the least it could get anyway. Common when couriers are plentiful. (Arcs are grouped by
    // bundle, cheapest first.)
    ++stamp;
    bool distinct = true;
    for (std::size_t k = 0; k < comp.size() && distinct; ++k) {
      if (k > 0 && comp[k].left == comp[k - 1].left) continue;
      distinct = seen_[comp[k].right] != stamp;
      seen_[comp[k].right] = stamp;
    }
    if (distinct) {
      for (std::size_t k = 0; k < comp.size(); ++k) {
        if (k == 0 || comp[k].left != comp[k - 1].left)
          match_[comp[k].left] = static_cast<int>(comp[k].right);
      }
      continue;
    }
    // Tiny components (typically two or three bundles sharing a few couriers) are enumerated:
    // setting up a flow problem costs more than trying every combination. The rest go to the
    // flow solver, each on its own (small independent flow problems beat one big one, measured
    // on the 40k-courier bench).
    if (enumerate_component(comp)) {
      ++st.enumerated;
      continue;
    }
    ++st.solver_calls;
    solve_component(comp);
  }
  if (stats != nullptr) {
    for (const MatchArc& a : useful_) {
      if (match_[a.left] == static_cast<int>(a.right)) st.total_cost += a.cost;
    }
    *stats = st;
  }
  return match_;
}

std::vector<int> min_cost_matching(std::size_t left, std::size_t right,
                                   std::span<const MatchArc> arcs, MatchingStats* stats,
                                   std::size_t enumeration_limit) {
  MinCostMatcher m(enumeration_limit);
  return m.solve(left, right, arcs, stats);
}

}  // namespace se::dispatch
