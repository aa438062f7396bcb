#include "services/dispatch/feasibility.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "services/dispatch/travel.hpp"

namespace se::dispatch {

std::string_view rule_name(Rule r) {
  switch (r) {
    case Rule::OrderOnce:
      return "order-in-at-most-one-assignment";
    case Rule::NoPeek:
      return "no-assignment-before-placement";
    case Rule::PickupBeforeOffTime:
      return "pickup-before-off-time";
    case Rule::PickupAfterReady:
      return "pickup-after-ready";
    case Rule::DropoffSequence:
      return "dropoff-sequence-and-spacing";
    case Rule::MovesContinuous:
      return "moves-continuous";
    case Rule::TimeMonotone:
      return "time-monotone";
    case Rule::AtRestaurant:
      return "at-restaurant-for-pickup";
    case Rule::AtCustomer:
      return "at-customer-for-dropoff";
    case Rule::SingleRestaurant:
      return "bundle-single-restaurant";
    case Rule::NoDiversion:
      return "moves-follow-assignments";
    case Rule::RecordsConsistent:
      return "order-records-consistent";
  }
  return "?";
}

std::size_t FeasibilityReport::count(Rule r) const {
  return static_cast<std::size_t>(std::count_if(violations.begin(), violations.end(),
                                                [r](const Violation& v) { return v.rule == r; }));
}

namespace {

constexpr Minutes kForever = std::numeric_limits<Minutes>::max() / 4;

// A period during which a courier stands still at one place.
struct Stay {
  Place place;
  Minutes arrive;
  Minutes leave;
};

class Checker {
 public:
  Checker(const Instance& in, const Solution& sol) : in_(in), sol_(sol) {}

  FeasibilityReport run() {
    if (!ids_valid()) return std::move(report_);
    check_assignments();
    check_records();
    build_timelines();
    check_presence();
    check_routes();
    return std::move(report_);
  }

 private:
  template <class... Args>
  void fail(Rule r, fmt::format_string<Args...> f, Args&&... args) {
    report_.violations.push_back(Violation{r, fmt::format(f, std::forward<Args>(args)...)});
  }

  std::string name(const Place& p) const {
    switch (p.kind) {
      case Place::Kind::CourierStart:
        return "0";
      case Place::Kind::Restaurant:
        return in_.restaurants[p.index].name;
      case Place::Kind::Customer:
        return in_.orders[p.index].name;
    }
    return "?";
  }

  Point point(const Place& p) const {
    switch (p.kind) {
      case Place::Kind::CourierStart:
        return in_.couriers[p.index].at;
      case Place::Kind::Restaurant:
        return in_.restaurants[p.index].at;
      case Place::Kind::Customer:
        return in_.orders[p.index].at;
    }
    return {};
  }

  bool place_valid(const Place& p) const {
    switch (p.kind) {
      case Place::Kind::CourierStart:
        return p.index < in_.couriers.size();
      case Place::Kind::Restaurant:
        return p.index < in_.restaurants.size();
      case Place::Kind::Customer:
        return p.index < in_.orders.size();
    }
    return false;
  }

  // Out-of-range indexes make every other check meaningless, so they stop the run.
  bool ids_valid() {
    bool ok = true;
    for (const auto& a : sol_.assignments) {
      if (a.courier >= in_.couriers.size() || a.orders.empty()) {
        fail(Rule::RecordsConsistent, "assignment with unknown courier or no orders");
        ok = false;
      }
      for (OrderId o : a.orders) {
        if (o >= in_.orders.size()) {
          fail(Rule::RecordsConsistent, "assignment with unknown order index {}", o);
          ok = false;
        }
      }
    }
    for (const auto& r : sol_.orders) {
      if (r.order >= in_.orders.size() || r.courier >= in_.couriers.size()) {
        fail(Rule::RecordsConsistent, "order line with unknown order or courier");
        ok = false;
      }
    }
    for (const auto& m : sol_.moves) {
      if (m.courier >= in_.couriers.size() || !place_valid(m.from) || !place_valid(m.to)) {
        fail(Rule::MovesContinuous, "move with unknown courier or place");
        ok = false;
      }
    }
    return ok;
  }

