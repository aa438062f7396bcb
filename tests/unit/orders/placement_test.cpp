#include <gtest/gtest.h>

#include <set>

#include "services/orders/domain/placement.hpp"

using namespace se::orders;

TEST(OrderPlacement, NormaliseMergesDuplicatesAndSorts) {
  auto n = normalise_lines({{"b", 1}, {"a", 2}, {"b", 3}});
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].food_item_id, "a");
  EXPECT_EQ(n[0].quantity, 2);
  EXPECT_EQ(n[1].quantity, 4);
}

TEST(OrderPlacement, PricesComeFromTheCatalogue) {
  std::vector<CatalogItem> cat{{"a", "r", "A", "prepared", 250, true},
                               {"b", "r", "B", "made_to_order", 1000, true}};
  auto q = price_order({{"a", 2}, {"b", 1}}, cat, "r", 300, 0);
  ASSERT_EQ(q.error, QuoteError::none);
  EXPECT_EQ(q.quote.subtotal_cents, 1500);
  EXPECT_EQ(q.quote.delivery_fee_cents, 300);
  EXPECT_EQ(q.quote.total_cents, 1800);
  EXPECT_EQ(q.quote.lines[0].line_total_cents, 500);
}

TEST(OrderPlacement, RefusesUnknownForeignUnavailableAndSmallOrders) {
  std::vector<CatalogItem> cat{{"a", "r", "A", "prepared", 250, true},
                               {"x", "other", "X", "prepared", 1, true},
                               {"u", "r", "U", "prepared", 1, false}};
  EXPECT_EQ(price_order({{"zz", 1}}, cat, "r", 0, 0).error, QuoteError::unknown_item);
  EXPECT_EQ(price_order({{"x", 1}}, cat, "r", 0, 0).error, QuoteError::wrong_restaurant);
  EXPECT_EQ(price_order({{"u", 1}}, cat, "r", 0, 0).error, QuoteError::unavailable);
  EXPECT_EQ(price_order({{"a", 1}}, cat, "r", 0, 1000).error, QuoteError::below_minimum);
}

TEST(OrderPlacement, RefusesATotalNoOrderCanHold) {
  // Three lines of 100 at the highest menu price: 3e9 cents, past the int columns' range.
  std::vector<CatalogItem> cat{{"a", "r", "A", "made_to_order", 10'000'000, true},
                               {"b", "r", "B", "made_to_order", 10'000'000, true},
                               {"c", "r", "C", "made_to_order", 10'000'000, true}};
  EXPECT_EQ(price_order({{"a", 100}, {"b", 100}, {"c", 100}}, cat, "r", 0, 0).error,
            QuoteError::above_maximum);
  EXPECT_EQ(price_order({{"a", 100}, {"b", 100}}, cat, "r", 0, 0).error, QuoteError::none);
  // The delivery fee counts: a subtotal at the limit plus any fee is too much.
  std::vector<CatalogItem> edge{{"a", "r", "A", "made_to_order", kMaxOrderTotalCents, true}};
  EXPECT_EQ(price_order({{"a", 1}}, edge, "r", 0, 0).error, QuoteError::none);
  EXPECT_EQ(price_order({{"a", 1}}, edge, "r", 1, 0).error, QuoteError::above_maximum);
}

TEST(OrderPlacement, OrderIdsCarryTheirPartitionKey) {
  std::mt19937_64 rng(7);
  const std::int64_t ms = 1767225599123;  // 2025-12-31 23:59:59.123 UTC
  const auto id = new_order_id(ms, rng);
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '7');
  EXPECT_EQ(order_id_millis(id), ms);
  EXPECT_EQ(timestamp_literal(ms), "2025-12-31 23:59:59.123+00");
  EXPECT_EQ(timestamp_literal(0), "1970-01-01 00:00:00.000+00");
  EXPECT_FALSE(order_id_millis(new_uuid_v4(rng)).has_value());
  EXPECT_FALSE(order_id_millis("not-a-uuid").has_value());
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(new_order_id(ms, rng));
  EXPECT_EQ(ids.size(), 1000u);
  // Same seed, same ids: deterministic replays.
  std::mt19937_64 a(1), b(1);
  EXPECT_EQ(new_order_id(ms, a), new_order_id(ms, b));
}

TEST(OrderPlacement, BackoffGrowsWithJitterAndCap) {
  std::mt19937_64 rng(3);
  using us = std::chrono::microseconds;
  for (int i = 0; i < 200; ++i) {
    auto d1 = backoff_delay(1, us(1000), us(20000), rng);
    auto d3 = backoff_delay(3, us(1000), us(20000), rng);
    auto d9 = backoff_delay(9, us(1000), us(20000), rng);
    EXPECT_GE(d1.count(), 500);
    EXPECT_LE(d1.count(), 1000);
    EXPECT_GE(d3.count(), 2000);
    EXPECT_LE(d3.count(), 4000);
    EXPECT_GE(d9.count(), 10000);
    EXPECT_LE(d9.count(), 20000);
  }
}
