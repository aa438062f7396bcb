#include "services/dispatch/world.hpp"

#include <algorithm>
#include <stdexcept>

namespace se::dispatch {

OrderState& World::order_mut(OrderId o) {
  if (o >= orders_.size()) orders_.resize(o + 1);
  return orders_[o];
}

CourierState& World::courier_mut(CourierId c) {
  if (c >= couriers_.size()) couriers_.resize(c + 1);
  return couriers_[c];
}

void World::index_courier(CourierId c) {
  const CourierState& s = couriers_.at(c);
  index_.insert(
      CourierSpot{c, s.free_point, s.free_time, s.shift_start, s.shift_end, s.orders_committed});
}

bool World::declined(OrderId o, CourierId c) const {
  const auto& d = orders_.at(o).declined_by;
  return std::find(d.begin(), d.end(), c) != d.end();
}

double World::pay(CourierId c, int orders) const {
  const auto& s = couriers_.at(c);
  const double guaranteed =
      static_cast<double>(s.shift_end - s.shift_start) * params_.guaranteed_pay_per_hour / 60.0;
  return std::max(params_.pay_per_order * orders, guaranteed);
}

void World::place_order(OrderId o, Point at, RestaurantId r, Minutes placed, Minutes ready) {
  if (r >= restaurants_.size()) throw std::out_of_range("order of unknown restaurant");
  auto& s = order_mut(o);
  if (s.status != OrderStatus::Unknown) throw std::logic_error("order placed twice");
  s.status = OrderStatus::Pending;
  s.at = at;
  s.restaurant = r;
  s.placed = placed;
  s.ready = ready;
  pending_.insert(o);
}

void World::update_ready(OrderId o, Minutes ready) { order_mut(o).ready = ready; }

void World::courier_online(CourierId c, Point at, Minutes now, Minutes shift_end) {
  auto& s = courier_mut(c);
  s.online = true;
  s.shift_start = now;
  s.shift_end = shift_end;
  s.free_point = at;
  s.free_place = Place{Place::Kind::CourierStart, c};
  s.free_time = now;
  if (!s.has_offer) index_courier(c);
}

std::vector<OfferId> World::courier_offline(CourierId c, Minutes /*now*/) {
  auto& s = courier_mut(c);
  s.online = false;
  index_.erase(c);
  std::vector<OfferId> dropped = s.accepted;
  if (s.has_offer) dropped.push_back(s.offer);
  return dropped;
}

void World::courier_location(CourierId c, Point at, Minutes now) {
  auto& s = courier_mut(c);
  // Only an idle courier may be re-anchored; a busy one is where its plan says it will be.
  if (!s.online || s.has_offer || s.free_time > now) return;
  s.free_point = at;
  s.free_place = Place{Place::Kind::CourierStart, c};
  index_courier(c);
}

void World::hold_for_offer(const Offer& offer) {
  auto& s = courier_mut(offer.courier);
  s.has_offer = true;
  s.offer = offer.id;
  index_.erase(offer.courier);
  for (OrderId o : offer.orders) {
    order_mut(o).status = OrderStatus::Offered;
    pending_.erase(o);
  }
}

void World::release_offer(const Offer& offer, bool declined) {
  auto& s = courier_mut(offer.courier);
  if (s.has_offer && s.offer == offer.id) {
    s.has_offer = false;
    if (s.online) index_courier(offer.courier);
  }
  for (OrderId o : offer.orders) {
    auto& os = order_mut(o);
    os.status = OrderStatus::Pending;
    if (declined) os.declined_by.push_back(offer.courier);
    pending_.insert(o);
  }
}

void World::commit(const Offer& offer) {
  auto& s = courier_mut(offer.courier);
  s.has_offer = false;
  s.free_point = orders_.at(offer.orders.back()).at;
  s.free_place = Place{Place::Kind::Customer, offer.orders.back()};
  s.free_time = offer.plan.free_at;
  s.orders_committed += static_cast<int>(offer.orders.size());
  s.accepted.push_back(offer.id);
  if (s.online) index_courier(offer.courier);
  for (OrderId o : offer.orders) {
    auto& os = order_mut(o);
    os.status = OrderStatus::Assigned;
    os.pickup = offer.plan.pickup;
    os.courier = offer.courier;
  }
}

void World::mark_picked_up(const Offer& offer) {
  auto& s = courier_mut(offer.courier);
  std::erase(s.accepted, offer.id);
  s.delivering.push_back(offer.id);
}

void World::mark_delivered(const Offer& offer) {
  std::erase(courier_mut(offer.courier).delivering, offer.id);
}

void World::retime(const Offer& offer) {
  for (OrderId o : offer.orders) order_mut(o).pickup = offer.plan.pickup;
}

void World::set_free(CourierId c, Point at, Place place, Minutes free_time) {
  auto& s = courier_mut(c);
  s.free_point = at;
  s.free_place = place;
  s.free_time = free_time;
  if (s.online && !s.has_offer) index_courier(c);
}

void World::uncommit(const Offer& offer) {
  // Only the courier's latest assignment can be undone cleanly: it then waits where it was.
  auto& s = courier_mut(offer.courier);
  std::erase(s.accepted, offer.id);
  s.free_point = offer.from_point;
  s.free_place = offer.from;
  s.free_time = offer.from_time;
  s.orders_committed = offer.orders_before;
  for (OrderId o : offer.orders) {
    auto& os = order_mut(o);
    os.status = OrderStatus::Pending;
    os.pickup = -1;
    pending_.insert(o);
  }
}

}  // namespace se::dispatch
