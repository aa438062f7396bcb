// Static data of the meal-delivery routing problem: who and what exists, and the rules of the
// day. Dynamic state (who is busy, what is pending) lives in world.hpp.
#pragma once
#include <cmath>
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

// What a city and a day can hold. Inputs beyond these, or not finite, are refused where they
// enter (the file readers, the Dispatcher), so no later arithmetic on them can overflow and no
// bad location can blow up the spatial index.
inline constexpr double kMaxCoordinate = 1e8;  // metres from the origin, per axis
inline constexpr double kMaxMinutes = 1e7;     // about 19 years of simulated time
[[nodiscard]] inline bool valid_point(Point p) {
  return std::isfinite(p.x) && std::isfinite(p.y) && std::abs(p.x) <= kMaxCoordinate &&
         std::abs(p.y) <= kMaxCoordinate;
}

struct ServiceParams {
  double meters_per_minute = 320;
  Minutes pickup_service = 4;   // split in halves around the pickup instant
  Minutes dropoff_service = 4;  // split in halves around the drop-off instant
  Minutes target_click_to_door = 40;
  Minutes max_click_to_door = 90;
  double pay_per_order = 10;
  double guaranteed_pay_per_hour = 15;
};

// Limits of the day's rules, as for locations above: a speed of at least a metre a minute, service
// times within a day, some pay per order (the guarantee is counted in orders), all finite.
inline constexpr double kMaxSpeed = 1e6;  // metres per minute
inline constexpr double kMaxPay = 1e6;
inline constexpr double kMinPayPerOrder = 0.01;
// The first rule params break, or nullptr.
[[nodiscard]] inline const char* params_problem(const ServiceParams& p) {
  auto within = [](double v, double lo, double hi) {
    return std::isfinite(v) && v >= lo && v <= hi;
  };
  if (!within(p.meters_per_minute, 1, kMaxSpeed)) return "meters_per_minute";
  if (!within(static_cast<double>(p.pickup_service), 0, 24 * 60)) return "pickup_service";
  if (!within(static_cast<double>(p.dropoff_service), 0, 24 * 60)) return "dropoff_service";
  if (!within(static_cast<double>(p.target_click_to_door), 0, kMaxMinutes)) {
    return "target_click_to_door";
  }
  if (!within(static_cast<double>(p.max_click_to_door), 0, kMaxMinutes)) return "max_click_to_door";
  if (!within(p.pay_per_order, kMinPayPerOrder, kMaxPay)) return "pay_per_order";
  if (!within(p.guaranteed_pay_per_hour, 0, kMaxPay)) return "guaranteed_pay_per_hour";
  return nullptr;
}

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
