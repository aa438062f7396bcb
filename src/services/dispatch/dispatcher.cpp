#include "services/dispatch/dispatcher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace se::dispatch {

namespace {

std::vector<Point> drop_points(const World& world, const Offer& offer) {
  std::vector<Point> drops;
  for (OrderId o : offer.orders) drops.push_back(world.order(o).at);
  return drops;
}

Minutes bundle_ready(const World& world, const Offer& offer) {
  Minutes ready = 0;
  for (OrderId o : offer.orders) ready = std::max(ready, world.order(o).ready);
  return ready;
}

// Starts the offer where and when its courier is next free, at `now` at the earliest, and plans
// its route.
void start_from_courier(const World& world, Offer& offer, const CourierState& c, Minutes now) {
  offer.from = c.free_place;
  offer.from_point = c.free_point;
  offer.from_time = c.free_time;
  offer.orders_before = c.orders_committed;
  offer.plan = plan_route(world.params(), c.free_point, std::max(now, c.free_time),
                          world.restaurant(offer.restaurant), bundle_ready(world, offer),
                          drop_points(world, offer));
}

// Where the courier ends an assignment: its last customer.
Place last_drop(const Offer& offer) { return Place{Place::Kind::Customer, offer.orders.back()}; }
Point last_drop_point(const World& world, const Offer& offer) {
  return world.order(offer.orders.back()).at;
}

// A location no city holds (not finite, or beyond kMaxCoordinate) is refused before it reaches
// the spatial index or the travel arithmetic: a GPS glitch must not stall or crash a round.
void require_valid(Point p, const char* what) {
  if (!valid_point(p)) {
    throw std::invalid_argument(fmt::format("{} ({}, {}) is not a location", what, p.x, p.y));
  }
}

ServiceParams valid_params(const ServiceParams& params) {
  if (const char* broken = params_problem(params)) {
    throw std::invalid_argument(fmt::format("service parameter {} out of range", broken));
  }
  return params;
}

std::vector<Point> valid_restaurants(std::vector<Point> restaurants) {
  for (const Point& p : restaurants) require_valid(p, "restaurant");
  return restaurants;
}
}  // namespace

Dispatcher::Dispatcher(ServiceParams params, std::vector<Point> restaurants,
                       std::unique_ptr<Policy> policy, DispatcherOptions options)
    : options_(options),
      world_(valid_params(params), valid_restaurants(std::move(restaurants)), options.index_cell_m),
      policy_(std::move(policy)) {}

void Dispatcher::order_placed(OrderId o, Point dropoff, RestaurantId r, Minutes now,
                              Minutes ready) {
  require_valid(dropoff, "drop-off");
  world_.place_order(o, dropoff, r, now, ready);
}

void Dispatcher::order_ready_updated(OrderId o, Minutes ready) { world_.update_ready(o, ready); }

void Dispatcher::courier_online(CourierId c, Point at, Minutes now, Minutes shift_end) {
  require_valid(at, "courier location");
  world_.courier_online(c, at, now, shift_end);
}

void Dispatcher::courier_offline(CourierId c, Minutes now) {
  forget_picked_up(now);
  const auto dropped = world_.courier_offline(c, now);
  // Undo the latest commitments first so the courier's chain unwinds consistently.
  std::vector<OfferId> ids(dropped.begin(), dropped.end());
  std::sort(ids.rbegin(), ids.rend());
  for (OfferId id : ids) {
    if (auto it = outstanding_.find(id); it != outstanding_.end()) {
      world_.release_offer(it->second, /*declined=*/false);
      outstanding_.erase(it);
      ++stats_.released_offline;
    } else if (auto jt = committed_.find(id); jt != committed_.end()) {
      world_.uncommit(jt->second);
      committed_.erase(jt);
      ++stats_.released_offline;
    }
  }
}

