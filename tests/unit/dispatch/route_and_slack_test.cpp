// Timing: travel rounding, service halves, and slack-based commitment of the platform policy.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "services/dispatch/dispatcher.hpp"
#include "services/dispatch/greedy_policy.hpp"
#include "services/dispatch/route.hpp"
#include "services/dispatch/slack_policy.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {
namespace {

// The orders of a round's only offer, sorted; empty unless the round made exactly one offer (to
// `courier`, when given).
std::vector<OrderId> sole_offer_orders(const std::vector<Offer>& offers,
                                       std::optional<CourierId> courier = std::nullopt) {
  if (offers.size() != 1 || (courier && offers[0].courier != *courier)) return {};
  std::vector<OrderId> orders = offers[0].orders;
  std::sort(orders.begin(), orders.end());
  return orders;
}

ServiceParams params100() {
  ServiceParams p;
  p.meters_per_minute = 100;
  return p;
}

TEST(DispatchRoute, TravelIsCeilOfDistanceOverSpeed) {
  EXPECT_EQ(travel_minutes({0, 0}, {0, 0}, 100), 0);
  EXPECT_EQ(travel_minutes({0, 0}, {100, 0}, 100), 1);
  EXPECT_EQ(travel_minutes({0, 0}, {100.5, 0}, 100), 2);
  EXPECT_EQ(travel_minutes({0, 0}, {300, 400}, 100), 5);
}

TEST(DispatchRoute, ServiceHalvesAroundPickupAndDropoff) {
  const Point drops[] = {{500, 0}, {500, 300}};
  const RoutePlan p = plan_route(params100(), {-1000, 0}, 3, {0, 0}, 10, drops);
  EXPECT_EQ(p.arrive_restaurant, 13);
  EXPECT_EQ(p.pickup, 15);  // ready at 10, but arrival + 2 is later
  EXPECT_EQ(p.leave_restaurant, 17);
  EXPECT_EQ(p.arrive_customer[0], 22);
  EXPECT_EQ(p.dropoff[0], 24);
  EXPECT_EQ(p.arrive_customer[1], 29);
  EXPECT_EQ(p.dropoff[1], 31);
  EXPECT_EQ(p.free_at, 33);
  const RouteSummary s = summarize_route(params100(), {-1000, 0}, 3, {0, 0}, 10, drops);
  EXPECT_EQ(s.pickup, p.pickup);
  EXPECT_EQ(s.last_dropoff, p.dropoff.back());
  EXPECT_EQ(s.free_at, p.free_at);
  EXPECT_EQ(s.sum_dropoff, 24 + 31);
}

TEST(DispatchRoute, WaitsForFoodWhenEarly) {
  const Point drops[] = {{500, 0}};
  const RoutePlan p = plan_route(params100(), {0, 0}, 0, {0, 0}, 10, drops);
  EXPECT_EQ(p.pickup, 10);
  EXPECT_EQ(p.dropoff[0], 10 + 2 + 5 + 2);
}

TEST(DispatchRoute, OddServiceTimesRoundUpEachHalf) {
  EXPECT_EQ(half_service(4), 2);
  EXPECT_EQ(half_service(5), 3);
  EXPECT_EQ(half_service(0), 0);
}

TEST(DispatchRoute, BestSequenceServesNearCustomerFirst) {
  const Point drops[] = {{2000, 0}, {300, 0}};
  const auto seq = best_dropoff_sequence(params100(), {0, 0}, drops);
  ASSERT_EQ(seq.size(), 2u);
  EXPECT_EQ(seq[0], 1u);
  EXPECT_EQ(seq[1], 0u);
}

// One restaurant at the origin, one courier 1 km (10 minutes) away, food ready at 30.
Dispatcher one_order_world(std::unique_ptr<Policy> policy, Minutes ready) {
  Dispatcher d(params100(), {{0, 0}}, std::move(policy));
  d.courier_online(0, {1000, 0}, 0, 300);
  d.order_placed(0, {0, 500}, 0, 0, ready);
  return d;
}

TEST(DispatchSlack, CommitsOnlyWhenCourierWouldArriveAboutWhenFoodIsReady) {
  SlackPolicyParams pp;
  pp.commit_slack = 2;
  Dispatcher d = one_order_world(std::make_unique<SlackPolicy>(pp), 30);
  // Slack at minute t: 30 - (t + 10 + 2); commit once it is at most 2, i.e. from t = 16.
  for (Minutes t = 0; t < 16; ++t)
    EXPECT_TRUE(d.decide(t).empty()) << "committed too early at " << t;
  const auto offers = d.decide(16);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].plan.arrive_restaurant, 26);
  EXPECT_EQ(offers[0].plan.pickup, 30);  // courier waits only 2 minutes beyond its service half
}

TEST(DispatchSlack, LateFoodIsCommittedAtOnce) {
  Dispatcher d = one_order_world(std::make_unique<SlackPolicy>(), 5);
  const auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].plan.pickup, 12);
}

TEST(DispatchSlack, GreedyCommitsImmediatelyAndWaitsAtRestaurant) {
  Dispatcher d = one_order_world(std::make_unique<GreedyPolicy>(), 30);
  const auto offers = d.decide(0);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0].plan.arrive_restaurant, 10);
  EXPECT_EQ(offers[0].plan.pickup, 30);
}

TEST(DispatchSlack, NeverPlansAPickupAfterTheShift) {
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<SlackPolicy>());
  d.courier_online(0, {1000, 0}, 0, 20);  // shift ends before the food is ready
  d.order_placed(0, {0, 500}, 0, 0, 30);
  for (Minutes t = 0; t <= 30; ++t) EXPECT_TRUE(d.decide(t).empty());
}

