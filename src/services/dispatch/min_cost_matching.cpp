#include "services/dispatch/min_cost_matching.hpp"

#include <algorithm>
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>
#include <numeric>
#include <stdexcept>

namespace se::dispatch {

namespace {

struct DisjointSets {
  std::vector<std::uint32_t> parent;
  explicit DisjointSets(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0u); }
  std::uint32_t find(std::uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

// Several bundles and several couriers: min-cost flow where each bundle sends one
// unit either to a courier (arc cost) or straight to the sink (cost 0, i.e. stays unmatched).
void solve_component(std::span<const MatchArc* const> arcs, std::vector<int>& match) {
  using Graph = lemon::SmartDigraph;
  Graph g;
  std::vector<std::uint32_t> lefts, rights;
  for (const MatchArc* a : arcs) {
    lefts.push_back(a->left);
    rights.push_back(a->right);
  }
  std::sort(lefts.begin(), lefts.end());
  lefts.erase(std::unique(lefts.begin(), lefts.end()), lefts.end());
  std::sort(rights.begin(), rights.end());
  rights.erase(std::unique(rights.begin(), rights.end()), rights.end());
  auto index_of = [](const std::vector<std::uint32_t>& v, std::uint32_t x) {
    return static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
  };

  g.reserveNode(static_cast<int>(lefts.size() + rights.size() + 1));
  g.reserveArc(static_cast<int>(arcs.size() + lefts.size() + rights.size()));
  std::vector<Graph::Node> ln, rn;
  for (std::size_t i = 0; i < lefts.size(); ++i) ln.push_back(g.addNode());
  for (std::size_t i = 0; i < rights.size(); ++i) rn.push_back(g.addNode());
  const Graph::Node sink = g.addNode();

  Graph::ArcMap<std::int64_t> cost(g);
  Graph::NodeMap<int> supply(g, 0);
  std::vector<Graph::Arc> match_arcs;
  for (const MatchArc* a : arcs) {
    const Graph::Arc e = g.addArc(ln[index_of(lefts, a->left)], rn[index_of(rights, a->right)]);
    cost[e] = a->cost;
    match_arcs.push_back(e);
  }
  for (std::size_t i = 0; i < lefts.size(); ++i) {
    cost[g.addArc(ln[i], sink)] = 0;
    supply[ln[i]] = 1;
  }
  for (std::size_t i = 0; i < rights.size(); ++i) cost[g.addArc(rn[i], sink)] = 0;
  supply[sink] = -static_cast<int>(lefts.size());

  // Unit capacities everywhere: each bundle and each courier is used at most once.
  Graph::ArcMap<int> upper(g, 1);
  lemon::NetworkSimplex<Graph, int, std::int64_t> ns(g);
  ns.upperMap(upper).costMap(cost).supplyMap(supply);
  if (ns.run() != lemon::NetworkSimplex<Graph, int, std::int64_t>::OPTIMAL) {
    throw std::logic_error("matching flow problem not optimal");
  }
  for (std::size_t k = 0; k < arcs.size(); ++k) {
    if (ns.flow(match_arcs[k]) > 0) match[arcs[k]->left] = static_cast<int>(arcs[k]->right);
  }
}

// Exact reduction: if a bundle's cheapest courier is wanted by no other bundle, some optimal
// matching gives it to that bundle (swapping it in can only lower the cost). Fix those pairs,
// drop their arcs, and repeat as couriers lose their other suitors. With plentiful couriers this
// settles most bundles before any flow problem is built. Returns the arcs still undecided.
std::vector<const MatchArc*> fix_private_favourites(std::size_t left, std::size_t right,
                                                    std::vector<const MatchArc*> arcs,
                                                    std::vector<int>& match) {
  std::vector<std::vector<const MatchArc*>> of_left(left);
  std::vector<std::uint32_t> degree(right, 0);
  for (const MatchArc* a : arcs) {
    of_left[a->left].push_back(a);
    ++degree[a->right];
  }
  std::vector<char> right_taken(right, 0), left_done(left, 0);
  auto best_of = [&](std::uint32_t l) -> const MatchArc* {
    const MatchArc* best = nullptr;
    for (const MatchArc* a : of_left[l]) {
      if (right_taken[a->right] != 0) continue;
      if (best == nullptr || a->cost < best->cost || (a->cost == best->cost && a->right < best->right)) best = a;
    }
    return best;
  };
  bool changed = true;
  while (changed) {
    changed = false;
    for (std::uint32_t l = 0; l < left; ++l) {
      if (left_done[l] != 0) continue;
      const MatchArc* best = best_of(l);
      if (best == nullptr) {
        left_done[l] = 1;  // nothing left to choose from: stays unmatched
        continue;
      }
      if (degree[best->right] != 1) continue;
      match[l] = static_cast<int>(best->right);
      left_done[l] = 1;
      right_taken[best->right] = 1;
      for (const MatchArc* a : of_left[l]) --degree[a->right];
      changed = true;
    }
  }
  std::vector<const MatchArc*> rest;
  for (const MatchArc* a : arcs) {
    if (left_done[a->left] == 0 && right_taken[a->right] == 0) rest.push_back(a);
  }
  return rest;
}

}  // namespace

std::vector<int> min_cost_matching(std::size_t left, std::size_t right,
                                   std::span<const MatchArc> arcs, MatchingStats* stats) {
  std::vector<int> match(left, -1);
  // Only arcs that beat leaving the bundle unmatched can be in an optimal matching.
  std::vector<const MatchArc*> useful;
  for (const MatchArc& a : arcs) {
    if (a.cost < 0 && a.left < left && a.right < right) useful.push_back(&a);
  }
  useful = fix_private_favourites(left, right, std::move(useful), match);
  DisjointSets sets(left + right);
  for (const MatchArc* a : useful) sets.unite(a->left, static_cast<std::uint32_t>(left + a->right));

  // Group arcs by component root; roots are smallest member ids, so the order is deterministic.
  std::vector<std::pair<std::uint32_t, const MatchArc*>> by_comp;
  by_comp.reserve(useful.size());
  for (const MatchArc* a : useful) by_comp.emplace_back(sets.find(a->left), a);
  std::stable_sort(by_comp.begin(), by_comp.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });

