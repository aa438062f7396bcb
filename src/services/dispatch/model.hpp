// Static data of the meal-delivery routing problem: who and what exists, and the rules of the
// day. Dynamic state (who is busy, what is pending) lives in world.hpp.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace se::dispatch {

// Simulated clock: whole minutes since the start of the day. The domain never reads a wall
// clock, so a replay and a live run make identical decisions from identical events.
using Minutes = std::int64_t;

using OrderId = std::uint32_t;
using CourierId = std::uint32_t;
using RestaurantId = std::uint32_t;

// Planar coordinates in metres (UTM in the benchmark).
struct Point {
  double x = 0;
  double y = 0;
};

struct ServiceParams {
  double meters_per_minute = 320;
  Minutes pickup_service = 4;   // split in halves around the pickup instant
  Minutes dropoff_service = 4;  // split in halves around the drop-off instant
  Minutes target_click_to_door = 40;
  Minutes max_click_to_door = 90;
  double pay_per_order = 10;
  double guaranteed_pay_per_hour = 15;
};

struct Restaurant {
  std::string name;
  Point at;
};

struct Order {
  std::string name;
  Point at;  // drop-off location
  Minutes placed = 0;
  RestaurantId restaurant = 0;
  Minutes ready = 0;
};

struct Courier {
  std::string name;
  Point at;  // start location
  Minutes on = 0;
  Minutes off = 0;  // last minute at which it may pick up
};

struct Instance {
  ServiceParams params;
  std::vector<Restaurant> restaurants;
  std::vector<Order> orders;
  std::vector<Courier> couriers;
};

}  // namespace se::dispatch
