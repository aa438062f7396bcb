#include "services/orders/domain/lifecycle.hpp"

#include <array>

namespace se::orders {

namespace {
constexpr std::array<Status, 9> kAll{
    Status::pending_payment, Status::confirmed,        Status::accepted,
    Status::preparing,       Status::ready_for_pickup, Status::picked_up,
    Status::delivered,       Status::cancelled,        Status::failed};

// Bit set of actors allowed on an edge; 0 = no edge.
constexpr unsigned bit(Actor a) { return 1u << static_cast<unsigned>(a); }
constexpr unsigned kCustomer = bit(Actor::customer), kRestaurant = bit(Actor::restaurant),
                   kDriver = bit(Actor::driver), kSystem = bit(Actor::system);

unsigned edge(Status from, Status to) {
  using S = Status;
  switch (from) {
    case S::pending_payment:
      if (to == S::confirmed || to == S::failed || to == S::cancelled) return kSystem;
      return 0;
    case S::confirmed:
      if (to == S::accepted) return kRestaurant | kSystem;
      if (to == S::cancelled) return kCustomer | kRestaurant | kSystem;
      return 0;
    case S::accepted:
      if (to == S::preparing) return kRestaurant | kSystem;
      if (to == S::cancelled) return kCustomer | kRestaurant | kSystem;
      return 0;
    case S::preparing:
      if (to == S::ready_for_pickup) return kRestaurant | kSystem;
      if (to == S::cancelled) return kRestaurant | kSystem;
      return 0;
    case S::ready_for_pickup:
      if (to == S::picked_up) return kDriver | kSystem;
      if (to == S::cancelled) return kRestaurant | kSystem;
      return 0;
    case S::picked_up:
      if (to == S::delivered) return kDriver | kSystem;
      if (to == S::cancelled) return kSystem;
      return 0;
    case S::delivered:
    case S::cancelled:
    case S::failed:
      return 0;
  }
  return 0;
}
}  // namespace

const char* status_name(Status s) {
  switch (s) {
    case Status::pending_payment:
      return "pending_payment";
    case Status::confirmed:
      return "confirmed";
    case Status::accepted:
      return "accepted";
    case Status::preparing:
      return "preparing";
    case Status::ready_for_pickup:
      return "ready_for_pickup";
    case Status::picked_up:
      return "picked_up";
    case Status::delivered:
      return "delivered";
    case Status::cancelled:
      return "cancelled";
    case Status::failed:
      return "failed";
  }
  return "unknown";
}

std::optional<Status> parse_status(std::string_view s) {
  for (Status st : kAll)
    if (s == status_name(st)) return st;
  return std::nullopt;
}

const char* actor_name(Actor a) {
  switch (a) {
    case Actor::customer:
      return "customer";
    case Actor::restaurant:
      return "restaurant";
    case Actor::driver:
      return "driver";
    case Actor::system:
      return "system";
  }
  return "unknown";
}

bool is_terminal(Status s) {
  return s == Status::delivered || s == Status::cancelled || s == Status::failed;
}

bool is_active(Status s) { return !is_terminal(s) && s != Status::pending_payment; }

Verdict check_transition(Status from, Status to, Actor actor) {
  const unsigned e = edge(from, to);
  if (e == 0) return Verdict::illegal;
  return (e & bit(actor)) ? Verdict::allowed : Verdict::forbidden;
}

std::vector<Status> next_statuses(Status from, Actor actor) {
  std::vector<Status> out;
  for (Status to : kAll)
    if (check_transition(from, to, actor) == Verdict::allowed) out.push_back(to);
  return out;
}

bool restores_stock(Status from, Status to) {
  if (to != Status::failed && to != Status::cancelled) return false;
  return from == Status::pending_payment || from == Status::confirmed || from == Status::accepted ||
         from == Status::preparing || from == Status::ready_for_pickup;
}

const char* event_type_for(Status to) {
  switch (to) {
    case Status::pending_payment:
      return "OrderPlaced";
    case Status::confirmed:
      return "OrderConfirmed";
    case Status::accepted:
      return "OrderAccepted";
    case Status::preparing:
      return "OrderPreparing";
    case Status::ready_for_pickup:
      return "OrderReadyForPickup";
    case Status::picked_up:
      return "OrderPickedUp";
    case Status::delivered:
      return "OrderDelivered";
    case Status::cancelled:
      return "OrderCancelled";
    case Status::failed:
      return "OrderFailed";
  }
  return "OrderUpdated";
}

}  // namespace se::orders