void Dispatcher::courier_location(CourierId c, Point at, Minutes now) {
  require_valid(at, "courier location");
  if (!options_.progress_reports || c >= world_.courier_count()) {
    world_.courier_location(c, at, now);
    return;
  }
  const CourierState& s = world_.courier(c);
  if (!s.delivering.empty()) return;  // carrying food: its drop-off reports re-time it
  if (s.accepted.empty()) {
    world_.courier_location(c, at, now);
    return;
  }
  // On its way to the first pickup: re-time it from here.
  const OfferId first = s.accepted.front();
  Offer& a = committed_.at(first);
  const RoutePlan plan = plan_route(world_.params(), at, now, world_.restaurant(a.restaurant),
                                    bundle_ready(world_, a), drop_points(world_, a));
  if (plan.pickup > s.shift_end) {
    withdraw_accepted(c, at, now, Withdrawal::Reason::PastShiftEnd);
    return;
  }
  if (options_.reassign_when_late > 0 &&
      plan.pickup > a.promised_pickup + options_.reassign_when_late) {
    withdraw_accepted(c, at, now, Withdrawal::Reason::RunningLate);
    return;
  }
  a.plan = plan;
  world_.retime(a);
  replan_after(a, plan.free_at);
}

bool Dispatcher::picked_up(OfferId id, Minutes now) {
  auto it = committed_.find(id);
  if (it == committed_.end()) return false;
  Offer offer = std::move(it->second);
  committed_.erase(it);
  RoutePlan plan = plan_from_pickup(world_.params(), world_.restaurant(offer.restaurant), now,
                                    drop_points(world_, offer));
  plan.depart = std::min(offer.plan.depart, now);
  plan.arrive_restaurant = std::min(offer.plan.arrive_restaurant, now);
  offer.plan = std::move(plan);
  world_.mark_picked_up(offer);
  world_.retime(offer);
  const Offer& carried = delivering_.emplace(id, std::move(offer)).first->second;
  replan_after(carried, carried.plan.free_at);
  return true;
}

bool Dispatcher::delivered(OfferId id, Minutes now) {
  // A delivery without a pickup report implies the pickup.
  if (committed_.contains(id)) picked_up(id, now);
  auto it = delivering_.find(id);
  if (it == delivering_.end()) return false;
  const Offer offer = std::move(it->second);
  delivering_.erase(it);
  world_.mark_delivered(offer);
  replan_after(offer, now);
  return true;
}

bool Dispatcher::dropped_off(OfferId id, OrderId order, Minutes now) {
  // A drop-off without a pickup report implies the pickup.
  if (committed_.contains(id)) picked_up(id, now);
  auto it = delivering_.find(id);
  if (it == delivering_.end()) return false;
  Offer& offer = it->second;
  const auto at = std::find(offer.orders.begin(), offer.orders.end(), order);
  if (at == offer.orders.end()) return false;
  const auto done = static_cast<std::size_t>(at - offer.orders.begin());
  retime_after_dropoff(world_.params(), drop_points(world_, offer), done, now, offer.plan);
  replan_after(offer, offer.plan.free_at);
  return true;
}

void Dispatcher::replan_after(const Offer& done, Minutes free) {
  const CourierId c = done.courier;
  const OfferId after = done.id;
  Point at = last_drop_point(world_, done);
  Place place = last_drop(done);
  const CourierState& s = world_.courier(c);
  std::vector<OfferId> later;
  for (OfferId id : s.delivering) {
    if (id > after) later.push_back(id);
  }
  for (OfferId id : s.accepted) {
    if (id > after) later.push_back(id);
  }
  std::sort(later.begin(), later.end());
  for (OfferId id : later) {
    const Offer* next = nullptr;
    if (auto d = delivering_.find(id); d != delivering_.end()) {
      next = &d->second;  // already picked up: its plan was fixed by the pickup report
    } else {
      Offer& o = committed_.at(id);
      o.from_point = at;
      o.from = place;
      o.from_time = free;
      o.plan = plan_route(world_.params(), at, std::max(o.accepted_at, free),
                          world_.restaurant(o.restaurant), bundle_ready(world_, o),
                          drop_points(world_, o));
      world_.retime(o);
      next = &o;
    }
    at = last_drop_point(world_, *next);
    place = last_drop(*next);
    free = next->plan.free_at;
  }
  world_.set_free(c, at, place, free);
}

void Dispatcher::withdraw_accepted(CourierId c, Point at, Minutes now, Withdrawal::Reason why) {
  std::vector<OfferId> ids = world_.courier(c).accepted;
  // Latest first, so the courier's chain unwinds consistently.
  std::sort(ids.rbegin(), ids.rend());
  for (OfferId id : ids) {
    auto it = committed_.find(id);
    world_.uncommit(it->second);
    withdrawals_.push_back(Withdrawal{id, c, it->second.orders, why});
    committed_.erase(it);
    ++stats_.reassigned_late;
  }
  world_.set_free(c, at, Place{Place::Kind::CourierStart, c}, now);
}

