#include "services/dispatch/replay.hpp"

#include <algorithm>
#include <optional>

#include "services/dispatch/courier_sim.hpp"

namespace se::dispatch {

namespace {

std::vector<Point> restaurant_points(const Instance& in) {
  std::vector<Point> pts;
  for (const auto& r : in.restaurants) pts.push_back(r.at);
  return pts;
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

ReplayResult replay(const Instance& in, std::unique_ptr<Policy> policy,
                    const ReplayOptions& options) {
  const bool reports = options.couriers_report || options.slowdown > 0 || options.speedup > 0;
  DispatcherOptions dispatcher_options;
  if (options.silence_rate > 0) dispatcher_options.offer_timeout = options.offer_timeout;
  dispatcher_options.progress_reports = reports;
  if (reports) dispatcher_options.reassign_when_late = options.reassign_when_late;
  Dispatcher dispatcher(in.params, restaurant_points(in), std::move(policy), dispatcher_options);
  ReplayResult result;
  std::optional<CourierSim> couriers;
  if (reports) {
    // Its own stream of draws, so the answers to offers stay what they are without slowdown.
    const std::uint64_t seed = options.seed ^ 0x51D0E5EEDULL;
    couriers.emplace(in,
                     [seed, slowdown = options.slowdown, speedup = options.speedup](OfferId id) {
                       return 1.0 - speedup + (slowdown + speedup) * draw(seed, id);
                     });
  }

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
  // The reporting couriers' news up to `now`, each report answered before the next is made.
  const auto hear_couriers = [&](Minutes now) {
    for (CourierId c = 0; c < in.couriers.size(); ++c) {
      while (auto r = couriers->next_report(c, now)) {
        switch (r->kind) {
          case CourierReport::Kind::Location:
            dispatcher.courier_location(c, r->at, r->time);
            for (const Withdrawal& w : dispatcher.take_withdrawals())
              couriers->withdrawn(w.courier, w.offer, r->time);
            break;
          case CourierReport::Kind::PickedUp:
            if (!dispatcher.picked_up(r->offer, r->time)) ++result.unexpected_reports;
            break;
          case CourierReport::Kind::DroppedOff:
            if (!dispatcher.dropped_off(r->offer, r->order, r->time)) ++result.unexpected_reports;
            break;
          case CourierReport::Kind::Delivered:
            if (!dispatcher.delivered(r->offer, r->time)) ++result.unexpected_reports;
            break;
        }
      }
    }
  };
  for (Minutes now = start; now <= end || (couriers && !couriers->idle()); ++now) {
    while (next_on < on_events.size() && on_events[next_on].first <= now) {
      const CourierId c = on_events[next_on++].second;
      dispatcher.courier_online(c, in.couriers[c].at, now, in.couriers[c].off);
    }
    while (next_off < off_events.size() && off_events[next_off].first <= now) {
      const CourierId c = off_events[next_off++].second;
      dispatcher.courier_offline(c, now);
      if (couriers) couriers->offline(c, now);
    }
    if (couriers) hear_couriers(now);
    while (next_order < order_events.size() && order_events[next_order].first <= now) {
      const OrderId o = order_events[next_order++].second;
      const Order& ord = in.orders[o];
      dispatcher.order_placed(o, ord.at, ord.restaurant, now, ord.ready);
    }
    if (dispatcher.world().pending().empty() && dispatcher.outstanding_offers() == 0) {
      // Every order is assigned (and, with reporting couriers, delivered).
      if (next_order == order_events.size() && (!couriers || couriers->idle())) break;
      continue;
    }
    if (now > end) continue;  // nobody is left to offer to; deliveries may still be under way
    ++result.decision_rounds;
    for (const Offer& offer : dispatcher.decide(now)) {
      const double u = draw(options.seed, offer.id);
      if (u < options.decline_rate) {
        dispatcher.decline(offer.id, now);
      } else if (u < options.decline_rate + options.silence_rate) {
        // No answer: the offer holds its courier until the time-out withdraws it.
      } else if (auto a = dispatcher.accept(offer.id, now)) {
        if (couriers) {
          couriers->accepted(*a);
        } else {
          record_assignment(in, *a, a->plan, a->from, result.solution, moves);
        }
      }
    }
    (void)dispatcher.take_withdrawals();  // time-outs: nobody to tell in a replay
  }
  if (couriers) {
    result.solution = couriers->take_solution();
  } else {
    close_solution(result.solution, moves);
  }
  result.stats = dispatcher.stats();
  return result;
}

}  // namespace se::dispatch