// One courier, two ready orders of one restaurant: one placed 60 minutes ago (already beyond the
// 40-minute target), one just placed. Counting all lateness makes the old order look expensive
// (its sunk lateness); counting only lateness still ahead gives it the courier.
TEST(DispatchSlack, LateFromNowStopsSunkLatenessFromStarvingOldOrders) {
  auto winner = [](bool late_from_now) {
    SlackPolicyParams pp;
    pp.max_bundle = 1;
    pp.late_from_now = late_from_now;
    pp.shortage_ratio = 0;  // one courier for two orders would be a shortage (tested below)
    Dispatcher d(params100(), {{0, 0}}, std::make_unique<SlackPolicy>(pp));
    d.courier_online(0, {100, 0}, 0, 300);
    d.order_placed(0, {0, 1000}, 0, 0, 10);    // old
    d.order_placed(1, {0, -1000}, 0, 55, 58);  // fresh, same ride length
    const auto offers = d.decide(60);
    return offers.size() == 1 && offers[0].orders.size() == 1
               ? static_cast<int>(offers[0].orders[0])
               : -1;
  };
  EXPECT_EQ(winner(false), 1);
  EXPECT_EQ(winner(true), 0);
}

// The same two orders under the shortage rule (2 due orders > 1.5 x 1 courier): lateness is
// weighed no more than the age credit, so the old order's cost stops growing while it waits and
// it gets the courier; without the rule (ratio 0) the fresh order does. With 2 couriers (no
// shortage) the rule must not apply.
TEST(DispatchSlack, ShortageStopsWaitingFromStarvingOldOrders) {
  auto run = [](double ratio, int couriers, bool* shortage) {
    SlackPolicyParams pp;
    pp.burst_shortage_ratio = 0;  // shortage_ratio decides every round (no burst rule)
    pp.max_bundle = 1;
    pp.shortage_ratio = ratio;
    auto policy = std::make_unique<SlackPolicy>(pp);
    const SlackPolicy* raw = policy.get();
    Dispatcher d(params100(), {{0, 0}}, std::move(policy));
    for (int c = 0; c < couriers; ++c)
      d.courier_online(static_cast<CourierId>(c), {100, 0}, 0, 300);
    d.order_placed(0, {0, 1000}, 0, 0, 10);    // old: beyond the 40-minute target
    d.order_placed(1, {0, -1000}, 0, 55, 58);  // fresh, same ride length
    const auto offers = d.decide(60);
    *shortage = raw->last_round().shortage;
    std::vector<int> served;
    for (const Offer& o : offers) served.push_back(static_cast<int>(o.orders.at(0)));
    return served;
  };
  bool shortage = false;
  EXPECT_EQ(run(0, 1, &shortage), std::vector<int>{1});
  EXPECT_FALSE(shortage);
  EXPECT_EQ(run(1.5, 1, &shortage), std::vector<int>{0});
  EXPECT_TRUE(shortage);
  EXPECT_EQ(run(1.5, 2, &shortage).size(), 2u);
  EXPECT_FALSE(shortage);
}

// Two orders of one restaurant, food ready in 20 minutes, customers next to each other, one
// courier. Near-term pressure (orders ready within pressure_window) is zero, so normally every
// order travels alone; in a shortage (2 > 1.5 x 1) they are planned as one bundle.
TEST(DispatchSlack, ShortageBundlesWhateverTheNearTermPressure) {
  auto bundles = [](double ratio) {
    SlackPolicyParams pp;
    pp.burst_shortage_ratio = 0;  // shortage_ratio decides every round (no burst rule)
    pp.shortage_ratio = ratio;
    auto policy = std::make_unique<SlackPolicy>(pp);
    const SlackPolicy* raw = policy.get();
    Dispatcher d(params100(), {{0, 0}}, std::move(policy));
    d.courier_online(0, {100, 0}, 0, 300);
    d.order_placed(0, {0, 1000}, 0, 0, 20);
    d.order_placed(1, {0, 1100}, 0, 0, 20);
    EXPECT_TRUE(d.decide(0).empty());  // food not ready for 20 minutes: nothing committed yet
    return raw->last_round().bundles;
  };
  EXPECT_EQ(bundles(0), 2u);
  EXPECT_EQ(bundles(1.5), 1u);
}

// Two orders of one restaurant ready in 20 minutes, customers 2 km east and 2 km north: the
// second drop-off would be 33 minutes later than alone (beyond bundle_delay 20), and the joint
// trip (57 minutes from the restaurant) saves courier time only if a second trip would also
// cost a courier's ride there: 24 + 24 + 4 + ride > 57, i.e. a ride over 5 minutes. In a
// shortage (2 > 1.5 x 1) the delay limit is lifted and the nearest candidate's ride counts:
// from 10 minutes away they are bundled, from 1 minute away they are not.
TEST(DispatchSlack, ShortageLiftsTheDelayLimitAndCountsTheApproachRide) {
  auto bundles = [](double ratio, Point courier) {
    SlackPolicyParams pp;
    pp.burst_shortage_ratio = 0;  // shortage_ratio decides every round (no burst rule)
    pp.shortage_ratio = ratio;
    auto policy = std::make_unique<SlackPolicy>(pp);
    const SlackPolicy* raw = policy.get();
    Dispatcher d(params100(), {{0, 0}}, std::move(policy));
    d.courier_online(0, courier, 0, 300);
    d.order_placed(0, {2000, 0}, 0, 0, 20);
    d.order_placed(1, {0, 2000}, 0, 0, 20);
    EXPECT_TRUE(d.decide(0).empty());
    return raw->last_round().bundles;
  };
  EXPECT_EQ(bundles(0, {-1000, 0}), 2u);
  EXPECT_EQ(bundles(1.5, {-1000, 0}), 1u);
  EXPECT_EQ(bundles(1.5, {-100, 0}), 2u);
}

