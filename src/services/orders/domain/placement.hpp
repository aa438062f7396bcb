// Pure pieces of order placement: request normalisation, pricing from catalogue rows, order ids
// that carry their partition key, and the jittered backoff of inventory retries.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace se::orders {

struct RequestedLine {
  std::string food_item_id;
  int quantity = 0;
};

// Merges repeated items (summing quantities) and sorts by food_item_id, so the same order
// always hashes the same and rows are locked in one global order (no deadlocks).
std::vector<RequestedLine> normalise_lines(std::vector<RequestedLine> lines);

// What the database says about one requested item.
struct CatalogItem {
  std::string food_item_id;
  std::string restaurant_id;
  std::string name;
  std::string kind;  // "prepared" | "made_to_order"
  std::int64_t price_cents = 0;
  bool available = false;
};

struct PricedLine {
  std::string food_item_id;
  std::string name;
  std::string kind;
  std::int64_t unit_price_cents = 0;
  int quantity = 0;
  std::int64_t line_total_cents = 0;
};

struct Quote {
  std::vector<PricedLine> lines;
  std::int64_t subtotal_cents = 0;
  std::int64_t delivery_fee_cents = 0;
  std::int64_t total_cents = 0;
};

// The largest total one order can have: orders.total_cents and payments.amount_cents are int, so
// a larger total could be neither stored nor charged (and, batched, would fail its neighbours).
inline constexpr std::int64_t kMaxOrderTotalCents = 2'147'483'647;

enum class QuoteError {
  none,
  unknown_item,
  wrong_restaurant,
  unavailable,
  below_minimum,
  above_maximum
};

struct QuoteResult {
  QuoteError error = QuoteError::none;
  std::string item_id;  // the offending item, when there is one
  Quote quote;
};

// Prices `lines` (normalised) from `catalog` (any order). Every price comes from the catalogue.
QuoteResult price_order(const std::vector<RequestedLine>& lines,
                        const std::vector<CatalogItem>& catalog, const std::string& restaurant_id,
                        std::int64_t delivery_fee_cents, std::int64_t min_order_cents);

// Order ids are UUIDv7: the first 48 bits are the Unix time in milliseconds, which is also the
// order's created_at, i.e. its partition key. Any lookup by id can therefore name the partition
// (WHERE id = $1 AND created_at = $2) without a global index scan.
std::string new_order_id(std::int64_t unix_ms, std::mt19937_64& rng);
// Milliseconds encoded in a UUIDv7 (nullopt if `id` is not a v7 UUID in canonical text).
std::optional<std::int64_t> order_id_millis(std::string_view id);
// PostgreSQL timestamptz literal for a Unix time in ms: "2025-01-31 23:59:59.123+00".
std::string timestamp_literal(std::int64_t unix_ms);
// Random v4 UUID (payment ids, event ids).
std::string new_uuid_v4(std::mt19937_64& rng);

// Inventory retry delay after failed attempt n (1-based): base * 2^(n-1), capped, "equal jitter"
// (uniform in [d/2, d]) so concurrent losers spread out.
std::chrono::microseconds backoff_delay(int failed_attempt, std::chrono::microseconds base,
                                        std::chrono::microseconds cap, std::mt19937_64& rng);

}  // namespace se::orders
