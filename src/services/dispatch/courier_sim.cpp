#include "services/dispatch/courier_sim.hpp"

#include <algorithm>
#include <utility>

namespace se::dispatch {

void record_assignment(const Instance& in, const Offer& offer, const RoutePlan& done,
                       std::optional<Place> from, Solution& sol,
                       std::vector<std::vector<MoveRecord>>& moves) {
  sol.assignments.push_back(
      AssignmentRecord{offer.made_at, done.pickup, offer.courier, offer.orders});
  for (std::size_t i = 0; i < offer.orders.size(); ++i) {
    const Order& o = in.orders[offer.orders[i]];
    sol.orders.push_back(OrderRecord{offer.orders[i], o.placed, o.ready, done.pickup,
                                     done.dropoff[i], offer.courier});
  }
  auto& m = moves[offer.courier];
  Place at{Place::Kind::Restaurant, offer.restaurant};
  if (from) m.push_back(MoveRecord{offer.courier, done.depart, *from, at});
  Minutes leave = done.leave_restaurant;
  for (std::size_t i = 0; i < offer.orders.size(); ++i) {
    const Place to{Place::Kind::Customer, offer.orders[i]};
    m.push_back(MoveRecord{offer.courier, leave, at, to});
    at = to;
    // The courier leaves the customer as late as the drop-off plus its second half of service.
    leave = done.dropoff[i] + (done.dropoff[i] - done.arrive_customer[i]);
  }
}

void close_solution(Solution& sol, std::vector<std::vector<MoveRecord>>& moves) {
  std::sort(sol.orders.begin(), sol.orders.end(),
            [](const OrderRecord& a, const OrderRecord& b) { return a.order < b.order; });
  for (auto& per_courier : moves) {
    for (auto& m : per_courier) sol.moves.push_back(m);
    per_courier.clear();
  }
}

CourierSim::CourierSim(const Instance& in, std::function<double(OfferId)> slowness)
    : in_(in),
      couriers_(in.couriers.size()),
      slowness_(std::move(slowness)),
      moves_(in.couriers.size()) {
  for (CourierId c = 0; c < in.couriers.size(); ++c) {
    couriers_[c].at = in.couriers[c].at;
    couriers_[c].place = Place{Place::Kind::CourierStart, c};
    couriers_[c].free = in.couriers[c].on;
  }
}

void CourierSim::accepted(const Offer& offer) { couriers_.at(offer.courier).jobs.push_back(offer); }

Point CourierSim::position(const Courier& c, Minutes now) const {
  if (!c.started || c.jobs.empty()) return c.at;
  const Point to = in_.restaurants[c.jobs.front().restaurant].at;
  const Minutes ride = c.actual.arrive_restaurant - c.actual.depart;
  if (ride <= 0 || now >= c.actual.arrive_restaurant) return to;
  if (now <= c.actual.depart) return c.at;
  const double f = static_cast<double>(now - c.actual.depart) / static_cast<double>(ride);
  return Point{c.at.x + (to.x - c.at.x) * f, c.at.y + (to.y - c.at.y) * f};
}

void CourierSim::withdrawn(CourierId id, OfferId offer, Minutes now) {
  Courier& c = couriers_.at(id);
  auto it =
      std::find_if(c.jobs.begin(), c.jobs.end(), [&](const Offer& o) { return o.id == offer; });
  if (it == c.jobs.end()) return;
  if (it == c.jobs.begin() && c.started) {
    if (c.picked_up) return;  // the food is on board: nothing to take back
    if (now > c.actual.depart) {
      // Stopped on the way (the benchmark has no name for that spot) or at the restaurant.
      c.place = now >= c.actual.arrive_restaurant
                    ? std::optional<Place>(Place{Place::Kind::Restaurant, it->restaurant})
                    : std::nullopt;
      c.at = position(c, now);
    }
    c.free = std::max(c.free, now);
    c.started = false;
  }
  c.jobs.erase(it);
}

void CourierSim::start(Courier& c) {
  const Offer& job = c.jobs.front();
  ServiceParams slow = in_.params;
  slow.meters_per_minute /= std::max(0.1, slowness_(job.id));
  std::vector<Point> drops;
  Minutes ready = 0;
  for (OrderId o : job.orders) {
    drops.push_back(in_.orders[o].at);
    ready = std::max(ready, in_.orders[o].ready);
  }
  c.actual = plan_route(slow, c.at, std::max(job.accepted_at, c.free),
                        in_.restaurants[job.restaurant].at, ready, drops);
  c.started = true;
  c.picked_up = false;
  c.dropped = 0;
  c.last_location = c.actual.depart;
}

void CourierSim::offline(CourierId id, Minutes now) {
  Courier& c = couriers_.at(id);
  // Whatever is not on board goes back, latest first, as the dispatcher releases it.
  while (!c.jobs.empty() && !(c.jobs.size() == 1 && c.started && c.picked_up)) {
    withdrawn(id, c.jobs.back().id, now);
  }
}

bool CourierSim::idle() const {
  return std::all_of(couriers_.begin(), couriers_.end(),
                     [](const Courier& c) { return c.jobs.empty(); });
}

void CourierSim::finish(Courier& c) {
  const Offer& job = c.jobs.front();
  record_assignment(in_, job, c.actual, c.place, done_, moves_);
  c.at = in_.orders[job.orders.back()].at;
  c.place = Place{Place::Kind::Customer, job.orders.back()};
  c.free = c.actual.free_at;
  c.started = false;
  c.jobs.pop_front();
}

std::optional<CourierReport> CourierSim::next_report(CourierId id, Minutes now) {
  Courier& c = couriers_.at(id);
  while (!c.jobs.empty()) {
    if (!c.started) start(c);
    const OfferId job = c.jobs.front().id;
    if (!c.picked_up) {
      // On the way to the restaurant: a location every minute of the ride.
      if (c.last_location + 1 < c.actual.arrive_restaurant && c.last_location + 1 <= now) {
        ++c.last_location;
        return CourierReport{CourierReport::Kind::Location, id, job, 0, c.last_location,
                             position(c, c.last_location)};
      }
      if (c.actual.pickup > now) return std::nullopt;
      c.picked_up = true;
      return CourierReport{CourierReport::Kind::PickedUp, id, job, 0, c.actual.pickup, {}};
    }
    const auto& orders = c.jobs.front().orders;
    if (c.dropped < orders.size()) {
      if (c.actual.dropoff[c.dropped] > now) return std::nullopt;
      const std::size_t i = c.dropped++;
      return CourierReport{
          CourierReport::Kind::DroppedOff, id, job, orders[i], c.actual.dropoff[i], {}};
    }
    if (c.actual.free_at > now) return std::nullopt;
    const Minutes at = c.actual.free_at;
    finish(c);
    return CourierReport{CourierReport::Kind::Delivered, id, job, 0, at, {}};
  }
  return std::nullopt;
}

Solution CourierSim::take_solution() {
  Solution sol = std::exchange(done_, {});
  close_solution(sol, moves_);
  return sol;
}

}  // namespace se::dispatch