// Four orders of one restaurant, one ready now and three in 20 minutes (beyond bundle_gap 15),
// customers next to each other, two couriers: a shortage round (4 > 1.5 x 2). While some online
// courier stays beyond closing_horizon (60) the first order travels apart from the others; once
// every online courier leaves within it (the fleet is closing) they are one bundle.
TEST(DispatchSlack, ClosingFleetBundlesBeyondTheReadyGap) {
  auto bundles = [](Minutes off, Minutes other_off, Minutes closing, bool* closed) {
    SlackPolicyParams pp;
    pp.burst_shortage_ratio = 0;  // shortage_ratio decides every round (no burst rule)
    pp.closing_horizon = closing;
    auto policy = std::make_unique<SlackPolicy>(pp);
    const SlackPolicy* raw = policy.get();
    Dispatcher d(params100(), {{0, 0}}, std::move(policy));
    d.courier_online(0, {-1000, 0}, 0, off);
    d.courier_online(1, {50000, 0}, 0, other_off);  // far away
    d.order_placed(0, {0, 1000}, 0, 0, 0);
    for (OrderId o = 1; o < 4; ++o) d.order_placed(o, {0, 1000.0 + 50.0 * o}, 0, 0, 20);
    (void)d.decide(0);
    *closed = raw->last_round().closing;
    return raw->last_round().bundles;
  };
  bool closed = false;
  EXPECT_EQ(bundles(50, 60, 60, &closed), 1u);
  EXPECT_TRUE(closed);
  EXPECT_EQ(bundles(50, 61, 60, &closed), 2u);  // one courier stays longer: not closing
  EXPECT_FALSE(closed);
  EXPECT_EQ(bundles(50, 60, 0, &closed), 2u);  // off
  EXPECT_FALSE(closed);
}

// Last-trip bundling: courier 0 (off 21) can make one more trip; courier 1 (off `other_off`) is
// busy until 10. At minute 1 two orders of restaurant 0 are ready, no shortage and no bundling
// (2 orders, 2 couriers): courier 0 takes one of them. Its trip ends after its off-time, so the
// other order, ready by its pickup, travels along when the fleet is closing (every online courier
// leaves within closing_horizon): the first order is dropped off no later, the second 1 minute
// sooner than courier 1 could bring it (minute 29 against 30).
std::vector<OrderId> last_trip_offer(Minutes other_off, bool rule, Minutes slack = 5) {
  SlackPolicyParams pp;
  pp.last_trip_bundle = rule;
  pp.last_trip_slack = slack;
  Dispatcher d(params100(), {{0, 0}, {0, -1000}}, std::make_unique<SlackPolicy>(pp));
  d.courier_online(1, {0, -1000}, 0, other_off);
  d.order_placed(0, {0, -800}, 1, 0, 0);
  auto first = d.decide(0);
  if (first.size() != 1 || first[0].courier != 1 || !d.accept(first[0].id, 0)) return {};
  d.courier_online(0, {1000, 0}, 1, 21);
  d.order_placed(1, {0, 500}, 0, 1, 1);
  d.order_placed(2, {300, 500}, 0, 1, 1);
  const auto offers = d.decide(1);
  return sole_offer_orders(offers, 0);
}

TEST(DispatchSlack, LastTripTakesReadyOrdersOfItsRestaurantAlong) {
  const std::vector<OrderId> both{1, 2};
  EXPECT_EQ(last_trip_offer(60, true), both);
  EXPECT_EQ(last_trip_offer(60, false).size(), 1u);     // off
  EXPECT_EQ(last_trip_offer(62, true).size(), 1u);      // courier 1 stays beyond 60: not closing
  EXPECT_EQ(last_trip_offer(60, true, -1), both);       // 29 <= 30 - 1
  EXPECT_EQ(last_trip_offer(60, true, -2).size(), 1u);  // 29 > 30 - 2: courier 1 is sooner
}

TEST(DispatchSlack, ShortageIsDueOrdersBeyondRatioTimesCouriers) {
  SlackPolicyParams pp;
  pp.shortage_ratio = 1.5;
  pp.burst_shortage_ratio = 2;
  const SlackPolicy p(pp);
  // In a projected deficit the ratio is shortage_ratio.
  EXPECT_FALSE(p.is_shortage(3, 2, true));
  EXPECT_TRUE(p.is_shortage(4, 2, true));
  EXPECT_TRUE(p.is_shortage(1, 0, true));
  // Outside one, a burst: burst_shortage_ratio.
  EXPECT_FALSE(p.is_shortage(4, 2, false));
  EXPECT_TRUE(p.is_shortage(5, 2, false));
  EXPECT_TRUE(p.is_shortage(1, 0, false));
  pp.burst_shortage_ratio = 0;  // shortage_ratio in every round
  EXPECT_TRUE(SlackPolicy(pp).is_shortage(4, 2, false));
  pp.shortage_ratio = 0;
  EXPECT_FALSE(SlackPolicy(pp).is_shortage(100, 1, true));
  EXPECT_FALSE(SlackPolicy(pp).is_shortage(100, 1, false));
}

// Seven orders, ready at 10, for four couriers 100 m away: 7 > 1.5 x 4 but not > 2 x 4. With
// shifts until 600 the fleet covers the coming 90 minutes (no projected deficit): a burst, no
// shortage round. With shifts ending at 30 the projected demand (7 pending + 7 arrived over the
// window) exceeds twice the capacity (4 x 30 minutes / 20 per order): the same queue is a
// shortage. Returns (deficit, shortage) of the round at minute 0.
std::pair<bool, bool> burst_round(Minutes shift_end) {
  auto policy = std::make_unique<SlackPolicy>();
  const SlackPolicy* raw = policy.get();
  std::vector<Point> restaurants;
  for (int r = 0; r < 7; ++r) restaurants.push_back({200.0 * r, 0});
  Dispatcher d(params100(), restaurants, std::move(policy));
  for (CourierId c = 0; c < 4; ++c) d.courier_online(c, {200.0 * c, 100}, 0, shift_end);
  for (OrderId o = 0; o < 7; ++o) {
    d.order_placed(o, {200.0 * o, 500}, static_cast<RestaurantId>(o), 0, 10);
  }
  (void)d.decide(0);
  return {raw->last_round().deficit, raw->last_round().shortage};
}

TEST(DispatchSlack, AQueueBurstIsNoShortageUnlessTheFleetFallsShortAhead) {
  EXPECT_EQ(burst_round(600), std::make_pair(false, false));
  EXPECT_EQ(burst_round(30), std::make_pair(true, true));
}

