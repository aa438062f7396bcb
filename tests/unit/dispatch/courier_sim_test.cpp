// Couriers slower or faster than the travel model (CourierSim) and the replay that drives the
// dispatcher with their reports: locations, pickups, drop-offs, deliveries, and withdrawals from
// late couriers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "services/dispatch/courier_sim.hpp"
#include "services/dispatch/feasibility.hpp"
#include "services/dispatch/metrics.hpp"
#include "services/dispatch/replay.hpp"
#include "services/dispatch/synthetic.hpp"
#include "services/dispatch/travel.hpp"
#include "synthetic_days.hpp"

namespace se::dispatch {
namespace {

// One courier at the origin, one restaurant 3,200 m east (10 minutes at the model's speed), one
// order 640 m further east (2 minutes).
Instance line_city() {
  Instance in;
  in.params.meters_per_minute = 320;
  in.params.pickup_service = 4;
  in.params.dropoff_service = 4;
  in.restaurants.push_back(Restaurant{"r0", Point{3200, 0}});
  in.orders.push_back(Order{"o0", Point{3840, 0}, 0, 0, 0});
  in.orders.push_back(Order{"o1", Point{3840, 0}, 0, 0, 0});
  in.couriers.push_back(Courier{"c0", Point{0, 0}, 0, 600});
  return in;
}

Offer offer_of(OfferId id, OrderId o, Minutes accepted_at) {
  Offer a;
  a.id = id;
  a.courier = 0;
  a.restaurant = 0;
  a.orders = {o};
  a.made_at = accepted_at;
  a.accepted_at = accepted_at;
  a.from = Place{Place::Kind::CourierStart, 0};
  return a;
}

std::vector<CourierReport> drain(CourierSim& sim, Minutes now) {
  std::vector<CourierReport> out;
  while (auto r = sim.next_report(0, now)) out.push_back(*r);
  return out;
}

TEST(CourierSim, TwiceAsSlowRidesTwiceAsLongAndReportsOnTheWay) {
  const Instance in = line_city();
  CourierSim sim(in, [](OfferId) { return 2.0; });
  sim.accepted(offer_of(1, 0, 0));
  const auto reports = drain(sim, 100);
  // 20 minutes to the restaurant: locations at minutes 1..19, then the pickup at 20 + 2, the
  // drop-off after a ride of 4 minutes, and the delivery when it leaves the customer.
  ASSERT_EQ(reports.size(), 22u);
  for (Minutes m = 1; m <= 19; ++m) {
    const CourierReport& r = reports[static_cast<std::size_t>(m - 1)];
    EXPECT_EQ(r.kind, CourierReport::Kind::Location);
    EXPECT_EQ(r.time, m);
    EXPECT_NEAR(r.at.x, 3200.0 * static_cast<double>(m) / 20.0, 1e-9);
  }
  EXPECT_EQ(reports[19].kind, CourierReport::Kind::PickedUp);
  EXPECT_EQ(reports[19].time, 22);
  EXPECT_EQ(reports[20].kind, CourierReport::Kind::DroppedOff);
  EXPECT_EQ(reports[20].order, 0u);
  EXPECT_EQ(reports[20].time, 22 + 2 + 4 + 2);
  EXPECT_EQ(reports[21].kind, CourierReport::Kind::Delivered);
  EXPECT_EQ(reports[21].time, 22 + 2 + 4 + 2 + 2);
  const Solution sol = sim.take_solution();
  ASSERT_EQ(sol.orders.size(), 1u);
  EXPECT_EQ(sol.orders[0].pickup, 22);
  EXPECT_EQ(sol.orders[0].dropoff, 22 + 2 + 4 + 2);
  EXPECT_TRUE(sim.idle());
}

TEST(CourierSim, ReportsNothingBeforeItIsDue) {
  const Instance in = line_city();
  CourierSim sim(in, [](OfferId) { return 1.0; });
  sim.accepted(offer_of(1, 0, 0));
  EXPECT_EQ(drain(sim, 5).size(), 5u);  // locations at minutes 1..5 only
  EXPECT_FALSE(sim.idle());
}

TEST(CourierSim, WithdrawnRideStopsWhereItIsAndTheNextStartsFromThere) {
  const Instance in = line_city();
  CourierSim sim(in, [](OfferId) { return 1.0; });
  sim.accepted(offer_of(1, 0, 0));
  sim.accepted(offer_of(2, 1, 0));
  ASSERT_EQ(drain(sim, 5).size(), 5u);
  sim.withdrawn(0, 1, 5);  // half-way: 1,600 m east at minute 5
  const auto reports = drain(sim, 100);
  // The second assignment starts at minute 5 from 1,600 m: 5 minutes to the restaurant.
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.front().kind, CourierReport::Kind::Location);
  EXPECT_EQ(reports.front().offer, 2u);
  EXPECT_NEAR(reports.front().at.x, 1600.0 + 320.0, 1e-9);
  const Solution sol = sim.take_solution();
  ASSERT_EQ(sol.orders.size(), 1u);
  EXPECT_EQ(sol.orders[0].order, 1u);
  EXPECT_EQ(sol.orders[0].pickup, 5 + 5 + 2);
  // No move from the unnamed spot where the first ride stopped: only restaurant -> customer.
  ASSERT_EQ(sol.moves.size(), 1u);
  EXPECT_EQ(sol.moves[0].from.kind, Place::Kind::Restaurant);
}

TEST(CourierSim, OfflineKeepsOnlyTheFoodOnBoard) {
  const Instance in = line_city();
  CourierSim sim(in, [](OfferId) { return 1.0; });
  sim.accepted(offer_of(1, 0, 0));
  sim.accepted(offer_of(2, 1, 0));
  const auto before = drain(sim, 12);  // picked up at 12
  ASSERT_EQ(before.back().kind, CourierReport::Kind::PickedUp);
  sim.offline(0, 12);
  const auto after = drain(sim, 100);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].kind, CourierReport::Kind::DroppedOff);
  EXPECT_EQ(after[1].kind, CourierReport::Kind::Delivered);
  EXPECT_EQ(after[1].offer, 1u);
  EXPECT_TRUE(sim.idle());
}