  void check_assignments() {
    std::vector<int> seen(in_.orders.size(), 0);
    for (const auto& a : sol_.assignments) {
      const Courier& c = in_.couriers[a.courier];
      if (a.pickup > c.off) {
        fail(Rule::PickupBeforeOffTime, "courier {} picks up at {} after off-time {}", c.name,
             a.pickup, c.off);
      }
      const RestaurantId r = in_.orders[a.orders.front()].restaurant;
      for (OrderId o : a.orders) {
        const Order& ord = in_.orders[o];
        if (++seen[o] == 2)
          fail(Rule::OrderOnce, "order {} is in more than one assignment", ord.name);
        if (a.assigned < ord.placed) {
          fail(Rule::NoPeek, "order {} assigned at {} before placement {}", ord.name, a.assigned,
               ord.placed);
        }
        if (a.pickup < ord.ready) {
          fail(Rule::PickupAfterReady, "order {} picked up at {} before ready {}", ord.name,
               a.pickup, ord.ready);
        }
        if (ord.restaurant != r) {
          fail(Rule::SingleRestaurant, "bundle mixes restaurants {} and {}",
               in_.restaurants[r].name, in_.restaurants[ord.restaurant].name);
        }
      }
    }
  }

  void check_records() {
    record_of_.assign(in_.orders.size(), nullptr);
    for (const auto& rec : sol_.orders) {
      if (record_of_[rec.order] != nullptr) {
        fail(Rule::RecordsConsistent, "order {} has two order lines", in_.orders[rec.order].name);
      }
      record_of_[rec.order] = &rec;
    }
    std::vector<const AssignmentRecord*> assignment_of(in_.orders.size(), nullptr);
    for (const auto& a : sol_.assignments) {
      for (std::size_t i = 0; i < a.orders.size(); ++i) {
        const OrderId o = a.orders[i];
        assignment_of[o] = &a;
        const OrderRecord* rec = record_of_[o];
        if (rec == nullptr) {
          fail(Rule::RecordsConsistent, "assigned order {} has no drop-off line",
               in_.orders[o].name);
          continue;
        }
        if (i > 0 && record_of_[a.orders[i - 1]] != nullptr) {
          const Minutes prev = record_of_[a.orders[i - 1]]->dropoff;
          if (rec->dropoff < prev + in_.params.dropoff_service) {
            fail(Rule::DropoffSequence, "order {} dropped at {}, previous of bundle at {}",
                 in_.orders[o].name, rec->dropoff, prev);
          }
        }
      }
    }
    for (const auto& rec : sol_.orders) {
      const Order& ord = in_.orders[rec.order];
      const AssignmentRecord* a = assignment_of[rec.order];
      if (a == nullptr) {
        fail(Rule::RecordsConsistent, "order {} delivered without an assignment", ord.name);
        continue;
      }
      if (rec.placed != ord.placed || rec.ready != ord.ready || rec.pickup != a->pickup ||
          rec.courier != a->courier || rec.dropoff < rec.pickup) {
        fail(Rule::RecordsConsistent, "order {} line disagrees with instance or assignment",
             ord.name);
      }
    }
  }

  void build_timelines() {
    stays_.assign(in_.couriers.size(), {});
    moves_of_.assign(in_.couriers.size(), {});
    std::vector<char> closed(in_.couriers.size(), 0);
    std::optional<CourierId> current;
    for (const auto& m : sol_.moves) {
      if (current != m.courier) {
        if (current) closed[*current] = 1;
        if (closed[m.courier] != 0) {
          fail(Rule::MovesContinuous, "moves of courier {} are not grouped together",
               in_.couriers[m.courier].name);
        }
        current = m.courier;
      }
      moves_of_[m.courier].push_back(&m);
    }
    for (CourierId c = 0; c < in_.couriers.size(); ++c) {
      const Courier& cr = in_.couriers[c];
      auto& st = stays_[c];
      st.push_back(Stay{Place{Place::Kind::CourierStart, c}, cr.on, kForever});
      for (const MoveRecord* m : moves_of_[c]) {
        if (!(m->from == st.back().place)) {
          fail(Rule::MovesContinuous, "courier {} leaves {} but is at {}", cr.name, name(m->from),
               name(st.back().place));
        }
        if (m->to.kind == Place::Kind::CourierStart) {
          fail(Rule::MovesContinuous, "courier {} moves to a start location", cr.name);
        }
        if (m->depart < st.back().arrive) {
          fail(Rule::TimeMonotone, "courier {} departs at {} before arriving at {}", cr.name,
               m->depart, st.back().arrive);
        }
        st.back().leave = m->depart;
        const Minutes arrive =
            m->depart + travel_minutes(point(m->from), point(m->to), in_.params.meters_per_minute);
        st.push_back(Stay{m->to, arrive, kForever});
      }
    }
  }

