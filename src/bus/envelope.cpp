#include "bus/envelope.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace se::bus {

using nlohmann::json;

std::string to_json(const Envelope& e) {
  // Hand-written so the payload is embedded verbatim (it is already JSON) and nothing is re-parsed.
  json head = {{"eventId", e.event_id},
               {"eventType", e.event_type},
               {"occurredAt", e.occurred_at},
               {"correlationId", e.correlation_id},
               {"key", e.key},
               {"version", e.version},
               {"traceparent", e.traceparent}};
  std::string out = head.dump();
  out.pop_back();  // '}'
  out += ",\"payload\":";
  out += e.payload.empty() ? std::string("{}") : e.payload;
  out += '}';
  return out;
}

Envelope from_json(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw std::invalid_argument("event envelope is not a JSON object");
  auto str = [&](const char* name, bool required) -> std::string {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      if (required) throw std::invalid_argument(fmt::format("event envelope lacks '{}'", name));
      return {};
    }
    if (!it->is_string())
      throw std::invalid_argument(fmt::format("event envelope field '{}' is not a string", name));
    return it->get<std::string>();
  };
  Envelope e;
  e.event_id = str("eventId", true);
  e.event_type = str("eventType", true);
  e.occurred_at = str("occurredAt", false);
  e.correlation_id = str("correlationId", false);
  e.key = str("key", false);
  e.traceparent = str("traceparent", false);
  if (auto it = j.find("version"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer())
      throw std::invalid_argument("event envelope field 'version' is not an integer");
    e.version = it->get<std::int64_t>();
  }
  if (auto it = j.find("payload"); it != j.end()) e.payload = it->dump();
  return e;
}

std::string new_uuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:"
      "02x}{:02x}",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]);
}

std::int64_t now_unix_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string now_rfc3339() {
  const auto us = now_unix_micros();
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", tm, static_cast<int>((us / 1000) % 1000));
}

int partition_of(std::string_view key, int partitions) {
  if (partitions <= 1) return 0;
  std::uint32_t h = 2166136261u;
  for (unsigned char c : key) {
    h ^= c;
    h *= 16777619u;
  }
  return static_cast<int>(h % static_cast<std::uint32_t>(partitions));
}

namespace topics {
std::string assignment_requests(std::string_view geo) {
  return fmt::format("driver_assignment.requests.{}", geo);
}
std::string assignment_events(std::string_view geo) {
  return fmt::format("driver_assignment.events.{}", geo);
}

std::string dlq_of(std::string_view topic) {
  for (std::string_view prefix : {"driver_assignment.requests.", "driver_assignment.events."}) {
    if (topic.substr(0, prefix.size()) == prefix)
      return fmt::format("{}dlq.{}", prefix, topic.substr(prefix.size()));
  }
  return fmt::format("{}.dlq", topic);
}

std::optional<std::string> origin_of_dlq(std::string_view topic) {
  for (std::string_view prefix :
       {"driver_assignment.requests.dlq.", "driver_assignment.events.dlq."}) {
    if (topic.substr(0, prefix.size()) == prefix) {
      std::string base(prefix.substr(0, prefix.size() - 4));  // drop "dlq."
      return base + std::string(topic.substr(prefix.size()));
    }
  }
  constexpr std::string_view suffix = ".dlq";
  if (topic.size() > suffix.size() && topic.substr(topic.size() - suffix.size()) == suffix)
    return std::string(topic.substr(0, topic.size() - suffix.size()));
  return std::nullopt;
}
}  // namespace topics

std::chrono::milliseconds RetryPolicy::delay_after(int failed_attempt, double unit_random) const {
  const int shift = std::clamp(failed_attempt - 1, 0, 30);
  const double full = std::min(static_cast<double>(cap.count()),
                               static_cast<double>(base.count()) * double(1LL << shift));
  const double r = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(full / 2 + r * full / 2));
}

}  // namespace se::bus