// Everything a courier carried out must be physically possible for it and within the rules the
// slowdown cannot change: each order at most once, picked up when ready and within the shift,
// dropped after its pickup, one assignment at a time per courier.
// Couriers no faster than the model never reach a restaurant or a door before it allows, so of
// the travel-model rules only those about a ride stopped half-way may break.
void expect_carried_out_consistently(const Instance& in, const Solution& sol,
                                     bool none_faster = true) {
  const FeasibilityReport fr = check_feasibility(in, sol);
  EXPECT_TRUE(fr.only_travel_rules_broken())
      << (fr.violations.empty() ? "" : fr.violations.front().detail);
  if (none_faster) {
    EXPECT_EQ(fr.count(Rule::AtCustomer), 0u);
    EXPECT_EQ(fr.count(Rule::TimeMonotone), 0u);
  }
  std::set<OrderId> seen;
  for (const OrderRecord& r : sol.orders) {
    EXPECT_TRUE(seen.insert(r.order).second) << "order " << r.order << " delivered twice";
    EXPECT_GE(r.pickup, in.orders[r.order].ready);
    EXPECT_GE(r.pickup, in.orders[r.order].placed);
    EXPECT_LE(r.pickup, in.couriers[r.courier].off);
    EXPECT_GT(r.dropoff, r.pickup);
  }
  std::map<CourierId, std::vector<std::pair<Minutes, Minutes>>> busy;
  std::map<OrderId, Minutes> dropoff;
  for (const OrderRecord& r : sol.orders) dropoff[r.order] = r.dropoff;
  for (const AssignmentRecord& a : sol.assignments) {
    busy[a.courier].emplace_back(a.pickup, dropoff.at(a.orders.back()));
  }
  for (auto& [c, spans] : busy) {
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i) {
      EXPECT_GT(spans[i].first, spans[i - 1].second) << "courier " << c << " on two trips at once";
    }
  }
}

using testing_days::easy_day;

class SlowCouriers : public ::testing::TestWithParam<const char*> {};

TEST_P(SlowCouriers, ReportingAtTheModelsSpeedChangesNothing) {
  const Instance in = easy_day();
  ReplayOptions reporting;
  reporting.couriers_report = true;
  const ReplayResult planned = replay(in, make_policy(GetParam()));
  const ReplayResult reported = replay(in, make_policy(GetParam()), reporting);
  EXPECT_EQ(reported.unexpected_reports, 0u);
  ASSERT_EQ(planned.solution.orders.size(), reported.solution.orders.size());
  for (std::size_t i = 0; i < planned.solution.orders.size(); ++i) {
    const auto &a = planned.solution.orders[i], &b = reported.solution.orders[i];
    EXPECT_EQ(a.order, b.order);
    EXPECT_EQ(a.courier, b.courier) << "order " << a.order;
    EXPECT_EQ(a.pickup, b.pickup) << "order " << a.order;
    EXPECT_EQ(a.dropoff, b.dropoff) << "order " << a.order;
  }
}