  // Standing at `place` from at least half the service before `t` to half the service after.
  bool present(CourierId c, const Place& place, Minutes t, Minutes service) const {
    for (const Stay& s : stays_[c]) {
      if (s.place == place && 2 * (t - s.arrive) >= service && 2 * (s.leave - t) >= service) {
        return true;
      }
    }
    return false;
  }

  void check_presence() {
    for (const auto& a : sol_.assignments) {
      const Place rest{Place::Kind::Restaurant, in_.orders[a.orders.front()].restaurant};
      if (!present(a.courier, rest, a.pickup, in_.params.pickup_service)) {
        fail(Rule::AtRestaurant, "courier {} is not at {} around pickup {}",
             in_.couriers[a.courier].name, name(rest), a.pickup);
      }
    }
    for (const auto& rec : sol_.orders) {
      const Place cust{Place::Kind::Customer, rec.order};
      if (!present(rec.courier, cust, rec.dropoff, in_.params.dropoff_service)) {
        fail(Rule::AtCustomer, "courier {} is not at {} around drop-off {}",
             in_.couriers[rec.courier].name, name(cust), rec.dropoff);
      }
    }
  }

  // No prepositioning and no diversion: the courier's moves are exactly its assignments' routes
  // in pickup order, and it sets off for each only once that assignment exists.
  void check_routes() {
    std::vector<std::vector<const AssignmentRecord*>> by_courier(in_.couriers.size());
    for (const auto& a : sol_.assignments) by_courier[a.courier].push_back(&a);
    for (CourierId c = 0; c < in_.couriers.size(); ++c) {
      auto& as = by_courier[c];
      std::stable_sort(as.begin(), as.end(),
                       [](const AssignmentRecord* x, const AssignmentRecord* y) {
                         return x->pickup < y->pickup;
                       });
      std::vector<std::pair<Place, Minutes>> expected;  // destination, earliest departure
      for (const AssignmentRecord* a : as) {
        expected.emplace_back(
            Place{Place::Kind::Restaurant, in_.orders[a->orders.front()].restaurant}, a->assigned);
        for (OrderId o : a->orders)
          expected.emplace_back(Place{Place::Kind::Customer, o}, a->assigned);
      }
      const auto& moves = moves_of_[c];
      if (moves.size() != expected.size()) {
        fail(Rule::NoDiversion, "courier {} makes {} moves, its assignments need {}",
             in_.couriers[c].name, moves.size(), expected.size());
        continue;
      }
      for (std::size_t i = 0; i < moves.size(); ++i) {
        if (!(moves[i]->to == expected[i].first)) {
          fail(Rule::NoDiversion, "courier {} move {} goes to {}, its assignment needs {}",
               in_.couriers[c].name, i, name(moves[i]->to), name(expected[i].first));
          break;
        }
        if (moves[i]->depart < expected[i].second) {
          fail(Rule::NoDiversion, "courier {} sets off at {} before its assignment at {}",
               in_.couriers[c].name, moves[i]->depart, expected[i].second);
          break;
        }
      }
    }
  }

  const Instance& in_;
  const Solution& sol_;
  FeasibilityReport report_;
  std::vector<const OrderRecord*> record_of_;
  std::vector<std::vector<Stay>> stays_;
  std::vector<std::vector<const MoveRecord*>> moves_of_;
};

}  // namespace

bool FeasibilityReport::only_travel_rules_broken() const {
  return std::all_of(violations.begin(), violations.end(), [](const Violation& v) {
    return v.rule == Rule::MovesContinuous || v.rule == Rule::TimeMonotone ||
           v.rule == Rule::AtRestaurant || v.rule == Rule::AtCustomer ||
           v.rule == Rule::NoDiversion;
  });
}

FeasibilityReport check_feasibility(const Instance& instance, const Solution& solution) {
  return Checker(instance, solution).run();
}

}  // namespace se::dispatch