// Two couriers 1 km either side of the restaurant, so their arc costs for its one order are
// exactly equal unless pay tells them apart. `first` comes online at `first_online`, the other at
// `other_online`; both end their shift at 600. Returns the courier offered the order at `now`.
int tie_winner(CourierId first, Minutes first_online, Minutes other_online, Minutes now) {
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<SlackPolicy>());
  const CourierId other = 1 - first;
  // Online in time order; the world keeps each courier's own shift start.
  if (first_online <= other_online) {
    d.courier_online(first, {1000, 0}, first_online, 600);
    d.courier_online(other, {-1000, 0}, other_online, 600);
  } else {
    d.courier_online(other, {-1000, 0}, other_online, 600);
    d.courier_online(first, {1000, 0}, first_online, 600);
  }
  d.order_placed(0, {0, 500}, 0, now, now);  // ready now: committed at once
  const auto offers = d.decide(now);
  return offers.size() == 1 ? static_cast<int>(offers[0].courier) : -1;
}

// At minute 200 a courier online since 0 is 5 orders behind its guarantee pace (15 orders over
// 600 minutes), one online since 100 is 2.5 behind (12.5 over 500): the guarantee pays for the
// order either way, so the exact cost tie goes to the courier further behind, whatever its id.
TEST(DispatchSlack, ExactCostTieGoesToTheCourierFurthestBehindPace) {
  EXPECT_EQ(tie_winner(0, 0, 100, 200), 0);
  EXPECT_EQ(tie_winner(1, 0, 100, 200), 1);
}

// At the start of both shifts neither courier is behind pace: the tie is broken as before, by the
// matcher's courier order (courier 0), whichever side of the restaurant it is on.
TEST(DispatchSlack, ExactCostTieWithNobodyBehindPaceKeepsCourierOrder) {
  EXPECT_EQ(tie_winner(0, 0, 0, 0), 0);
  EXPECT_EQ(tie_winner(1, 0, 0, 0), 0);
}

// Fewer candidates only when the fleet is large next to demand; never below the floor.
TEST(DispatchSlack, CandidatesThinOnlyWhenCouriersArePlentiful) {
  SlackPolicyParams pp;
  pp.candidates = 12;
  pp.min_candidates = 3;
  pp.rival_factor = 1.0;
  const SlackPolicy p(pp);
  EXPECT_EQ(p.extra_candidates(20, 50), 12u);      // MDRP-like: 4 x 13 x 20 / 50 = 20.8 rivals
  EXPECT_EQ(p.extra_candidates(2000, 40000), 4u);  // dense city: 2.6 rivals -> 3 + 1
  EXPECT_EQ(p.extra_candidates(1, 40000), 3u);     // floor
  EXPECT_EQ(p.extra_candidates(5, 0), 12u);
  pp.rival_factor = 0;
  EXPECT_EQ(SlackPolicy(pp).extra_candidates(2000, 40000), 12u);  // thinning off
}

// Pay-aware candidates. Couriers 0 and 1 come online 100 m from two restaurants at the origin at
// minute 0 and each takes one order there, so at minute 2 each is almost one order ahead of its
// guarantee pace (15 orders over 600 minutes, 0.05 due by then): a further order would be paid on
// top. Courier 2, online at minute 1 at (far_m, 0), has none. Order 9 of restaurant 0, ready at
// minute 2: with the candidates cut to the two nearest (1 extra + 1 order), couriers 0 and 1
// (next waiting 100 m away, free by minute 10: never committed early) are its only candidates
// unless pay_candidates brings in the nearest couriers the guarantee still pays for, within
// pay_reach minutes' ride; courier 2 then arrives 3 minutes later than courier 0 could, which
// costs less than the pay. Returns (candidate couriers, courier offered order 9 at minute 2, or
// -1: none offered).
std::pair<std::size_t, int> pay_candidate_round(std::size_t pay_candidates, Minutes pay_reach,
                                                double far_m) {
  SlackPolicyParams pp;
  pp.candidates = 1;
  pp.min_candidates = 1;
  pp.rival_factor = 0;
  pp.pay_candidates = pay_candidates;
  pp.pay_reach = pay_reach;
  auto policy = std::make_unique<SlackPolicy>(pp);
  const SlackPolicy* raw = policy.get();
  Dispatcher d(params100(), {{0, 0}, {0, 10}}, std::move(policy));
  d.courier_online(0, {100, 0}, 0, 600);
  d.courier_online(1, {-100, 0}, 0, 600);
  d.order_placed(0, {0, 100}, 0, 0, 0);
  d.order_placed(1, {0, -100}, 1, 0, 0);
  for (const Offer& offer : d.decide(0)) {
    if (!d.accept(offer.id, 0)) return {0, -2};
  }
  d.courier_online(2, {far_m, 0}, 1, 600);
  d.order_placed(9, {0, 300}, 0, 2, 2);
  const auto offers = d.decide(2);
  const int courier = sole_offer_orders(offers) == std::vector<OrderId>{9}
                          ? static_cast<int>(offers[0].courier)
                          : -1;
  return {raw->last_round().couriers, courier};
}

TEST(DispatchSlack, PayAwareCandidatesAddCouriersTheGuaranteeStillPaysFor) {
  EXPECT_EQ(pay_candidate_round(0, 30, 1000), std::make_pair(std::size_t{2}, -1));  // off
  EXPECT_EQ(pay_candidate_round(8, 30, 1000), std::make_pair(std::size_t{3}, 2));
  // Beyond the reach (5 minutes = 500 m at 100 m/min) courier 2 stays out.
  EXPECT_EQ(pay_candidate_round(8, 5, 1000), std::make_pair(std::size_t{2}, -1));
}

