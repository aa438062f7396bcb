// The platform policy: a rolling horizon that, every epoch, bundles due orders by restaurant,
// matches bundles to couriers in one exact min-cost matching, and commits a match only when its
// timing is right (slack-based postponement). Everything not committed is re-planned at the next
// epoch with whatever has been revealed meanwhile.
#pragma once
#include <cstdint>
#include <memory>

#include "services/dispatch/bundling.hpp"
#include "services/dispatch/click_to_door_tally.hpp"
#include "services/dispatch/min_cost_matching.hpp"
#include "services/dispatch/policy.hpp"
#include "services/dispatch/recent_placements.hpp"

namespace se::dispatch {

struct SlackPolicyParams {
  Minutes epoch = 1;        // re-plan interval of the rolling horizon
  Minutes look_ahead = 30;  // plan orders whose food is ready within this
  Minutes busy_look_ahead =
      10;  // couriers that free up within this compete (never committed early)
  // Commit once slack (ready - courier arrival) is at most this: the courier arrives about when
  // the food is ready instead of idling at the restaurant.
  Minutes commit_slack = 2;
  std::size_t candidates = 12;  // nearest couriers per restaurant (grid index), beyond its orders
  // When the fleet is large next to demand, fewer candidates are enough to resolve competition:
  // at least min_candidates, else rival_factor x the expected number of competing orders + 1
  // (capped at `candidates`; rival_factor 0 always uses `candidates`).
  std::size_t min_candidates = 3;
  double rival_factor = 1.0;
  // Pay-aware candidates: when some of a restaurant's nearest candidates would be paid for one
  // more order (ahead of their guarantee pace, see the arc cost) and fewer than pay_candidates of
  // them would not, the nearest pay_candidates couriers the guarantee still pays for, within
  // pay_reach minutes' ride, compete too (0 = off). With a large fleet the nearest few couriers
  // are the busiest (they sit where the orders are) while others idle below their guarantee,
  // which is paid anyway: on the benchmark's seed days 5-8 (hundreds of couriers) that cost up
  // to 0.6 per order against greedy, whose couriers spread by being busy longer
  // (docs/dispatch-log.md, "The 240 public instances"). The reach is 90 minutes (30
  // before): on those days some couriers start far from their shift's orders (at most 3 of them
  // within 30 minutes' ride) and were never used while the guarantee paid their whole shift;
  // greedy, short of idle couriers, sends them.
  std::size_t pay_candidates = 8;
  Minutes pay_reach = 90;
  std::size_t arcs_per_bundle = 0;  // keep only the cheapest arcs of each bundle (0 = all)
  int max_bundle = 3;
  Minutes pressure_window = 10;       // orders ready within this count as demand for bundle sizing
  BundlingRules bundling{1, 15, 20};  // max_size is overridden by the pressure-based target
  // Arc cost, in minutes: remaining time to door of each order, plus courier time wasted on the
  // way and waiting, plus pay in currency x pay_weight, minus priority of old orders.
  double travel_weight = 0.5;
  double wait_weight = 1.0;
  // 3 since the pay-aware candidates above (1.5 before): with a courier below its guarantee
  // among the candidates, the pay difference is worth a few minutes of ride.
  double pay_weight = 3.0;
  double pace_grace = 1.0;  // orders a courier may run ahead of its guarantee pace for free
  Minutes last_call = 30;   // within this of shift end, filling the guarantee is a saving
  double age_weight = 0.5;
  bool scale_time_by_pressure = true;  // courier-time weights x min(1, due orders / couriers)
  double late_weight = 1.0;            // extra weight per predicted minute beyond the target
  // Count only lateness still ahead (sunk lateness then no longer makes an old order look
  // expensive). Off by default: on perturbed copies of the development days it delivered a few
  // more orders on the evening shortage day but cost 1-3 minutes of click-to-door mean and p90.
  bool late_from_now = false;
  double serve_value = 1000.0;  // per order: matching as many orders as possible comes first
  // Courier shortage: a round whose due orders exceed shortage_ratio x its candidate couriers
  // (0 = never) plans for throughput and against starvation. Bundles are limited only by the
  // ready gap and by saving courier time, where a separate trip also costs the ride of a second
  // courier to the restaurant (at least the nearest candidate's), not by the near-term pressure
  // nor by bundle_delay, up to shortage_max_bundle orders (a cap for the exhaustive drop-off
  // sequencing: 6! = 720 orders). And the lateness weight is capped at age_weight, so an
  // order's cost stops growing while it waits and an old order is no longer pushed back round
  // after round until the couriers leave.
  // Outside a projected deficit (below: the fleet online covers the coming hour's demand) a
  // queue beyond shortage_ratio is a burst that clears by itself, and planning it for throughput
  // only bundles orders past the tail: such a round is a shortage only beyond
  // burst_shortage_ratio x its candidate couriers (0 = shortage_ratio in every round).
  double shortage_ratio = 1.5;
  double burst_shortage_ratio = 2.0;
  int shortage_max_bundle = 6;
  // End-of-shift look-ahead (a courier's next trips planned together). For a courier whose
  // off-time is within chain_horizon minutes (0 = never), in shortage rounds only unless
  // chain_shortage_only is off: F(trip) = orders of the best chain_trips (1 or 2) further
  // bundles of the round it could still pick up before its off-time after that trip, M = its
  // best F. Each of its arcs is charged chain_weight x serve_value x (M - F): the orders the trip
  // shuts out of the courier's shift compared with its best first trip. Couriers whose every
  // trip leaves time for the rest are unchanged. 120 minutes cover three trips of this problem.
  Minutes chain_horizon = 120;
  int chain_trips = 2;
  double chain_weight = 1.0;
  bool chain_shortage_only = true;
  // Joint end-of-shift plan (on top of the above, 0 = off): J(arc) = the most orders the late
  // couriers of the round can pick up before their off-times when this arc's courier starts
  // with this arc's trip, each courier up to 1 + chain_trips trips among the round's bundles, no
  // bundle twice (exact search over the couriers' chains, memoised on the bundles used). Late
  // couriers outside the matching (busy for longer than busy_look_ahead, or not among any
  // restaurant's nearest) count as capacity from where and when they are free. Each arc is then
  // charged for the larger of its own shortfall above and M - J(arc) (M: its courier's best J).
  // J already counts the arc's own orders, which the matching also rewards (serve_value each),
  // so the joint shortfall is weighed 1 + (largest - smallest bundle among the courier's arcs)
  // per order: a trip whose plan serves fewer orders in all never wins on its own size, and among
  // trips of equal J the larger one still does.
  // Applied when the late couriers' bundles are at most 64 and the search stays within
  // chain_joint_budget steps (couriers scanned + chains generated + chains tried; a fleet larger
  // than the budget never searches); otherwise the courier's own only.
  std::size_t chain_joint_budget = 20000;
  // Closing fleet: in a shortage round where every online courier's off-time is within
  // closing_horizon minutes (0 = never), bundles are no longer limited by the ready gap (only by
  // the courier time they save and shortage_max_bundle): a separate trip may be one the fleet
  // can no longer make, so a ready order waits for a later one of its restaurant instead.
  Minutes closing_horizon = 60;
  // Last-trip bundling: a committed trip after which its courier can reach no restaurant before
  // its off-time (its spare capacity perishes) takes along further orders of its restaurant that
  // are pending and ready by its pickup, up to the round's bundle cap, while none of the trip's
  // own orders is dropped more than last_trip_delay later and each added order at most
  // last_trip_slack after the earliest drop-off another candidate courier could give it alone.
  // Only when every online courier's off-time is within last_trip_horizon (0 = every round):
  // earlier in the day couriers coming online replace the leaving ones' capacity.
  bool last_trip_bundle = true;
  Minutes last_trip_slack = 5;
  Minutes last_trip_delay = 0;
  Minutes last_trip_horizon = 60;
  // Sustained shortage: once every round of the last sustained_shortage minutes has been a
  // shortage round, couriers that free up within sustained_busy_look_ahead (instead of
  // busy_look_ahead) compete in the plan; they are still never committed early. In a short burst
  // the queue clears by itself and holding an order for a busy courier only delays it; while the
  // fleet stays short, courier minutes decide how many orders are served, and a near courier that
  // frees up in 10-20 minutes often reaches the restaurant about as soon as an idle one sent from
  // far away, which then stays free for another order. Off when sustained_busy_look_ahead is at
  // most busy_look_ahead.
  Minutes sustained_shortage = 20;
  Minutes sustained_busy_look_ahead = 20;
  // Projected deficit: an online estimate of the demand still to come against the capacity of
  // the couriers online now. Demand over the next deficit_horizon minutes = orders pending + the
  // arrival rate of the last deficit_window minutes x the horizon; capacity = each online
  // courier's minutes on shift within the horizon (from when it is free) / the courier minutes
  // per order of this policy's own commitments of the last deficit_window minutes
  // (deficit_trip_minutes until there are any). A round whose projected demand exceeds
  // deficit_ratio x capacity (0 = never) continues (or starts) a run of shortage rounds for the
  // sustained-shortage rule above even when its own due orders are not a shortage: the fleet
  // stays short for the coming hour although the queue of the minute has cleared.
  double deficit_ratio = 2.0;
  Minutes deficit_window = 90;
  Minutes deficit_horizon = 90;
  double deficit_trip_minutes = 20;
  // Hold for placed orders: in a round of a sustained shortage (above: a run of shortage or
  // projected-deficit rounds), a committed trip takes along further pending orders of its
  // restaurant that are already placed and ready no later than hold_minutes after the trip's
  // pickup (0 = off), in ready order up to the round's bundle cap, while no order of the trip is
  // dropped more than hold_minutes later than as committed and each added order is dropped no
  // later than hold_slack after the earliest drop-off another candidate courier could give it
  // alone. Such rounds bundle by the near-term pressure unless their own queue is a shortage, so
  // orders of one restaurant ready minutes apart would otherwise often take two couriers' trips.
  Minutes hold_minutes = 5;
  Minutes hold_slack = 5;
  // Stranding (0 = off): a trip whose last drop-off lies where fewer than strand_orders orders
  // were placed within about strand_reach minutes' ride (the 3 x 3 cells of that size around
  // it) over the last deficit_window minutes leaves its courier far from the orders to come.
  // While the courier's guarantee still pays for orders it would then not get, that pay is lost:
  // the arc is charged strand_weight x pay_weight x pay per order x the guaranteed orders of the
  // shift left after the trip (at most what is still short of the whole guarantee). Only once
  // the placements have been watched for a whole window (before, no place has any). A remote
  // order then goes to a courier whose shift ends soon or whose guarantee is already earned; on
  // 6r50t75s2p125 two couriers with four hours left were sent to the far corner at 563 and 575
  // and served nothing more (docs/dispatch-log.md, "Stranding").
  Minutes strand_reach = 20;
  std::size_t strand_orders = 3;
  double strand_weight = 1.0;
  // Tail (0 = off): the click-to-door percentile is judged against what the policy has promised
  // over the last tail_window minutes (a benchmark day fits in one). Once tail_min_orders orders
  // are committed, an arc is charged tail_weight per order it would drop off later than the
  // tail_quantile of those committed click-to-door minutes. For a percentile only the count of
  // orders beyond the threshold matters, not how far beyond: so a courier that brings an order in
  // under it is preferred to one that does not, and an order that can still make it is served
  // before one that misses it whichever trip takes it (the linear lateness weighs every minute
  // alike). When the threshold is within tail_floor_margin minutes (negative = never) of the same
  // quantile of the orders' own bounds (ready or placement + pickup service, the direct ride,
  // drop-off service), the bounds' quantile is the threshold: a percentile near its floor is
  // beaten only if every order that can make the floor does. Off by default: on the family of
  // the development days (COPIES=32) weight 10 met every goal on 18 more of the 1,028 instances
  // (p90 0.18 minutes shorter, mean 0.04 longer), but on 80 of the benchmark's public instances
  // it fixed one and broke three (their misses are mostly cost, which it only perturbs), and on
  // 120 of them it met every goal on one fewer: docs/dispatch.md, step 4d.
  double tail_weight = 0.0;
  double tail_quantile = 0.9;
  std::size_t tail_min_orders = 50;
  Minutes tail_floor_margin = 1;
  Minutes tail_window = 1440;
};

// Applies "name=value" overrides (names as the fields above; bundling rules as bundle_gap and
// bundle_delay); throws std::invalid_argument on an unknown name or bad value.
void apply_override(SlackPolicyParams& params, std::string_view assignment);

// Matching arc costs are cents x 2^kTieBits plus an exact tie-break key below the cent (see
// slack_policy.cpp): the matcher's total_cost is in those units, matched_cents is in cents.
inline constexpr int kTieBits = 20;
inline constexpr std::int64_t kTieScale = std::int64_t{1} << kTieBits;

struct SlackRoundStats {
  std::size_t due_orders = 0;
  std::size_t bundles = 0;
  std::size_t couriers = 0;
  std::size_t arcs = 0;
  std::size_t matched = 0;
  std::size_t committed = 0;
  bool shortage = false;            // due orders > (burst_)shortage_ratio x candidates
  bool closing = false;             // shortage with every online courier within closing_horizon
  std::size_t chain_arcs = 0;       // arcs of couriers within chain_horizon of their off-time
  std::size_t chain_charged = 0;    // of which charged for shutting a bundle out
  bool chain_joint = false;         // the joint plan of the late couriers was searched
  std::size_t last_trip_grown = 0;  // committed last trips that took further orders along
  bool sustained = false;           // shortage in every round for sustained_shortage minutes
  std::size_t held = 0;             // committed trips that took further placed orders along (2c)
  bool deficit = false;             // projected demand above deficit_ratio x capacity
  double projected_demand = 0;      // orders over deficit_horizon
  double projected_capacity = 0;    // orders over deficit_horizon (scan stops once it covers)
  MatchingStats matching;           // total_cost in cents x 2^kTieBits + tie-break keys
  std::int64_t matched_cents = 0;   // the matching's cost in hundredths of a minute
};

class SlackPolicy final : public Policy {
 public:
  explicit SlackPolicy(SlackPolicyParams params = {});
  ~SlackPolicy() override;
  [[nodiscard]] std::string_view name() const override { return "slack"; }
  std::vector<Proposal> decide(const World& world, Minutes now) override;
  [[nodiscard]] const SlackRoundStats& last_round() const { return last_; }
  [[nodiscard]] const SlackPolicyParams& params() const { return p_; }
  // Candidates per restaurant beyond its own orders, for `due` orders and `available` couriers.
  [[nodiscard]] std::size_t extra_candidates(std::size_t due, std::size_t available) const;
  // Whether a round with `due` orders and `couriers` candidate couriers plans for a shortage,
  // in a projected deficit or not.
  [[nodiscard]] bool is_shortage(std::size_t due, std::size_t couriers, bool deficit) const;

