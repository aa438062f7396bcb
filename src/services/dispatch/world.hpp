// What the dispatcher knows at a given simulated minute: orders revealed so far, couriers online,
// when and where each courier next waits for instructions, and outstanding offers. It is fed only
// by events, so it never knows an order before its placement.
#pragma once
#include <set>
#include <vector>

#include "services/dispatch/model.hpp"
#include "services/dispatch/route.hpp"
#include "services/dispatch/solution.hpp"
#include "services/dispatch/spatial_index.hpp"

namespace se::dispatch {

using OfferId = std::uint64_t;

enum class OrderStatus : std::uint8_t { Unknown, Pending, Offered, Assigned };

struct OrderState {
  OrderStatus status = OrderStatus::Unknown;
  Point at;
  RestaurantId restaurant = 0;
  Minutes placed = 0;
  Minutes ready = 0;
  Minutes pickup = -1;                 // planned pickup once assigned
  CourierId courier = 0;               // courier once assigned
  std::vector<CourierId> declined_by;  // never offered to these couriers again
};

struct CourierState {
  bool online = false;
  Minutes shift_start = 0;
  Minutes shift_end = 0;  // last minute at which a pickup is allowed
  Point free_point;       // where it waits for its next instructions...
  Place free_place;
  Minutes free_time = 0;     // ...and from when
  int orders_committed = 0;  // accepted orders, for pay-aware decisions
  bool has_offer = false;
  OfferId offer = 0;
  // Accepted assignments whose pickup may still be ahead: released if it goes offline.
  std::vector<OfferId> accepted;
  // Picked up, not yet delivered: the courier is carrying food.
  std::vector<OfferId> delivering;
};

struct Offer {
  OfferId id = 0;
  CourierId courier = 0;
  RestaurantId restaurant = 0;
  std::vector<OrderId> orders;  // in drop-off sequence
  Minutes made_at = 0;
  Minutes accepted_at = 0;      // when the courier said yes: it leaves then, or once free
  Minutes promised_pickup = 0;  // the pickup planned at acceptance, to measure lateness
  Place from;                   // where the courier starts this assignment
  Point from_point;
  Minutes from_time = 0;  // when it was free before this assignment
  int orders_before = 0;  // orders_committed before this assignment
  RoutePlan plan;
};

class World {
 public:
  World(ServiceParams params, std::vector<Point> restaurants, double index_cell_m = 1000.0)
      : params_(params), restaurants_(std::move(restaurants)), index_(index_cell_m) {}

  [[nodiscard]] const ServiceParams& params() const { return params_; }
  [[nodiscard]] Point restaurant(RestaurantId r) const { return restaurants_.at(r); }
  [[nodiscard]] std::size_t restaurant_count() const { return restaurants_.size(); }
  [[nodiscard]] const OrderState& order(OrderId o) const { return orders_.at(o); }
  [[nodiscard]] const CourierState& courier(CourierId c) const { return couriers_.at(c); }
  [[nodiscard]] std::size_t courier_count() const { return couriers_.size(); }
  [[nodiscard]] std::size_t order_count() const { return orders_.size(); }
  // Placed and neither offered nor assigned, in id order (deterministic iteration).
  [[nodiscard]] const std::set<OrderId>& pending() const { return pending_; }
  // Online couriers without an outstanding offer, keyed by where they next wait.
  [[nodiscard]] const GridIndex& available() const { return index_; }
  [[nodiscard]] std::size_t available_count() const { return index_.size(); }
  [[nodiscard]] bool declined(OrderId o, CourierId c) const;
  // What a courier earns: max(pay per order x orders, guaranteed hourly pay x shift).
  [[nodiscard]] double pay(CourierId c, int orders) const;

  // Mutations used by the Dispatcher (events and offer lifecycle).
  void place_order(OrderId o, Point at, RestaurantId r, Minutes placed, Minutes ready);
  void update_ready(OrderId o, Minutes ready);
  void courier_online(CourierId c, Point at, Minutes now, Minutes shift_end);
  // Releases what the courier has not picked up yet; returns the offers/assignments dropped.
  std::vector<OfferId> courier_offline(CourierId c, Minutes now);
  void courier_location(CourierId c, Point at, Minutes now);
  void hold_for_offer(const Offer& offer);
  void release_offer(const Offer& offer, bool declined);
  void commit(const Offer& offer);
  void uncommit(const Offer& offer);
  // The assignment's pickup has happened: it can no longer be released by going offline.
  void mark_picked_up(const Offer& offer);
  void mark_delivered(const Offer& offer);
  // A committed assignment was re-timed (a report or a live location): its orders' pickups.
  void retime(const Offer& offer);
  // Where and from when the courier next waits for instructions, once re-estimated.
  void set_free(CourierId c, Point at, Place place, Minutes free_time);

 private:
  OrderState& order_mut(OrderId o);
  // Files the courier's current availability in the index (insert or refresh).
  void index_courier(CourierId c);
  CourierState& courier_mut(CourierId c);

  ServiceParams params_;
  std::vector<Point> restaurants_;
  std::vector<OrderState> orders_;
  std::vector<CourierState> couriers_;
  std::set<OrderId> pending_;
  GridIndex index_;
};

}  // namespace se::dispatch
