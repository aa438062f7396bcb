// End to end: replays are feasible, deliver everything on an easy day, and are deterministic.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "services/dispatch/feasibility.hpp"
#include "services/dispatch/mdrp_io.hpp"
#include "services/dispatch/metrics.hpp"
#include "services/dispatch/replay.hpp"
#include "services/dispatch/synthetic.hpp"
#include "synthetic_days.hpp"

namespace se::dispatch {
namespace {

bool same(const Solution& a, const Solution& b) {
  if (a.assignments.size() != b.assignments.size() || a.orders.size() != b.orders.size() ||
      a.moves.size() != b.moves.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.assignments.size(); ++i) {
    const auto &x = a.assignments[i], &y = b.assignments[i];
    if (x.assigned != y.assigned || x.pickup != y.pickup || x.courier != y.courier ||
        x.orders != y.orders)
      return false;
  }
  for (std::size_t i = 0; i < a.orders.size(); ++i) {
    const auto &x = a.orders[i], &y = b.orders[i];
    if (x.order != y.order || x.pickup != y.pickup || x.dropoff != y.dropoff ||
        x.courier != y.courier)
      return false;
  }
  for (std::size_t i = 0; i < a.moves.size(); ++i) {
    const auto &x = a.moves[i], &y = b.moves[i];
    if (x.courier != y.courier || x.depart != y.depart || !(x.from == y.from) || !(x.to == y.to))
      return false;
  }
  return true;
}

class Replays : public ::testing::TestWithParam<const char*> {};

TEST_P(Replays, SyntheticDayIsFeasibleCompleteAndDeterministic) {
  const Instance in = testing_days::easy_day();
  const ReplayResult a = replay(in, make_policy(GetParam()));
  const ReplayResult b = replay(in, make_policy(GetParam()));
  const auto fr = check_feasibility(in, a.solution);
  EXPECT_TRUE(fr.feasible()) << (fr.violations.empty() ? "" : fr.violations[0].detail);
  EXPECT_EQ(compute_metrics(in, a.solution).orders_delivered, in.orders.size());
  EXPECT_TRUE(same(a.solution, b.solution)) << "same input gave a different solution";
}

TEST_P(Replays, SolutionFilesRoundTrip) {
  SyntheticSpec spec;
  spec.orders = 60;
  const Instance in = make_synthetic_instance(spec);
  const ReplayResult r = replay(in, make_policy(GetParam()));
  const auto dir = std::filesystem::temp_directory_path() /
                   ("swifteats_dispatch_roundtrip_" + std::string(GetParam()));
  write_solution(dir, in, r.solution);
  const Solution back = read_solution(dir, in);
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(same(r.solution, back));
  EXPECT_TRUE(check_feasibility(in, back).feasible());
}

// The live world's paths on a whole day: a fifth of the offers declined, a tenth never answered.
TEST_P(Replays, DeclinedAndUnansweredOffersStillServeTheDay) {
  const Instance in = testing_days::easy_day();
  ReplayOptions live;
  live.decline_rate = 0.2;
  live.silence_rate = 0.1;
  live.seed = 7;
  const ReplayResult a = replay(in, make_policy(GetParam()), live);
  const ReplayResult b = replay(in, make_policy(GetParam()), live);
  EXPECT_GT(a.stats.declined, a.stats.offers / 10);
  EXPECT_GT(a.stats.expired, a.stats.offers / 20);
  EXPECT_EQ(a.stats.accepted, a.solution.assignments.size());
  const auto fr = check_feasibility(in, a.solution);
  EXPECT_TRUE(fr.feasible()) << (fr.violations.empty() ? "" : fr.violations[0].detail);
  EXPECT_EQ(compute_metrics(in, a.solution).orders_delivered, in.orders.size());
  EXPECT_TRUE(same(a.solution, b.solution)) << "same input and seed gave a different solution";
  live.seed = 8;
  EXPECT_FALSE(same(a.solution, replay(in, make_policy(GetParam()), live).solution));
}

// The real benchmark day, when the shared data set is present on this machine.
TEST_P(Replays, BenchmarkDayIsFeasible) {
  const std::filesystem::path dir = "/work/shared/mdrp/instances/0o50t75s2p125";
  if (!std::filesystem::exists(dir / "orders.txt")) GTEST_SKIP() << "MDRP instance not available";
  const Instance in = read_instance(dir);
  const ReplayResult r = replay(in, make_policy(GetParam()));
  const auto fr = check_feasibility(in, r.solution);
  EXPECT_TRUE(fr.feasible()) << (fr.violations.empty() ? "" : fr.violations[0].detail);
  EXPECT_EQ(compute_metrics(in, r.solution).orders_delivered, in.orders.size());
}

INSTANTIATE_TEST_SUITE_P(Dispatch, Replays, ::testing::Values("greedy", "slack"));

TEST(DispatchReplay, SlackBeatsGreedyOnSyntheticDay) {
  SyntheticSpec spec;
  spec.seed = 5;
  spec.couriers = 20;
  spec.orders = 250;
  const Instance in = make_synthetic_instance(spec);
  const Metrics g = compute_metrics(in, replay(in, make_policy("greedy")).solution);
  const Metrics s = compute_metrics(in, replay(in, make_policy("slack")).solution);
  EXPECT_GE(s.orders_delivered, g.orders_delivered);
  EXPECT_LT(s.click_to_door.mean, g.click_to_door.mean);
}

TEST(SyntheticInstance, RefusesOrdersWithoutRestaurants) {
  SyntheticSpec spec;
  spec.restaurants = 0;
  EXPECT_THROW(make_synthetic_instance(spec), std::invalid_argument);
  spec.orders = 0;
  EXPECT_TRUE(make_synthetic_instance(spec).orders.empty());
}

TEST(DispatchMetrics, PercentilesInterpolateLikePandas) {
  const double v[] = {1, 2, 3, 4, 10};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.p10, 1.4);
  EXPECT_DOUBLE_EQ(s.p50, 3.0);
  EXPECT_DOUBLE_EQ(s.p90, 7.6);
  EXPECT_DOUBLE_EQ(s.max, 10.0);
}

}  // namespace
}  // namespace se::dispatch