// A shift change: couriers 0 and 1 wait 100 m from the restaurant but leave at minute 15, before
// order 0 is ready (20); courier 2, 1 km (10 minutes) away, stays until 600. With the candidates
// cut to the two nearest, the leaving couriers would fill the list until they go offline, and
// courier 2 could then pick up only at 27. A courier off shift before the food is ready is no
// candidate, so courier 2 is offered the order in time to pick it up when it is ready.
TEST(DispatchSlack, CouriersLeavingBeforeTheFoodIsReadyAreNoCandidates) {
  SlackPolicyParams pp;
  pp.candidates = 1;
  pp.min_candidates = 1;
  pp.rival_factor = 0;
  pp.pay_candidates = 0;
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<SlackPolicy>(pp));
  d.courier_online(0, {100, 0}, 0, 15);
  d.courier_online(1, {-100, 0}, 0, 15);
  d.courier_online(2, {0, 1000}, 0, 600);
  d.order_placed(0, {0, -300}, 0, 0, 20);
  std::vector<std::pair<Minutes, CourierId>> offered;
  for (Minutes now = 0; now <= 20; ++now) {
    for (const Offer& offer : d.decide(now)) {
      offered.emplace_back(now, offer.courier);
      ASSERT_TRUE(d.accept(offer.id, now));
    }
  }
  ASSERT_EQ(offered.size(), 1u);
  EXPECT_EQ(offered[0].second, CourierId{2});
  // Leaving at the offer, it arrives 10 minutes later and picks up at arrival + 2 = 20 at the
  // latest: the slack rule commits it at minute 8 or a little before.
  EXPECT_LE(offered[0].first, 8);
}

// End-of-shift look-ahead. One courier at the origin, order 0 alone at restaurant A 1 km east
// (customer 500 m north of it), orders 1 and 2 at restaurant B 1 km west (customers together
// 500 m north of it), all ready: a shortage (3 due > 1.5 x 1). Taking A first (free at 23 at
// (1000, 500)) still reaches B by 46; taking B first (free at 27 at (-1000, 500)) reaches A only
// at 50. With the shift ending at 47, B first shuts A out (2 orders in the shift, A first 3);
// the look-ahead charges B and sends the courier to A. Returns the orders offered at minute 0.
std::vector<OrderId> last_trips_first(Minutes shift_end, const SlackPolicyParams& pp,
                                      std::size_t* charged) {
  auto policy = std::make_unique<SlackPolicy>(pp);
  const SlackPolicy* raw = policy.get();
  Dispatcher d(params100(), {{1000, 0}, {-1000, 0}}, std::move(policy));
  d.courier_online(0, {0, 0}, 0, shift_end);
  d.order_placed(0, {1000, 500}, 0, 0, 0);
  d.order_placed(1, {-1000, 500}, 1, 0, 0);
  d.order_placed(2, {-1000, 500}, 1, 0, 0);
  const auto offers = d.decide(0);
  if (charged != nullptr) *charged = raw->last_round().chain_charged;
  return sole_offer_orders(offers);
}

TEST(DispatchSlack, EndOfShiftLookAheadKeepsTimeForTheNextTrip) {
  const std::vector<OrderId> a{0}, b{1, 2};
  SlackPolicyParams pp;
  std::size_t charged = 0;
  EXPECT_EQ(last_trips_first(47, pp, &charged), a);
  EXPECT_EQ(charged, 1u);  // only B's arc shuts a bundle out
  pp.chain_trips = 1;
  EXPECT_EQ(last_trips_first(47, pp, nullptr), a);
  pp.chain_horizon = 0;  // off: one trip at a time, the larger bundle first
  EXPECT_EQ(last_trips_first(47, pp, &charged), b);
  EXPECT_EQ(charged, 0u);
}

TEST(DispatchSlack, EndOfShiftLookAheadOnlyNearTheOffTimeAndInAShortage) {
  const std::vector<OrderId> a{0}, b{1, 2};
  SlackPolicyParams pp;
  std::size_t charged = 0;
  // Off-time beyond the 120-minute horizon: the courier is not planned over several trips.
  pp.chain_horizon = 120;
  EXPECT_EQ(last_trips_first(121, pp, &charged), b);
  EXPECT_EQ(charged, 0u);
  // No shortage (ratio 0 = never): the look-ahead applies only if allowed outside shortages.
  pp.shortage_ratio = 0;
  EXPECT_EQ(last_trips_first(47, pp, &charged), b);
  EXPECT_EQ(charged, 0u);
  pp.chain_shortage_only = false;
  EXPECT_EQ(last_trips_first(47, pp, &charged), a);
}

// Two further trips. One courier at the origin; four single orders whose customers stand at
// their restaurants (a trip takes the ride + 8 minutes): Y 300 m west, X 500 m east, Z 1000 m
// east, W 1500 m east, all ready, shift ending at 33. After X (free at 13) Z and then W are
// still picked up (20, 33); after Y only one more trip fits. One trip ahead every first trip
// leaves room for one more, so the nearest (Y) wins on cost; two trips ahead X does.
TEST(DispatchSlack, EndOfShiftLookAheadOverTwoFurtherTrips) {
  auto first = [](int trips) {
    SlackPolicyParams pp;
    pp.chain_trips = trips;
    Dispatcher d(params100(), {{-300, 0}, {500, 0}, {1000, 0}, {1500, 0}},
                 std::make_unique<SlackPolicy>(pp));
    d.courier_online(0, {0, 0}, 0, 33);
    for (OrderId o = 0; o < 4; ++o) d.order_placed(o, d.world().restaurant(o), o, 0, 0);
    const auto offers = d.decide(0);
    return offers.size() == 1 && offers[0].orders.size() == 1
               ? static_cast<int>(offers[0].orders[0])
               : -1;
  };
  EXPECT_EQ(first(1), 0);  // Y
  EXPECT_EQ(first(2), 1);  // X
}