void Dispatcher::forget_picked_up(Minutes now) {
  // With progress reports only a report moves an assignment on; otherwise the plan is the truth.
  if (options_.progress_reports) return;
  for (auto it = committed_.begin(); it != committed_.end();) {
    if (it->second.plan.pickup <= now) {
      world_.mark_picked_up(it->second);
      delivering_.insert(committed_.extract(it++));
    } else {
      ++it;
    }
  }
  for (auto it = delivering_.begin(); it != delivering_.end();) {
    if (it->second.plan.free_at <= now) {
      world_.mark_delivered(it->second);
      it = delivering_.erase(it);
    } else {
      ++it;
    }
  }
}

void Dispatcher::expire_offers(Minutes now) {
  if (options_.offer_timeout <= 0) return;
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    if (now - it->second.made_at >= options_.offer_timeout) {
      world_.release_offer(it->second, /*declined=*/true);
      withdrawals_.push_back(Withdrawal{it->first, it->second.courier, it->second.orders,
                                        Withdrawal::Reason::OfferTimedOut});
      ++stats_.expired;
      it = outstanding_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<Withdrawal> Dispatcher::take_withdrawals() { return std::exchange(withdrawals_, {}); }

std::optional<Offer> Dispatcher::validate(const Proposal& p, Minutes now,
                                          std::vector<char>& used) const {
  if (p.orders.empty() || p.courier >= world_.courier_count()) return std::nullopt;
  const CourierState& c = world_.courier(p.courier);
  if (!c.online || c.has_offer || used[p.courier] != 0) return std::nullopt;
  for (OrderId o : p.orders) {
    if (o >= world_.order_count()) return std::nullopt;  // never revealed: no peeking
  }
  const RestaurantId r = world_.order(p.orders.front()).restaurant;
  for (OrderId o : p.orders) {
    const OrderState& os = world_.order(o);
    if (os.status != OrderStatus::Pending || os.restaurant != r || world_.declined(o, p.courier)) {
      return std::nullopt;
    }
  }
  // A proposal may not repeat an order.
  for (std::size_t i = 0; i < p.orders.size(); ++i) {
    for (std::size_t j = i + 1; j < p.orders.size(); ++j) {
      if (p.orders[i] == p.orders[j]) return std::nullopt;
    }
  }
  Offer offer;
  offer.courier = p.courier;
  offer.restaurant = r;
  offer.orders = p.orders;
  offer.made_at = now;
  start_from_courier(world_, offer, c, now);
  if (offer.plan.pickup > c.shift_end) return std::nullopt;
  return offer;
}

std::vector<Offer> Dispatcher::decide(Minutes now) {
  forget_picked_up(now);
  expire_offers(now);
  std::vector<Proposal> proposals = policy_->decide(world_, now);
  std::vector<Offer> made;
  std::vector<char> used(world_.courier_count(), 0);
  for (const Proposal& p : proposals) {
    std::optional<Offer> offer = validate(p, now, used);
    if (!offer) {
      ++stats_.rejected_proposals;
      continue;
    }
    offer->id = next_offer_++;
    used[offer->courier] = 1;
    world_.hold_for_offer(*offer);
    outstanding_.emplace(offer->id, *offer);
    made.push_back(std::move(*offer));
    ++stats_.offers;
  }
  return made;
}

std::optional<Offer> Dispatcher::accept(OfferId id, Minutes now) {
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return std::nullopt;
  Offer offer = std::move(it->second);
  outstanding_.erase(it);
  const CourierState& c = world_.courier(offer.courier);
  // Re-time from the acceptance minute: the courier leaves once it has said yes. Where and when
  // it is free are read again too: a progress report may have moved them since the offer.
  offer.accepted_at = now;
  start_from_courier(world_, offer, c, now);
  offer.promised_pickup = offer.plan.pickup;
  if (offer.plan.pickup > c.shift_end) {
    // Accepted too late to pick up within the shift: treat as a decline without blame.
    world_.release_offer(offer, /*declined=*/false);
    return std::nullopt;
  }
  world_.commit(offer);
  committed_.emplace(offer.id, offer);
  ++stats_.accepted;
  return offer;
}

void Dispatcher::decline(OfferId id, Minutes /*now*/) {
  auto it = outstanding_.find(id);
  if (it == outstanding_.end()) return;
  world_.release_offer(it->second, /*declined=*/true);
  outstanding_.erase(it);
  ++stats_.declined;
}

}  // namespace se::dispatch
