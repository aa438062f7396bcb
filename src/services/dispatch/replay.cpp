#include "services/dispatch/replay.hpp"

#include <algorithm>

namespace se::dispatch {

namespace {

std::vector<Point> restaurant_points(const Instance& in) {
  std::vector<Point> pts;
  for (const auto& r : in.restaurants) pts.push_back(r.at);
  return pts;
}

// Each committed assignment becomes the courier's moves: to the restaurant, then to each
// customer in sequence, leaving every stop after the second half of its service time.
void record(const Instance& in, const Offer& a, Solution& sol,
            std::vector<std::vector<MoveRecord>>& moves) {
  sol.assignments.push_back(AssignmentRecord{a.made_at, a.plan.pickup, a.courier, a.orders});
  for (std::size_t i = 0; i < a.orders.size(); ++i) {
    const Order& o = in.orders[a.orders[i]];
    sol.orders.push_back(
        OrderRecord{a.orders[i], o.placed, o.ready, a.plan.pickup, a.plan.dropoff[i], a.courier});
  }
  auto& m = moves[a.courier];
  m.push_back(MoveRecord{a.courier, a.plan.depart, a.from, Place{Place::Kind::Restaurant, a.restaurant}});
  Place at{Place::Kind::Restaurant, a.restaurant};
  Minutes leave = a.plan.leave_restaurant;
  for (std::size_t i = 0; i < a.orders.size(); ++i) {
    const Place to{Place::Kind::Customer, a.orders[i]};
    m.push_back(MoveRecord{a.courier, leave, at, to});
    at = to;
    // The courier leaves the customer as late as the drop-off plus its second half of service.
    leave = a.plan.dropoff[i] + (a.plan.dropoff[i] - a.plan.arrive_customer[i]);
  }
}

// A uniform draw in [0, 1) for one offer (splitmix64 of seed and offer id): the same offer gets
// the same answer whatever else the replay does.
double draw(std::uint64_t seed, OfferId id) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + id;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace

ReplayResult replay(const Instance& in, std::unique_ptr<Policy> policy, const ReplayOptions& options) {
  DispatcherOptions dispatcher_options;
  if (options.silence_rate > 0) dispatcher_options.offer_timeout = options.offer_timeout;
  Dispatcher dispatcher(in.params, restaurant_points(in), std::move(policy), dispatcher_options);
  ReplayResult result;

  // Events sorted by time, ties by id, so the replay is deterministic.
  std::vector<std::pair<Minutes, OrderId>> order_events;
  for (OrderId o = 0; o < in.orders.size(); ++o) order_events.emplace_back(in.orders[o].placed, o);
  std::sort(order_events.begin(), order_events.end());
  std::vector<std::pair<Minutes, CourierId>> on_events, off_events;
  for (CourierId c = 0; c < in.couriers.size(); ++c) {
    on_events.emplace_back(in.couriers[c].on, c);
    off_events.emplace_back(in.couriers[c].off + 1, c);  // no pickup allowed from then on
  }
  std::sort(on_events.begin(), on_events.end());
  std::sort(off_events.begin(), off_events.end());
  if (order_events.empty() || on_events.empty()) return result;

  const Minutes start = std::min(order_events.front().first, on_events.front().first);
  const Minutes end = off_events.back().first;
  std::vector<std::vector<MoveRecord>> moves(in.couriers.size());
  std::size_t next_order = 0, next_on = 0, next_off = 0;
  for (Minutes now = start; now <= end; ++now) {
    while (next_on < on_events.size() && on_events[next_on].first <= now) {
      const CourierId c = on_events[next_on++].second;
      dispatcher.courier_online(c, in.couriers[c].at, now, in.couriers[c].off);
    }
    while (next_off < off_events.size() && off_events[next_off].first <= now) {
      dispatcher.courier_offline(off_events[next_off++].second, now);
    }
    while (next_order < order_events.size() && order_events[next_order].first <= now) {
      const OrderId o = order_events[next_order++].second;
      const Order& ord = in.orders[o];
      dispatcher.order_placed(o, ord.at, ord.restaurant, now, ord.ready);
    }
    if (dispatcher.world().pending().empty() && dispatcher.outstanding_offers() == 0) {
      if (next_order == order_events.size()) break;  // every order is assigned
      continue;
    }
    ++result.decision_rounds;
    for (const Offer& offer : dispatcher.decide(now)) {
      const double u = draw(options.seed, offer.id);
      if (u < options.decline_rate) {
        dispatcher.decline(offer.id, now);
      } else if (u < options.decline_rate + options.silence_rate) {
        // No answer: the offer holds its courier until the time-out withdraws it.
      } else if (auto a = dispatcher.accept(offer.id, now)) {
        record(in, *a, result.solution, moves);
      }
    }
    (void)dispatcher.take_withdrawals();  // nobody to tell in a replay
  }
  std::sort(result.solution.orders.begin(), result.solution.orders.end(),
            [](const OrderRecord& a, const OrderRecord& b) { return a.order < b.order; });
  for (auto& per_courier : moves) {
    for (auto& m : per_courier) result.solution.moves.push_back(m);
  }
  result.stats = dispatcher.stats();
  return result;
}

}  // namespace se::dispatch
