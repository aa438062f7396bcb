// Couriers carrying out their accepted assignments at their own pace, for replays of the live
// world. Each assignment's rides take longer (or shorter) than the dispatcher's travel model by a
// factor drawn for it, so the dispatcher's plans go stale and only what the couriers report (their
// location while riding to a pickup, each pickup, each order handed over, each assignment done)
// tells it what happened.
// Pure: simulated minutes, no I/O.
#pragma once
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "services/dispatch/route.hpp"
#include "services/dispatch/solution.hpp"
#include "services/dispatch/world.hpp"

namespace se::dispatch {

// Appends what courier `offer.courier` carried out for one assignment, timed by `done`, to the
// benchmark's records: the assignment, its orders and its moves (to the restaurant from `from`
// when the benchmark can name that place, then to each customer in turn).
void record_assignment(const Instance& in, const Offer& offer, const RoutePlan& done,
                       std::optional<Place> from, Solution& sol,
                       std::vector<std::vector<MoveRecord>>& moves);
// Puts the records in the benchmark's order: orders by id, moves grouped by courier.
void close_solution(Solution& sol, std::vector<std::vector<MoveRecord>>& moves);

struct CourierReport {
  enum class Kind : std::uint8_t { Location, PickedUp, DroppedOff, Delivered };
  Kind kind = Kind::Location;
  CourierId courier = 0;
  OfferId offer = 0;
  OrderId order = 0;  // DroppedOff only
  Minutes time = 0;
  Point at;  // where the courier is (Location only)
};

class CourierSim {
 public:
  // `slowness(offer)` multiplies every ride of that assignment (above 1: slower than the model;
  // clamped to at least 0.1).
  CourierSim(const Instance& in, std::function<double(OfferId)> slowness);

  // The courier said yes: it starts once it has finished the assignments before this one.
  void accepted(const Offer& offer);
  // The dispatcher took this assignment back before its pickup (courier offline, running late,
  // past its shift's end): dropped; a courier already riding to it stops where it is at `now`.
  void withdrawn(CourierId c, OfferId id, Minutes now);
  // The courier's shift is over: every assignment not yet picked up is dropped.
  void offline(CourierId c, Minutes now);
  // No courier has work left.
  [[nodiscard]] bool idle() const;
  // The courier's next report due by `now`, advancing its work; nullopt when nothing is due.
  // One at a time, because the dispatcher's answer to one (a withdrawal) changes what follows.
  std::optional<CourierReport> next_report(CourierId c, Minutes now);

  // What was carried out: every delivered assignment, its orders and the moves of those rides
  // that started from a place the benchmark can name (not from where a withdrawn ride stopped).
  [[nodiscard]] Solution take_solution();

 private:
  struct Courier {
    Point at;
    std::optional<Place> place;  // nullopt: stopped between places
    Minutes free = 0;
    std::deque<Offer> jobs;  // accepted, in acceptance order; the front one is under way
    bool started = false;
    bool picked_up = false;
    std::size_t dropped = 0;  // orders of the front job handed over
    RoutePlan actual;         // the front job's real timing, once started
    Minutes last_location = 0;
  };

  [[nodiscard]] Point position(const Courier& c, Minutes now) const;
  void start(Courier& c);
  void finish(Courier& c);

  const Instance& in_;
  std::vector<Courier> couriers_;
  std::function<double(OfferId)> slowness_;
  Solution done_;
  std::vector<std::vector<MoveRecord>> moves_;
};

}  // namespace se::dispatch
