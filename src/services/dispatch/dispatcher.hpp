// The dispatch engine's front door, shaped for the live service: events go in, offers come out
// of decide(now), and the courier app answers each offer with accept or decline. The replay
// drives exactly this interface with a simulated clock.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "services/dispatch/policy.hpp"
#include "services/dispatch/world.hpp"

namespace se::dispatch {

struct DispatcherStats {
  std::size_t offers = 0;
  std::size_t accepted = 0;
  std::size_t declined = 0;
  std::size_t expired = 0;  // offers not answered within offer_timeout
  std::size_t released_offline = 0;
  std::size_t reassigned_late = 0;     // accepted assignments withdrawn from a late courier
  std::size_t rejected_proposals = 0;  // policy proposals that failed validation
};

struct DispatcherOptions {
  double index_cell_m = 1000.0;
  // An offer not answered within this many minutes is withdrawn and its orders are never offered
  // to that courier again: silence counts as a decline. 0: an offer waits for its answer.
  Minutes offer_timeout = 0;
  // The courier app reports each pickup and delivery (picked_up, delivered). Then only a
  // reported pickup makes an assignment permanent, and planned times are estimates that reports
  // and live locations correct. Off (the replay): what is planned is what happens.
  bool progress_reports = false;
  // An accepted assignment whose pickup, re-estimated from the courier's live location, falls
  // more than this many minutes behind the pickup promised at acceptance goes back to the pool
  // for the policy to match again. 0: never (only a pickup past the shift's end withdraws it).
  Minutes reassign_when_late = 0;
};

// An offer or accepted assignment taken back from a courier who is still online; the service
// tells the courier app. (A courier going offline loses its work without being told.)
struct Withdrawal {
  enum class Reason : std::uint8_t { OfferTimedOut, RunningLate, PastShiftEnd };
  OfferId offer = 0;
  CourierId courier = 0;
  std::vector<OrderId> orders;
  Reason reason = Reason::OfferTimedOut;
};

class Dispatcher {
 public:
  Dispatcher(ServiceParams params, std::vector<Point> restaurants, std::unique_ptr<Policy> policy,
             DispatcherOptions options = {});

  // Events. A location valid_point() refuses (not finite, or beyond kMaxCoordinate; also a
  // restaurant's, and parameters params_problem() refuses, above) throws std::invalid_argument
  // and changes nothing.
  void order_placed(OrderId o, Point dropoff, RestaurantId r, Minutes now, Minutes ready);
  void order_ready_updated(OrderId o, Minutes ready);
  void courier_online(CourierId c, Point at, Minutes now, Minutes shift_end);
  // Offers and not-yet-picked-up assignments of the courier go back to the pending pool.
  void courier_offline(CourierId c, Minutes now);
  // An idle courier is re-anchored there. With progress reports, a courier on its way to a
  // pickup has that assignment (and any after it) re-timed from there, and withdrawn if it now
  // runs later than reassign_when_late allows or past its shift.
  void courier_location(CourierId c, Point at, Minutes now);
  // Progress reports of an accepted assignment; false if it is not one in that state. A pickup
  // makes the assignment permanent and re-times its drop-offs; a delivery frees the courier at
  // its last drop-off from `now`. Each re-times the courier's later assignments.
  bool picked_up(OfferId id, Minutes now);
  bool delivered(OfferId id, Minutes now);
  // One order of a picked-up assignment handed over at `now`; false if it is not one. The rest of
  // the bundle's drop-offs, when the courier is free and its later assignments are re-timed.
  bool dropped_off(OfferId id, OrderId order, Minutes now);

  // One decision step: offers past their time-out are withdrawn, then new offers are made, each
  // holding its courier and orders until answered.
  std::vector<Offer> decide(Minutes now);
  // Withdrawals since the last call, oldest first.
  std::vector<Withdrawal> take_withdrawals();
  // Commits an outstanding offer, re-timed from `now`; nullopt if it is no longer outstanding.
  std::optional<Offer> accept(OfferId id, Minutes now);
  // The orders return to the pool and are never offered to this courier again.
  void decline(OfferId id, Minutes now);

  [[nodiscard]] const World& world() const { return world_; }
  [[nodiscard]] const Policy& policy() const { return *policy_; }
  [[nodiscard]] const DispatcherStats& stats() const { return stats_; }
  [[nodiscard]] std::size_t outstanding_offers() const { return outstanding_.size(); }

 private:
  [[nodiscard]] std::optional<Offer> validate(const Proposal& p, Minutes now,
                                              std::vector<char>& used) const;
  void forget_picked_up(Minutes now);
  void expire_offers(Minutes now);
  // The courier is free of assignment `done` (and those before it) at its last customer from
  // `free`: re-plans its later assignments still ahead of their pickup, in acceptance order, and
  // files where and when it ends up free.
  void replan_after(const Offer& done, Minutes free);
  // Withdraws every accepted assignment of the courier still ahead of its pickup; it now waits
  // at `at` from `now`.
  void withdraw_accepted(CourierId c, Point at, Minutes now, Withdrawal::Reason why);

  DispatcherOptions options_;
  World world_;
  std::unique_ptr<Policy> policy_;
  std::map<OfferId, Offer> outstanding_;
  std::map<OfferId, Offer> committed_;   // accepted, pickup still ahead
  std::map<OfferId, Offer> delivering_;  // picked up, not yet delivered
  std::vector<Withdrawal> withdrawals_;
  OfferId next_offer_ = 1;
  DispatcherStats stats_;
};

}  // namespace se::dispatch
