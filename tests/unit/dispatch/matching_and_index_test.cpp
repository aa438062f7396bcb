// The exact matching and the grid index agree with brute force on random small cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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
std::int64_t brute(std::size_t l, std::vector<char>& used,
                   const std::vector<std::vector<std::int64_t>>& c) {
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

// Random graphs up to max_side x max_side, costs in [lo, hi] (narrow ranges give many ties),
// solved with the given enumeration limit (0: every component goes to the flow solver).
void expect_optimal_on_random_graphs(std::uint64_t seed, int rounds, std::size_t max_side,
                                     std::int64_t lo, std::int64_t hi,
                                     std::size_t enumeration_limit) {
  SplitMix64 rng(seed);
  for (int round = 0; round < rounds; ++round) {
    const std::size_t L = 1 + rng.next() % max_side, R = 1 + rng.next() % max_side;
    std::vector<MatchArc> arcs;
    std::vector<std::vector<std::int64_t>> c(
        L, std::vector<std::int64_t>(R, std::numeric_limits<std::int64_t>::max()));
    for (std::uint32_t l = 0; l < L; ++l) {
      for (std::uint32_t r = 0; r < R; ++r) {
        if (rng.next() % 3 == 0) continue;
        const std::int64_t cost = rng.between(lo, hi);
        arcs.push_back({l, r, cost});
        c[l][r] = cost;
      }
    }
    MatchingStats stats;
    const auto match = min_cost_matching(L, R, arcs, &stats, enumeration_limit);
    std::vector<char> used(R, 0);
    for (int m : match) {
      if (m < 0) continue;
      ASSERT_FALSE(used[static_cast<std::size_t>(m)]) << "courier matched twice";
      used[static_cast<std::size_t>(m)] = 1;
    }
    std::vector<char> scratch(R, 0);
    EXPECT_EQ(cost_of(match, arcs), brute(0, scratch, c)) << "round " << round;
    if (enumeration_limit == 0) {
      EXPECT_EQ(stats.enumerated, 0u);
    }
  }
}

TEST(DispatchMatching, OptimalOnRandomSmallGraphs) {
  expect_optimal_on_random_graphs(7, 200, 6, -100, 20, 64);
}

TEST(DispatchMatching, FlowSolverPathIsOptimalToo) {
  expect_optimal_on_random_graphs(8, 200, 6, -100, 20, 0);
}

// Larger and tie-heavy graphs: exercises the exact reductions (private favourites, pruning to
// rivals + 1 arcs) together with components big enough for the flow solver.
TEST(DispatchMatching, ReductionsKeepOptimumOnLargerTiedGraphs) {
  expect_optimal_on_random_graphs(9, 60, 8, -5, 1, 64);
  expect_optimal_on_random_graphs(10, 60, 8, -50, 5, 64);
}

TEST(DispatchMatching, ReusedMatcherGivesSameAnswers) {
  SplitMix64 rng(12);
  MinCostMatcher reused;
  for (int round = 0; round < 50; ++round) {
    const std::size_t L = 1 + rng.next() % 8, R = 1 + rng.next() % 8;
    std::vector<MatchArc> arcs;
    for (std::uint32_t l = 0; l < L; ++l) {
      for (std::uint32_t r = 0; r < R; ++r) {
        if (rng.next() % 2 == 0) arcs.push_back({l, r, rng.between(-30, 5)});
      }
    }
    EXPECT_EQ(reused.solve(L, R, arcs), min_cost_matching(L, R, arcs)) << "round " << round;
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
    // Some queries fall outside the grid (clamped to a border cell).
    const Point p{rng.uniform() * 60000 - 25000, rng.uniform() * 60000 - 25000};
    auto even = [](const CourierSpot& s) { return s.id % 2 == 0; };
    // 5: the usual small answer; 70: more than the search keeps on the stack.
    for (const std::size_t k : {std::size_t{5}, std::size_t{70}}) {
      index.nearest(p, k, even, got);
      std::vector<std::pair<double, CourierId>> got_pairs;
      for (const Candidate& c : got) got_pairs.emplace_back(c.distance_m, c.spot.id);
      std::vector<std::pair<double, CourierId>> want;
      for (CourierId c = 0; c < 300; ++c) {
        if (in[c] && c % 2 == 0) want.emplace_back(distance_m(p, at[c]), c);
      }
      std::sort(want.begin(), want.end());
      want.resize(std::min(k, want.size()));
      EXPECT_EQ(got_pairs, want) << "query " << q << " k " << k;
    }
  }
}

}  // namespace
}  // namespace se::dispatch