 private:
  struct Scratch;  // per-round buffers, kept between rounds so a round allocates little
  void find_candidates(const World& world, Minutes now, Minutes busy_window);
  bool shortage_sustained(bool shortage, Minutes now);
  bool projected_deficit(const World& world, Minutes now, std::size_t arrived);
  void record_commitment(Minutes now, Minutes courier_minutes, std::size_t orders);
  void chain_look_ahead(const World& world, Minutes now);
  bool joint_look_ahead(const World& world, Minutes now);
  void last_trip_bundling(const World& world, Minutes now, bool shortage,
                          std::vector<Proposal>& out);
  void hold_for_placed(const World& world, Minutes now, bool shortage, std::vector<Proposal>& out);
  SlackPolicyParams p_;
  SlackRoundStats last_;
  MinCostMatcher matcher_;
  std::unique_ptr<Scratch> scratch_;
  // The only memory between rounds: when the current run of consecutive shortage rounds began
  // (-1: none) and the minute of the previous round. A skipped or earlier minute (another world,
  // or a gap in the calls) starts the count again; a repeated minute does not.
  Minutes shortage_since_ = -1;
  Minutes previous_round_ = -1;
  // For the projected deficit: per minute of the last deficit_window (slot minute % window),
  // orders placed and the courier minutes and orders of this policy's commitments. A slot
  // carries its minute (stale ones are skipped); cleared with the run when rounds are not
  // consecutive, so a policy reused on another world starts afresh.
  struct MinuteTally {
    Minutes minute = -1;
    std::size_t arrivals = 0;
    Minutes courier_minutes = 0;
    std::size_t committed_orders = 0;
  };
  std::vector<MinuteTally> tally_;
  RecentPlacements placed_;    // for stranding (strand_reach)
  ClickToDoorTally promised_;  // for the tail term (tail_weight): committed click-to-door minutes
  ClickToDoorTally bounds_;    // and each order's own click-to-door bound, when first seen
  MinuteTally& tally(Minutes now);
};

}  // namespace se::dispatch
