// The exact matching and the grid index agree with brute force on random small cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "services/dispatch/min_cost_matching.hpp"
#include "services/dispatch/spatial_index.hpp"
#include "services/dispatch/synthetic.hpp"

namespace se::dispatch {
namespace {

std::int64_t cost_of(const std::vector<int>& match, const std::vector<MatchArc>& arcs) {
  std::int64_t total = 0;
  for (std::size_t l = 0; l < match.size(); ++l) {
    if (match[l] < 0) continue;
    for (const auto& a : arcs) {
      if (a.left == l && static_cast<int>(a.right) == match[l]) total += a.cost;
    }
  }
  return total;
}

// Best total over all matchings (each left: unmatched or any free right with an arc).
std::int64_t brute(std::size_t l, std::vector<char>& used, const std::vector<std::vector<std::int64_t>>& c) {
  if (l == c.size()) return 0;
  std::int64_t best = brute(l + 1, used, c);
  for (std::size_t r = 0; r < used.size(); ++r) {
    if (used[r] || c[l][r] == std::numeric_limits<std::int64_t>::max()) continue;
    used[r] = 1;
    best = std::min(best, c[l][r] + brute(l + 1, used, c));
    used[r] = 0;
  }
  return best;
}

TEST(DispatchMatching, OptimalOnRandomSmallGraphs) {
  SplitMix64 rng(7);
  for (int round = 0; round < 200; ++round) {
    const std::size_t L = 1 + rng.next() % 6, R = 1 + rng.next() % 6;
    std::vector<MatchArc> arcs;
    std::vector<std::vector<std::int64_t>> c(L, std::vector<std::int64_t>(R, std::numeric_limits<std::int64_t>::max()));
    for (std::uint32_t l = 0; l < L; ++l) {
      for (std::uint32_t r = 0; r < R; ++r) {
        if (rng.next() % 3 == 0) continue;
        const std::int64_t cost = rng.between(-100, 20);
        arcs.push_back({l, r, cost});
        c[l][r] = cost;
      }
    }
    const auto match = min_cost_matching(L, R, arcs);
    std::vector<char> used(R, 0);
    for (int m : match) {
      if (m < 0) continue;
      ASSERT_FALSE(used[static_cast<std::size_t>(m)]) << "courier matched twice";
      used[static_cast<std::size_t>(m)] = 1;
    }
    std::vector<char> scratch(R, 0);
    EXPECT_EQ(cost_of(match, arcs), brute(0, scratch, c)) << "round " << round;
  }
}

TEST(DispatchGridIndex, NearestMatchesBruteForceAfterMovesAndErases) {
  SplitMix64 rng(11);
  GridIndex index(2000);  // starts coarse: 300 entries make it shrink its cells on the way
  std::vector<Point> at(300);
  std::vector<char> in(300, 0);
  for (CourierId c = 0; c < 300; ++c) {
    at[c] = {rng.uniform() * 10000, rng.uniform() * 10000};
    index.insert(CourierSpot{c, at[c]});
    in[c] = 1;
  }
  for (CourierId c = 0; c < 300; c += 7) {
    index.erase(c);
    in[c] = 0;
  }
  for (CourierId c = 1; c < 300; c += 11) {
    at[c] = {rng.uniform() * 30000 - 10000, rng.uniform() * 30000 - 10000};  // grows the grid
    index.insert(CourierSpot{c, at[c]});
    in[c] = 1;
  }
  std::vector<Candidate> got;
  for (int q = 0; q < 100; ++q) {
    const Point p{rng.uniform() * 14000 - 2000, rng.uniform() * 14000 - 2000};
    auto even = [](const CourierSpot& s) { return s.id % 2 == 0; };
    index.nearest(p, 5, even, got);
    std::vector<std::pair<double, CourierId>> got_pairs;
    for (const Candidate& c : got) got_pairs.emplace_back(c.distance_m, c.spot.id);
    std::vector<std::pair<double, CourierId>> want;
    for (CourierId c = 0; c < 300; ++c) {
      if (in[c] && c % 2 == 0) want.emplace_back(distance_m(p, at[c]), c);
    }
    std::sort(want.begin(), want.end());
    want.resize(5);
    EXPECT_EQ(got_pairs, want) << "query " << q;
  }
}

}  // namespace
}  // namespace se::dispatch
