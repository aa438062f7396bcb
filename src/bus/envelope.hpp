// The one envelope every event travels in (docs/events.md), topic names, partitioning and the
// retry schedule. Pure: no I/O.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace se::bus {

struct Envelope {
  std::string event_id;        // UUID, unique per event; the dedup key of consumers
  std::string event_type;      // e.g. "MenuItemChanged"
  std::string occurred_at;     // RFC 3339 UTC with milliseconds, when the state change committed
  std::string correlation_id;  // the request or saga this event belongs to ("" if none)
  std::string key;             // orderId / driverId / restaurantId: ordering and partitioning key
  std::int64_t version = 0;    // per-key version of the state that produced it (0 = unversioned)
  std::string traceparent;     // W3C trace context ("" if none)
  std::string payload = "{}";  // JSON object text

  // Set by the transport, not part of the serialized envelope.
  std::string topic;
};

// Serialized as one compact JSON object with camelCase fields; payload is embedded as JSON.
std::string to_json(const Envelope& e);
// Throws std::invalid_argument when the text is not an envelope.
Envelope from_json(std::string_view text);

std::string new_uuid();     // random (v4)
std::string now_rfc3339();  // current UTC time, millisecond precision
std::int64_t now_unix_micros();

// Partition of a key among n partitions: FNV-1a, stable across processes and languages.
int partition_of(std::string_view key, int partitions);

// Topic names from the seed.
namespace topics {
inline constexpr const char* kOrderUpdates = "order_updates";
inline constexpr const char* kDriverLocation = "driver_location";
inline constexpr const char* kCustomerNotifications = "customer_notifications";
// restaurant_updates is three topics consumed high priority first (seed: location/hours,
// then menu, then ratings).
inline constexpr const char* kRestaurantUpdatesHigh = "restaurant_updates.high";
inline constexpr const char* kRestaurantUpdatesMedium = "restaurant_updates.medium";
inline constexpr const char* kRestaurantUpdatesLow = "restaurant_updates.low";
inline std::vector<std::string> restaurant_updates_by_priority() {
  return {kRestaurantUpdatesHigh, kRestaurantUpdatesMedium, kRestaurantUpdatesLow};
}
std::string assignment_requests(std::string_view geo);  // driver_assignment.requests.{geo}
std::string assignment_events(std::string_view geo);    // driver_assignment.events.{geo}
// Dead-letter topic: driver_assignment.{requests|events}.dlq.{geo} as in the seed, else
// <topic>.dlq.
std::string dlq_of(std::string_view topic);
// The topic a DLQ topic collects for (nullopt if `topic` is not a DLQ).
std::optional<std::string> origin_of_dlq(std::string_view topic);
}  // namespace topics

// Retry schedule: attempt n (1-based) failed -> wait base * 2^(n-1), capped, with full jitter
// in [d/2, d] ("equal jitter") so retries of many consumers spread out but never collapse to 0.
struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds cap{10000};
  [[nodiscard]] std::chrono::milliseconds delay_after(int failed_attempt, double unit_random) const;
};

}  // namespace se::bus