// Joint end-of-shift plan. Courier 1 is sent at minute 0 from (0, 5000) to a customer at
// (0, 6000): busy until 18, beyond busy_look_ahead, so it is not in the next round's matching.
// At minute 1 courier 0 (origin, off at 41) can make one trip only: order 0 at restaurant A
// (0, -1000) or orders 1 and 2 at restaurant B (0, 3000), customers at their restaurants. Alone,
// neither trip shuts another out of its shift, so it takes the larger bundle B. Courier 1 (off
// at 60) can still reach B (pickup 50) but not A (90): jointly A + B serves 3 orders, B first
// only 2, so the joint plan sends courier 0 to A.
std::vector<OrderId> joint_first(std::size_t budget, bool* joint, OrderId b_orders = 2) {
  SlackPolicyParams pp;
  pp.chain_joint_budget = budget;
  auto policy = std::make_unique<SlackPolicy>(pp);
  const SlackPolicy* raw = policy.get();
  Dispatcher d(params100(), {{0, -1000}, {0, 3000}, {0, 5000}}, std::move(policy));
  d.courier_online(1, {0, 5000}, 0, 60);
  d.order_placed(3, {0, 6000}, 2, 0, 0);
  const auto first = d.decide(0);
  if (first.size() != 1 || first[0].courier != 1 || !d.accept(first[0].id, 0)) return {};
  d.courier_online(0, {0, 0}, 1, 41);
  d.order_placed(0, {0, -1000}, 0, 1, 1);
  for (OrderId o = 1; o <= b_orders; ++o) d.order_placed(o == 3 ? 4 : o, {0, 3000}, 1, 1, 1);
  const auto offers = d.decide(1);
  if (joint != nullptr) *joint = raw->last_round().chain_joint;
  return sole_offer_orders(offers, 0);
}

TEST(DispatchSlack, JointEndOfShiftPlanCountsTheOtherLateCouriers) {
  const std::vector<OrderId> a{0}, b{1, 2};
  bool joint = false;
  EXPECT_EQ(joint_first(20000, &joint), a);
  EXPECT_TRUE(joint);
  EXPECT_EQ(joint_first(0, &joint), b);  // off: each courier alone
  EXPECT_FALSE(joint);
  EXPECT_EQ(joint_first(3, &joint), b);  // over its budget: falls back to each courier alone
  EXPECT_FALSE(joint);
  EXPECT_EQ(joint_first(1, &joint), b);  // more couriers to scan than the budget: never searched
  EXPECT_FALSE(joint);
}

// The same with three orders at B: A first still serves 4 orders in all, B first 3. J counts
// B's own 3 orders, which the matching rewards again, so charged one order B (3 - 1) would still
// beat A (1); weighed 1 + (3 - 1) per order of the joint shortfall, A wins.
TEST(DispatchSlack, JointEndOfShiftPlanIsNotOutweighedByTheTripsOwnOrders) {
  const std::vector<OrderId> a{0}, b{1, 2, 4};
  bool joint = false;
  EXPECT_EQ(joint_first(20000, &joint, 3), a);
  EXPECT_TRUE(joint);
  EXPECT_EQ(joint_first(0, &joint, 3), b);
}

// Keeping only each bundle's cheapest arcs (after the look-ahead charges) leaves at most that
// many arcs per bundle and the cheapest one is still matched.
TEST(DispatchSlack, ArcsPerBundleKeepsTheCheapestArcs) {
  SlackPolicyParams pp;
  pp.arcs_per_bundle = 1;
  pp.max_bundle = 1;
  auto policy = std::make_unique<SlackPolicy>(pp);
  const SlackPolicy* raw = policy.get();
  Dispatcher d(params100(), {{0, 0}, {5000, 0}}, std::move(policy));
  for (CourierId c = 0; c < 4; ++c) d.courier_online(c, {1000.0 * c, 0}, 0, 300);
  d.order_placed(0, {0, 500}, 0, 0, 0);
  d.order_placed(1, {5000, 500}, 1, 0, 0);
  const auto offers = d.decide(0);
  EXPECT_EQ(raw->last_round().bundles, 2u);
  EXPECT_EQ(raw->last_round().arcs, 2u);
  ASSERT_EQ(offers.size(), 2u);
  for (const Offer& o : offers) EXPECT_EQ(o.courier, o.orders[0] == 0 ? 0u : 3u);
}

// Sustained shortage. Courier 1 (off 600) is sent at minute 0 from restaurant B (0, 2000) to a
// customer at (0, 300): busy until 25, then 3 minutes from restaurant A (origin). At minute 1
// courier 0 comes online 15 minutes from A and three orders of A are placed, ready at 29: three
// due orders for one candidate courier is a shortage (ratio 1) from minute 1. Without the rule
// courier 1 is beyond busy_look_ahead (10) until minute 15, so courier 0 takes the bundle when its
// slack reaches 2 (minute 10). Once the shortage has lasted `sustained` minutes courier 1 (pickup
// 30, 1.5 minutes of ride weighed) competes against courier 0 (pickup 29, 7.5 minutes of ride
// and the wait), wins the plan and is committed when it is free at 25. Pay and pressure are
// switched off so that only the timing decides. Returns (minute, courier) of the first offer.
std::pair<Minutes, int> sustained_first_offer(Minutes window, Minutes sustained, Minutes skip = -1,
                                              bool* flagged = nullptr, Minutes twice = -1) {
  SlackPolicyParams pp;
  pp.burst_shortage_ratio = 0;  // shortage_ratio decides every round (no burst rule)
  pp.shortage_ratio = 1;
  pp.pay_weight = 0;
  pp.scale_time_by_pressure = false;
  pp.sustained_busy_look_ahead = window;
  pp.sustained_shortage = sustained;
  auto policy = std::make_unique<SlackPolicy>(pp);
  const SlackPolicy* raw = policy.get();
  Dispatcher d(params100(), {{0, 0}, {0, 2000}}, std::move(policy));
  d.courier_online(1, {0, 2000}, 0, 600);
  d.order_placed(10, {0, 300}, 1, 0, 0);
  const auto first = d.decide(0);
  if (first.size() != 1 || first[0].courier != 1 || !d.accept(first[0].id, 0)) return {-1, -1};
  d.courier_online(0, {1500, 0}, 1, 600);
  d.order_placed(0, {0, -500}, 0, 1, 29);
  d.order_placed(1, {100, -500}, 0, 1, 29);
  d.order_placed(2, {-100, -500}, 0, 1, 29);
  for (Minutes t = 1; t <= 40; ++t) {
    if (t == skip) continue;
    if (t == twice && !d.decide(t).empty()) return {-2, -2};  // a live dispatcher deciding again
    const auto offers = d.decide(t);
    if (t == 10 && flagged != nullptr) *flagged = raw->last_round().sustained;
    if (!offers.empty()) return {t, static_cast<int>(offers[0].courier)};
  }
  return {-1, -1};
}