TEST_P(SlowCouriers, ServeTheDayLaterButConsistently) {
  const Instance in = easy_day();
  ReplayOptions slow;
  slow.slowdown = 0.3;
  slow.reassign_when_late = 5;
  slow.seed = 7;
  const ReplayResult a = replay(in, make_policy(GetParam()), slow);
  const ReplayResult b = replay(in, make_policy(GetParam()), slow);
  EXPECT_EQ(a.unexpected_reports, 0u);
  expect_carried_out_consistently(in, a.solution);
  const Metrics m = compute_metrics(in, a.solution);
  EXPECT_EQ(m.orders_delivered, in.orders.size());
  EXPECT_GT(m.click_to_door.mean,
            compute_metrics(in, replay(in, make_policy(GetParam())).solution).click_to_door.mean);
  ASSERT_EQ(a.solution.orders.size(), b.solution.orders.size());
  for (std::size_t i = 0; i < a.solution.orders.size(); ++i) {
    EXPECT_EQ(a.solution.orders[i].dropoff, b.solution.orders[i].dropoff) << "not deterministic";
  }
}

TEST_P(SlowCouriers, LateCouriersLoseAssignmentsThatOthersThenServe) {
  const Instance in = easy_day();
  ReplayOptions slow;
  slow.slowdown = 1.0;
  slow.reassign_when_late = 2;
  slow.seed = 11;
  const ReplayResult r = replay(in, make_policy(GetParam()), slow);
  EXPECT_GT(r.stats.reassigned_late, 0u);
  EXPECT_EQ(r.unexpected_reports, 0u);
  expect_carried_out_consistently(in, r.solution);
  EXPECT_EQ(compute_metrics(in, r.solution).orders_delivered, in.orders.size());
}

TEST_P(SlowCouriers, FasterCouriersServeTheDaySooner) {
  const Instance in = easy_day();
  ReplayOptions fast;
  fast.speedup = 0.3;
  fast.reassign_when_late = 5;
  fast.seed = 5;
  const ReplayResult r = replay(in, make_policy(GetParam()), fast);
  EXPECT_EQ(r.unexpected_reports, 0u);
  expect_carried_out_consistently(in, r.solution, /*none_faster=*/false);
  const Metrics m = compute_metrics(in, r.solution);
  EXPECT_EQ(m.orders_delivered, in.orders.size());
  EXPECT_LT(m.click_to_door.mean,
            compute_metrics(in, replay(in, make_policy(GetParam())).solution).click_to_door.mean);
  // Some faster and some slower than the model.
  fast.slowdown = 0.3;
  const ReplayResult both = replay(in, make_policy(GetParam()), fast);
  EXPECT_EQ(both.unexpected_reports, 0u);
  expect_carried_out_consistently(in, both.solution, /*none_faster=*/false);
  EXPECT_EQ(compute_metrics(in, both.solution).orders_delivered, in.orders.size());
}

// Every live-world path at once: declines, silences, couriers faster and slower, reassignment.
TEST_P(SlowCouriers, DeclinesSilencesAndUnevenPacesTogether) {
  const Instance in = easy_day();
  ReplayOptions live;
  live.decline_rate = 0.2;
  live.silence_rate = 0.1;
  live.slowdown = 0.4;
  live.speedup = 0.2;
  live.reassign_when_late = 3;
  live.seed = 9;
  const ReplayResult r = replay(in, make_policy(GetParam()), live);
  EXPECT_GT(r.stats.declined, 0u);
  EXPECT_GT(r.stats.expired, 0u);
  EXPECT_EQ(r.unexpected_reports, 0u);
  expect_carried_out_consistently(in, r.solution, /*none_faster=*/false);
  EXPECT_EQ(compute_metrics(in, r.solution).orders_delivered, in.orders.size());
}

INSTANTIATE_TEST_SUITE_P(Dispatch, SlowCouriers, ::testing::Values("greedy", "slack"));

}  // namespace
}  // namespace se::dispatch
