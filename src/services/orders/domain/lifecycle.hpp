// The order lifecycle as a pure state machine: which status may follow which, and who may make
// each move. No I/O; unit-tested in tests/unit/orders/lifecycle_test.cpp.
//
//   pending_payment --(system)--> confirmed --(restaurant)--> accepted --(restaurant)--> preparing
//     --(restaurant)--> ready_for_pickup --(driver)--> picked_up --(driver)--> delivered
//   pending_payment --(system)--> failed                    (payment declined or abandoned)
//   cancelled: by the customer before preparation (confirmed, accepted), by the restaurant until
//   the food leaves (confirmed .. ready_for_pickup), by the system/admin until delivery.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

namespace se::orders {

enum class Status {
  pending_payment,
  confirmed,
  accepted,
  preparing,
  ready_for_pickup,
  picked_up,
  delivered,
  cancelled,
  failed
};

// Who asks for a transition. `system` is the service itself (payment outcome, sweeper) and admins.
enum class Actor { customer, restaurant, driver, system };

const char* status_name(Status s);
std::optional<Status> parse_status(std::string_view s);
const char* actor_name(Actor a);

[[nodiscard]] bool is_terminal(Status s);  // delivered, cancelled, failed
[[nodiscard]] bool is_active(Status s);    // confirmed .. picked_up (the restaurant/driver queue)

enum class Verdict {
  allowed,
  illegal,    // no such edge in the state machine (e.g. delivered -> preparing)
  forbidden,  // the edge exists but this actor may not take it (e.g. customer -> accepted)
};

Verdict check_transition(Status from, Status to, Actor actor);

// Statuses `actor` could move an order in `from` to (for API hints and exhaustive tests).
std::vector<Status> next_statuses(Status from, Actor actor);

// Stock reserved for prepared items goes back on the shelf when an order fails or is cancelled
// before the food has left the restaurant.
[[nodiscard]] bool restores_stock(Status from, Status to);

// The event type published on order_updates for a move into `to`.
const char* event_type_for(Status to);

}  // namespace se::orders