TEST(DispatchSlack, SustainedShortageLetsANearCourierFreeingLaterCompete) {
  bool flagged = false;
  EXPECT_EQ(sustained_first_offer(10, 5, -1, &flagged), std::make_pair(Minutes{10}, 0));  // off
  EXPECT_FALSE(flagged);
  EXPECT_EQ(sustained_first_offer(20, 5, -1, &flagged), std::make_pair(Minutes{25}, 1));
  EXPECT_TRUE(flagged);
  // Not yet sustained at minute 10 (shortage since minute 1).
  EXPECT_EQ(sustained_first_offer(20, 30), std::make_pair(Minutes{10}, 0));
  // Only consecutive rounds count: skipping minute 6 restarts the run at 7, 3 minutes by 10.
  EXPECT_EQ(sustained_first_offer(20, 5, 6), std::make_pair(Minutes{10}, 0));
  // A second round in one minute continues the run.
  EXPECT_EQ(sustained_first_offer(20, 5, -1, nullptr, 6), std::make_pair(Minutes{25}, 1));
}

// Projected deficit. The world of sustained_first_offer with both couriers leaving at 40, one
// order of restaurant A (ready 29) and shortage_ratio 100, so no round's own queue is a
// shortage (one due order, two candidate couriers). But four more orders of restaurant B are
// pending (ready at 200, never due here), six have arrived within the window, and the two
// couriers have 15 and at most 39 minutes of shift left at 25 courier minutes per order (courier
// 1's first trip): demand 5 pending + 6 arrivals x horizon / window = 11 against a capacity of
// 2.16 orders at minute 1 (1.8 at minute 10), a deficit from minute 1 for any deficit_ratio
// below 5. The rounds then run as a sustained
// shortage from minute 6 and courier 1, free at 25 three minutes from A, competes and wins as
// above; without the estimate (deficit_ratio 0, or 8) courier 0 is committed at minute 10.
// Returns (minute, courier) of the first offer for order 0.
std::pair<Minutes, int> deficit_first_offer(double deficit_ratio, bool* sustained, bool* deficit) {
  SlackPolicyParams pp;
  pp.shortage_ratio = 100;
  pp.pay_weight = 0;
  pp.scale_time_by_pressure = false;
  pp.sustained_shortage = 5;
  pp.deficit_ratio = deficit_ratio;
  auto policy = std::make_unique<SlackPolicy>(pp);
  const SlackPolicy* raw = policy.get();
  Dispatcher d(params100(), {{0, 0}, {0, 2000}}, std::move(policy));
  d.courier_online(1, {0, 2000}, 0, 40);
  d.order_placed(10, {0, 300}, 1, 0, 0);
  const auto first = d.decide(0);
  if (first.size() != 1 || first[0].courier != 1 || !d.accept(first[0].id, 0)) return {-1, -1};
  d.courier_online(0, {1500, 0}, 1, 40);
  d.order_placed(0, {0, -500}, 0, 1, 29);
  for (OrderId o = 20; o < 24; ++o) d.order_placed(o, {0, 2500}, 1, 1, 200);
  for (Minutes t = 1; t <= 40; ++t) {
    const auto offers = d.decide(t);
    if (t == 10) {
      *sustained = raw->last_round().sustained;
      *deficit = raw->last_round().deficit;
      EXPECT_FALSE(raw->last_round().shortage);
    }
    if (!offers.empty()) {
      EXPECT_EQ(offers[0].orders, std::vector<OrderId>{0});
      return {t, static_cast<int>(offers[0].courier)};
    }
  }
  return {-1, -1};
}

TEST(DispatchSlack, ProjectedDeficitContinuesASustainedShortage) {
  bool sustained = true, deficit = true;
  EXPECT_EQ(deficit_first_offer(0, &sustained, &deficit), std::make_pair(Minutes{10}, 0));
  EXPECT_FALSE(sustained);
  EXPECT_FALSE(deficit);
  EXPECT_EQ(deficit_first_offer(2, &sustained, &deficit), std::make_pair(Minutes{25}, 1));
  EXPECT_TRUE(sustained);
  EXPECT_TRUE(deficit);
  EXPECT_EQ(deficit_first_offer(4, &sustained, &deficit), std::make_pair(Minutes{25}, 1));
  // A margin of 8 (8 x 1.8 > 11): no deficit.
  EXPECT_EQ(deficit_first_offer(8, &sustained, &deficit), std::make_pair(Minutes{10}, 0));
  EXPECT_FALSE(deficit);
}

// Hold for placed orders (step 2c). Restaurant 0 at the origin; courier 0 30 minutes away is the
// only courier. Order 0 (ready 30) is committed at minute 0 (it arrives about then, pickup 32);
// order 1 of the same restaurant is already placed but ready at 35, beyond the look-ahead, so the
// round does not plan it. With shortage_ratio 0.5 and sustained_shortage 0 the round is a
// sustained shortage: the trip waits until 35 and takes order 1 along (order 0 is dropped 3
// minutes later, within hold_minutes 5). Returns the offer's orders, sorted.
std::vector<OrderId> hold_offer(Minutes hold_minutes, Minutes sustained_shortage) {
  SlackPolicyParams pp;
  pp.burst_shortage_ratio = 0;  // shortage_ratio decides every round (no burst rule)
  pp.shortage_ratio = 0.5;
  pp.sustained_shortage = sustained_shortage;
  pp.hold_minutes = hold_minutes;
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<SlackPolicy>(pp));
  d.courier_online(0, {0, -3000}, 0, 600);
  d.order_placed(0, {0, 500}, 0, 0, 30);
  d.order_placed(1, {100, 500}, 0, 0, 35);
  const auto offers = d.decide(0);
  return sole_offer_orders(offers, 0);
}