namespace se::dispatch {
namespace {

// Couriers crowding into a few cells outgrow their cells' blocks again and again, and couriers
// moving to empty cells give them blocks (each at the end of the pools; the pools are laid out
// afresh once such blocks are half of them): answers and the snapshots they carry still match a
// brute-force search.
TEST(DispatchGridIndex, CrowdedCellsAnswerLikeBruteForce) {
  SplitMix64 rng(13);
  GridIndex index(500);
  constexpr CourierId kCount = 200;
  std::vector<CourierSpot> now(kCount);
  for (CourierId c = 0; c < kCount; ++c) {
    now[c] =
        CourierSpot{c, {rng.uniform() * 20000, rng.uniform() * 20000}, static_cast<Minutes>(c)};
    index.insert(now[c]);
  }
  std::vector<Candidate> got;
  for (int move = 0; move < 3000; ++move) {
    const auto c = static_cast<CourierId>(rng.next() % kCount);
    // Half the moves go to one of three hot spots of about one cell each.
    const Point hot{5000.0 + 4000.0 * static_cast<double>(rng.next() % 3), 7000};
    now[c].at = rng.uniform() < 0.5
                    ? Point{hot.x + rng.uniform() * 400, hot.y + rng.uniform() * 400}
                    : Point{rng.uniform() * 20000, rng.uniform() * 20000};
    now[c].free_time = move;
    index.insert(now[c]);
    if (move % 50 != 0) continue;
    const Point q = rng.uniform() < 0.5 ? hot : Point{rng.uniform() * 20000, rng.uniform() * 20000};
    index.nearest(
        q, 9, [](const CourierSpot&) { return true; }, got);
    std::vector<std::pair<double, CourierId>> want;
    for (const CourierSpot& s : now) want.emplace_back(distance_m(q, s.at), s.id);
    std::sort(want.begin(), want.end());
    ASSERT_EQ(got.size(), 9u);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].distance_m, want[i].first) << "move " << move;
      EXPECT_EQ(got[i].spot.id, want[i].second) << "move " << move;
      EXPECT_EQ(got[i].spot.free_time, now[got[i].spot.id].free_time) << "move " << move;
    }
  }
  EXPECT_EQ(index.size(), kCount);
}

// Ties on distance are broken by id, also when many entries sit at the same point.
TEST(DispatchGridIndex, EqualDistancesRankByIdDeterministically) {
  GridIndex index(500);
  for (CourierId c = 0; c < 40; ++c) index.insert(CourierSpot{39 - c, {1000, 1000}});
  std::vector<Candidate> got;
  index.nearest(
      {1000, 1200}, 7, [](const CourierSpot&) { return true; }, got);
  ASSERT_EQ(got.size(), 7u);
  for (CourierId c = 0; c < 7; ++c) EXPECT_EQ(got[c].spot.id, c);
}

// A distance limit keeps only entries within it, filter or not, and agrees with a full scan.
TEST(DispatchGridIndex, NearestWithinADistanceLimit) {
  GridIndex index(500);
  SplitMix64 rng(7);
  std::vector<CourierSpot> all;
  for (CourierId c = 0; c < 400; ++c) {
    all.push_back(CourierSpot{c, {rng.uniform() * 20000, rng.uniform() * 20000}});
    index.insert(all.back());
  }
  const Point q{10000, 10000};
  auto odd = [](const CourierSpot& s) { return s.id % 2 == 1; };
  std::vector<Candidate> got;
  for (const double limit : {0.0, 800.0, 2500.0, 6000.0}) {
    std::vector<std::pair<double, CourierId>> want;
    for (const CourierSpot& s : all) {
      const double d = distance_m(q, s.at);
      if (d <= limit && odd(s)) want.emplace_back(d, s.id);
    }
    std::sort(want.begin(), want.end());
    if (want.size() > 20) want.resize(20);
    index.nearest(q, 20, odd, got, limit);
    ASSERT_EQ(got.size(), want.size()) << "limit " << limit;
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].spot.id, want[i].second);
  }
  index.nearest(
      q, 20, [](const CourierSpot&) { return true; }, got, 1e9);
  EXPECT_EQ(got.size(), 20u);
}

