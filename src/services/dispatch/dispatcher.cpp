#include "services/dispatch/dispatcher.hpp"

#include <algorithm>

namespace se::dispatch {

Dispatcher::Dispatcher(ServiceParams params, std::vector<Point> restaurants,
                       std::unique_ptr<Policy> policy, double index_cell_m)
    : world_(params, std::move(restaurants), index_cell_m), policy_(std::move(policy)) {}

void Dispatcher::order_placed(OrderId o, Point dropoff, RestaurantId r, Minutes now, Minutes ready) {
  world_.place_order(o, dropoff, r, now, ready);
}

void Dispatcher::order_ready_updated(OrderId o, Minutes ready) { world_.update_ready(o, ready); }

void Dispatcher::courier_online(CourierId c, Point at, Minutes now, Minutes shift_end) {
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
  world_.courier_location(c, at, now);
}

void Dispatcher::forget_picked_up(Minutes now) {
  for (auto it = committed_.begin(); it != committed_.end();) {
    if (it->second.plan.pickup <= now) {
      world_.mark_picked_up(it->second);
      it = committed_.erase(it);
    } else {
      ++it;
    }
  }
}

std::optional<Offer> Dispatcher::validate(const Proposal& p, Minutes now,
                                          std::vector<char>& used) const {
  if (p.orders.empty() || p.courier >= world_.courier_count()) return std::nullopt;
  const CourierState& c = world_.courier(p.courier);
  if (!c.online || c.has_offer || used[p.courier] != 0) return std::nullopt;
  for (OrderId o : p.orders) {
    if (o >= world_.order_count()) return std::nullopt;  // never revealed: no peeking
  }
  const RestaurantId r = world_.order(p.orders.front()).restaurant;
  Minutes ready = 0;
  std::vector<Point> drops;
  for (OrderId o : p.orders) {
    const OrderState& os = world_.order(o);
    if (os.status != OrderStatus::Pending || os.restaurant != r || world_.declined(o, p.courier)) {
      return std::nullopt;
    }
    ready = std::max(ready, os.ready);
    drops.push_back(os.at);
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
  offer.from = c.free_place;
  offer.from_point = c.free_point;
  offer.from_time = c.free_time;
  offer.orders_before = c.orders_committed;
  offer.plan = plan_route(world_.params(), c.free_point, std::max(now, c.free_time),
                          world_.restaurant(r), ready, drops);
  if (offer.plan.pickup > c.shift_end) return std::nullopt;
  return offer;
}

std::vector<Offer> Dispatcher::decide(Minutes now) {
  forget_picked_up(now);
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
  // Re-time from the acceptance minute: the courier leaves once it has said yes.
  Minutes ready = 0;
  std::vector<Point> drops;
  for (OrderId o : offer.orders) {
    ready = std::max(ready, world_.order(o).ready);
    drops.push_back(world_.order(o).at);
  }
  offer.plan = plan_route(world_.params(), c.free_point, std::max(now, c.free_time),
                          world_.restaurant(offer.restaurant), ready, drops);
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