TEST(DispatchSlack, SustainedShortageHoldsATripForAPlacedOrderOfItsRestaurant) {
  const std::vector<OrderId> both{0, 1};
  const std::vector<OrderId> first{0};
  EXPECT_EQ(hold_offer(5, 0), both);
  EXPECT_EQ(hold_offer(0, 0), first);   // off
  EXPECT_EQ(hold_offer(2, 0), first);   // ready 35 > pickup 32 + 2
  EXPECT_EQ(hold_offer(5, 20), first);  // a shortage, but not yet sustained
}

// Stranding. A remote restaurant at the origin, its customer 500 m north: the trip leaves its
// courier where nothing else was placed over the 90 minutes the policy has watched (from minute
// 0, no orders until the order at 90). Courier 0, 20 minutes away, has most of its 11.5-hour
// shift ahead (17.25 guaranteed orders); courier 1, 21 minutes away, leaves at minute 150.
// Without the stranding term the nearer courier 0 takes the order; with it, the guarantee
// courier 0 would no longer earn after the trip outweighs the minute, and courier 1 takes it.
// Returns the courier offered the order.
std::optional<CourierId> remote_order_courier(const SlackPolicyParams& pp) {
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<SlackPolicy>(pp));
  d.courier_online(0, {2000, 0}, 0, 690);
  d.courier_online(1, {2100, 0}, 0, 150);
  for (Minutes now = 0; now < 90; ++now) EXPECT_TRUE(d.decide(now).empty());
  d.order_placed(0, {0, 500}, 0, 90, 115);
  for (Minutes now = 90; now <= 115; ++now) {
    for (const Offer& offer : d.decide(now)) return offer.courier;
  }
  return std::nullopt;
}

TEST(DispatchSlack, StrandingTripsGoToCouriersWithLittleGuaranteeLeft) {
  SlackPolicyParams pp;
  pp.strand_reach = 0;
  EXPECT_EQ(remote_order_courier(pp), CourierId{0});
  pp.strand_reach = 20;
  EXPECT_EQ(remote_order_courier(pp), CourierId{1});
  // The order itself was placed near its drop-off: with strand_orders 1 that is enough.
  pp.strand_orders = 1;
  EXPECT_EQ(remote_order_courier(pp), CourierId{0});
}

// One courier and, at minute 36, two orders of one restaurant that its next trip drops off at the
// same minute: order 1 (placed at 24, click-to-door 38) and order 2 (placed at 30, 32). The only
// click-to-door promised so far is order 0's 34. Without the tail term the older order goes
// first; with it, order 1 misses 34 whichever trip takes it, and order 2 still makes it.
OrderId first_of_two_for_the_tail(double tail_weight) {
  SlackPolicyParams pp;
  pp.max_bundle = 1;
  pp.shortage_ratio = 0;
  pp.deficit_ratio = 0;
  pp.tail_weight = tail_weight;
  pp.tail_min_orders = 1;
  Dispatcher d(params100(), {{0, 0}}, std::make_unique<SlackPolicy>(pp));
  d.courier_online(0, {0, 0}, 0, 300);
  d.order_placed(0, {0, 1000}, 0, 0, 20);
  for (Minutes now = 0; now <= 36; ++now) {
    if (now == 24) d.order_placed(1, {0, -1000}, 0, now, 40);
    if (now == 30) d.order_placed(2, {0, -1000}, 0, now, 40);
    const auto offers = d.decide(now);
    if (now == 16) {  // order 0: picked up at 20, dropped off at 34
      EXPECT_EQ(sole_offer_orders(offers), std::vector<OrderId>{0});
      if (offers.size() == 1) {
        EXPECT_TRUE(d.accept(offers[0].id, now).has_value());
      }
      continue;
    }
    if (now < 36) {
      EXPECT_TRUE(offers.empty()) << "offer at " << now;
      continue;
    }
    const auto orders = sole_offer_orders(offers);
    return orders.size() == 1 ? orders[0] : OrderId{99};
  }
  return OrderId{99};
}

TEST(DispatchSlack, TailTermServesFirstTheOrderThatCanStillMakeThePercentile) {
  EXPECT_EQ(first_of_two_for_the_tail(0), OrderId{1});
  EXPECT_EQ(first_of_two_for_the_tail(10), OrderId{2});
}

// The policy keeps buffers between rounds; they must never leak into the next decision.
TEST(DispatchSlack, ReusedPolicyDecidesLikeAFreshOne) {
  auto world_at = [](std::unique_ptr<Policy> policy) {
    Dispatcher d(params100(), {{0, 0}, {3000, 0}, {0, 3000}}, std::move(policy));
    for (CourierId c = 0; c < 12; ++c) d.courier_online(c, {300.0 * c, 200.0 * (c % 4)}, 0, 400);
    for (OrderId o = 0; o < 9; ++o) {
      d.order_placed(o, {100.0 * o, 900}, o % 3, 0, 3 + (o * 7) % 11);
    }
    return d;
  };
  Dispatcher fresh = world_at(std::make_unique<SlackPolicy>());
  auto reused_policy = std::make_unique<SlackPolicy>();
  SlackPolicy* reused = reused_policy.get();
  Dispatcher other = world_at(std::move(reused_policy));
  // Warm the reused policy's buffers on a different minute, then decide on the same state. The
  // policy remembers where orders were placed (stranding), so both decide the same minutes.
  (void)reused->decide(other.world(), 30);
  SlackPolicy fresh_policy;
  std::size_t proposals = 0;
  for (Minutes t : {0, 5, 10}) {
    const auto a = fresh_policy.decide(fresh.world(), t);
    const auto b = reused->decide(other.world(), t);
    proposals += a.size();
    ASSERT_EQ(a.size(), b.size()) << "minute " << t;
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].courier, b[i].courier);
      EXPECT_EQ(a[i].orders, b[i].orders);
    }
  }
  EXPECT_GT(proposals, 0u);  // the comparison has something to compare
}

}  // namespace
}  // namespace se::dispatch
