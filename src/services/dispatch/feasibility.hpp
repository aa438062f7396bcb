// Checks a solution against every rule of the benchmark (shared/mdrp/README.md), strictly: the
// service-time halves around each pickup and drop-off, and the no-prepositioning variant (a
// courier moves only to carry out its assignments, one after another, never diverted).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "services/dispatch/model.hpp"
#include "services/dispatch/solution.hpp"

namespace se::dispatch {

enum class Rule : std::uint8_t {
  OrderOnce,            // README 1: an order is in at most one assignment
  NoPeek,               // README 2: no assignment before its orders are placed
  PickupBeforeOffTime,  // README 3: pickup no later than the courier's off-time
  PickupAfterReady,     // README 4: pickup no earlier than the latest ready time of the bundle
  DropoffSequence,      // README 5: drop-offs in sequence, at least dropoff_service apart
  MovesContinuous,      // README 6: each move starts where the previous one ended
  TimeMonotone,         // README 6: times never go backwards (nor before the on-time)
  AtRestaurant,         // README 7: at the restaurant, with half the service before and after
  AtCustomer,           // README 7: at the customer, with half the service before and after
  SingleRestaurant,     // bundles only combine orders of one restaurant
  NoDiversion,          // moves are exactly the assignments' routes, none before assignment
  RecordsConsistent,    // order lines agree with the instance and the assignments
};

inline constexpr Rule kAllRules[] = {
    Rule::OrderOnce,        Rule::NoPeek,          Rule::PickupBeforeOffTime,
    Rule::PickupAfterReady, Rule::DropoffSequence, Rule::MovesContinuous,
    Rule::TimeMonotone,     Rule::AtRestaurant,    Rule::AtCustomer,
    Rule::SingleRestaurant, Rule::NoDiversion,     Rule::RecordsConsistent};

[[nodiscard]] std::string_view rule_name(Rule r);

struct Violation {
  Rule rule;
  std::string detail;
};

struct FeasibilityReport {
  std::vector<Violation> violations;
  [[nodiscard]] bool feasible() const { return violations.empty(); }
  [[nodiscard]] std::size_t count(Rule r) const;
  // Every violation is one of the rules that follow from the travel model: moves continuous,
  // times monotone, at the restaurant and at the customer in time, no diversion. A replay whose
  // couriers ride slower or faster than the model (ReplayOptions::slowdown, speedup) may break
  // those (a ride stopped half-way has no move; a fast courier arrives before the model
  // allows); the order rules must hold.
  [[nodiscard]] bool only_travel_rules_broken() const;
};

[[nodiscard]] FeasibilityReport check_feasibility(const Instance& instance,
                                                  const Solution& solution);

}  // namespace se::dispatch