// A few couriers in a city and some far away (a bad location hundreds of kilometres off, one at
// the edge of what an instance may hold): the grid stays bounded (coarser cells) and every
// answer, by rings or by the sparse path, matches a brute-force search.
TEST(DispatchGridIndex, FarOutliersKeepTheGridBoundedAndAnswersExact) {
  SplitMix64 rng(17);
  GridIndex index(1000);
  std::vector<Point> at;
  for (CourierId c = 0; c < 40; ++c) {
    at.push_back({rng.uniform() * 10000, rng.uniform() * 10000});
    index.insert(CourierSpot{c, at.back()});
  }
  const double city_cell = index.cell_size();
  for (const Point far : {Point{7000, 461000}, Point{-300000, 5000}, Point{-1e8, 1e8}}) {
    at.push_back(far);
    index.insert(CourierSpot{static_cast<CourierId>(at.size() - 1), far});
  }
  EXPECT_GT(index.cell_size(), 100 * city_cell) << "a grid over 1e8 m kept city-sized cells";
  std::vector<Candidate> got;
  for (int q = 0; q < 60; ++q) {
    const Point p = q % 10 == 9 ? Point{-2e7, 3e7}
                                : Point{rng.uniform() * 12000 - 1000, rng.uniform() * 12000 - 1000};
    for (const std::size_t k : {std::size_t{1}, std::size_t{5}, std::size_t{42}, std::size_t{80}}) {
      for (const double limit : {3000.0, 1e6, std::numeric_limits<double>::infinity()}) {
        auto odd = [](const CourierSpot& s) { return s.id % 2 == 1; };
        index.nearest(p, k, odd, got, limit);
        std::vector<std::pair<double, CourierId>> want;
        for (CourierId c = 0; c < at.size(); ++c) {
          const double d = distance_m(p, at[c]);
          if (c % 2 == 1 && d <= limit) want.emplace_back(d, c);
        }
        std::sort(want.begin(), want.end());
        want.resize(std::min(k, want.size()));
        std::vector<std::pair<double, CourierId>> got_pairs;
        for (const Candidate& c : got) got_pairs.emplace_back(c.distance_m, c.spot.id);
        ASSERT_EQ(got_pairs.size(), want.size()) << "query " << q << " k " << k;
        for (std::size_t i = 0; i < want.size(); ++i) {
          EXPECT_EQ(got_pairs[i].second, want[i].second) << "query " << q << " k " << k;
          EXPECT_NEAR(got_pairs[i].first, want[i].first, 1e-6 * (1 + want[i].first));
        }
      }
    }
  }
}

// The policy ranks a short list of couriers (collected once per round) instead of querying the
// index per restaurant; both must give the same answer, ties and the distance limit included.
TEST(DispatchGridIndex, CollectedShortListRanksLikeTheIndex) {
  GridIndex index(700);
  SplitMix64 rng(11);
  for (CourierId c = 0; c < 600; ++c) {
    // Points on a whole-kilometre lattice make equal distances (ties by id) common.
    const Point at{std::floor(rng.uniform() * 12) * 1000, std::floor(rng.uniform() * 12) * 1000};
    index.insert(CourierSpot{c, at});
  }
  auto every_third = [](const CourierSpot& s) { return s.id % 3 == 0; };
  std::vector<Candidate> pool;
  index.collect(every_third, pool);
  EXPECT_EQ(pool.size(), 200u);
  EXPECT_TRUE(std::all_of(pool.begin(), pool.end(),
                          [&](const Candidate& c) { return every_third(c.spot); }));
  std::vector<Candidate> want;
  std::vector<Candidate> got;
  for (const Point q : {Point{0, 0}, Point{5000, 5000}, Point{5500, 11000}, Point{-3000, 4000}}) {
    for (const double limit : {0.0, 1000.0, 2236.0679775, 4000.0, 1e9}) {
      for (const std::size_t k : {std::size_t{1}, std::size_t{8}, std::size_t{300}}) {
        index.nearest(q, k, every_third, want, limit);
        nearest_among(
            pool, q, k, limit, [](const CourierSpot&) { return true; }, got);
        ASSERT_EQ(got.size(), want.size()) << q.x << "," << q.y << " limit " << limit << " k " << k;
        for (std::size_t i = 0; i < got.size(); ++i) {
          EXPECT_EQ(got[i].spot.id, want[i].spot.id)
              << q.x << "," << q.y << " limit " << limit << " k " << k;
          EXPECT_DOUBLE_EQ(got[i].distance_m, want[i].distance_m);
        }
        // A further filter on the short list answers like the index filtered by both.
        auto even = [](const CourierSpot& s) { return s.id % 2 == 0; };
        index.nearest(
            q, k, [&](const CourierSpot& s) { return every_third(s) && even(s); }, want, limit);
        nearest_among(pool, q, k, limit, even, got);
        ASSERT_EQ(got.size(), want.size()) << q.x << "," << q.y << " limit " << limit << " k " << k;
        for (std::size_t i = 0; i < got.size(); ++i) {
          EXPECT_EQ(got[i].spot.id, want[i].spot.id);
          EXPECT_EQ(got[i].spot.id % 6, 0u);
        }
      }
    }
  }
}

}  // namespace
}  // namespace se::dispatch