  std::vector<const MatchArc*> comp;
  MatchingStats st;
  for (std::size_t i = 0; i < by_comp.size();) {
    std::size_t j = i;
    comp.clear();
    while (j < by_comp.size() && by_comp[j].first == by_comp[i].first) comp.push_back(by_comp[j++].second);
    i = j;
    ++st.components;
    bool one_left = true, one_right = true;
    for (const MatchArc* a : comp) {
      one_left = one_left && a->left == comp.front()->left;
      one_right = one_right && a->right == comp.front()->right;
    }
    if (one_left || one_right) {
      // A star: the single cheapest arc is optimal (ties: lowest ids).
      const MatchArc* best = comp.front();
      for (const MatchArc* a : comp) {
        if (a->cost < best->cost || (a->cost == best->cost && (a->left < best->left ||
                                                               (a->left == best->left && a->right < best->right)))) {
          best = a;
        }
      }
      match[best->left] = static_cast<int>(best->right);
      continue;
    }
    // If every bundle's cheapest courier is a different one, that is optimal: each bundle gets
    // the least it could get anyway. Common when couriers are plentiful.
    std::sort(comp.begin(), comp.end(), [](const MatchArc* a, const MatchArc* b) {
      return a->left != b->left ? a->left < b->left
                                : (a->cost != b->cost ? a->cost < b->cost : a->right < b->right);
    });
    std::vector<std::uint32_t> chosen;
    for (std::size_t k = 0; k < comp.size(); ++k) {
      if (k == 0 || comp[k]->left != comp[k - 1]->left) chosen.push_back(comp[k]->right);
    }
    std::vector<std::uint32_t> distinct = chosen;
    std::sort(distinct.begin(), distinct.end());
    if (std::adjacent_find(distinct.begin(), distinct.end()) == distinct.end()) {
      for (std::size_t k = 0; k < comp.size(); ++k) {
        if (k == 0 || comp[k]->left != comp[k - 1]->left) match[comp[k]->left] = static_cast<int>(comp[k]->right);
      }
      continue;
    }
    // Small independent flow problems beat one big one (measured on the 40k-courier bench).
    ++st.solver_calls;
    solve_component(comp, match);
  }
  if (stats != nullptr) *stats = st;
  return match;
}

}  // namespace se::dispatch
