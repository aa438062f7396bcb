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
  std::size_t released_offline = 0;
  std::size_t rejected_proposals = 0;  // policy proposals that failed validation
};

class Dispatcher {
 public:
  Dispatcher(ServiceParams params, std::vector<Point> restaurants, std::unique_ptr<Policy> policy,
             double index_cell_m = 1000.0);

  // Events.
  void order_placed(OrderId o, Point dropoff, RestaurantId r, Minutes now, Minutes ready);
  void order_ready_updated(OrderId o, Minutes ready);
  void courier_online(CourierId c, Point at, Minutes now, Minutes shift_end);
  // Offers and not-yet-picked-up assignments of the courier go back to the pending pool.
  void courier_offline(CourierId c, Minutes now);
  void courier_location(CourierId c, Point at, Minutes now);

  // One decision step: new offers, each holding its courier and orders until answered.
  std::vector<Offer> decide(Minutes now);
  // Commits an outstanding offer, re-timed from `now`; nullopt if it is no longer outstanding.
  std::optional<Offer> accept(OfferId id, Minutes now);
  // The orders return to the pool and are never offered to this courier again.
  void decline(OfferId id, Minutes now);

  [[nodiscard]] const World& world() const { return world_; }
  [[nodiscard]] const Policy& policy() const { return *policy_; }
  [[nodiscard]] const DispatcherStats& stats() const { return stats_; }

 private:
  [[nodiscard]] std::optional<Offer> validate(const Proposal& p, Minutes now,
                                              std::vector<char>& used) const;
  void forget_picked_up(Minutes now);

  World world_;
  std::unique_ptr<Policy> policy_;
  std::map<OfferId, Offer> outstanding_;
  std::map<OfferId, Offer> committed_;  // accepted, pickup still ahead
  OfferId next_offer_ = 1;
  DispatcherStats stats_;
};

}  // namespace se::dispatch
