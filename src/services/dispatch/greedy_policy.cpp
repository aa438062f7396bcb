#include "services/dispatch/greedy_policy.hpp"

#include <algorithm>
#include <tuple>

#include "services/dispatch/travel.hpp"

namespace se::dispatch {

std::vector<Proposal> GreedyPolicy::decide(const World& world, Minutes now) {
  std::vector<std::tuple<Minutes, OrderId>> queue;  // oldest order first
  for (OrderId o : world.pending()) queue.emplace_back(world.order(o).placed, o);
  std::sort(queue.begin(), queue.end());

  std::vector<Proposal> out;
  std::vector<char> used(world.courier_count(), 0);
  std::vector<Candidate> near;
  const ServiceParams& p = world.params();
  for (const auto& entry : queue) {
    const OrderId o = std::get<1>(entry);
    const OrderState& os = world.order(o);
    const Point rest = world.restaurant(os.restaurant);
    auto idle_and_in_time = [&](const CourierSpot& cs) {
      if (used[cs.id] != 0 || cs.free_time > now || world.declined(o, cs.id)) return false;
      const Minutes arrive = now + travel_minutes(cs.at, rest, p.meters_per_minute);
      return std::max(os.ready, arrive + half_service(p.pickup_service)) <= cs.shift_end;
    };
    world.available().nearest(rest, 1, idle_and_in_time, near);
    if (near.empty()) continue;
    used[near.front().spot.id] = 1;
    out.push_back(Proposal{near.front().spot.id, {o}});
  }
  return out;
}

}  // namespace se::dispatch
