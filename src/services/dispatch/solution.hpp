// A solution in the shape of the benchmark's three solution files, with ids resolved to indexes
// of the Instance. Produced by a replay, or parsed from files written by any solver.
#pragma once
#include <vector>

#include "services/dispatch/model.hpp"

namespace se::dispatch {

// A place a courier can be: its own start location, a restaurant, or an order's customer.
struct Place {
  enum class Kind : std::uint8_t { CourierStart, Restaurant, Customer };
  Kind kind = Kind::CourierStart;
  std::uint32_t index = 0;  // courier, restaurant or order index, by kind
  friend bool operator==(const Place&, const Place&) = default;
};

struct AssignmentRecord {
  Minutes assigned = 0;
  Minutes pickup = 0;
  CourierId courier = 0;
  std::vector<OrderId> orders;  // in drop-off sequence
};

struct OrderRecord {
  OrderId order = 0;
  Minutes placed = 0;
  Minutes ready = 0;
  Minutes pickup = 0;
  Minutes dropoff = 0;
  CourierId courier = 0;
};

struct MoveRecord {
  CourierId courier = 0;
  Minutes depart = 0;
  Place from;
  Place to;
};

struct Solution {
  std::vector<AssignmentRecord> assignments;
  std::vector<OrderRecord> orders;
  std::vector<MoveRecord> moves;  // grouped by courier, in execution order
};

}  // namespace se::dispatch
