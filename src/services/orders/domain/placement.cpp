#include "services/orders/domain/placement.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <unordered_map>

namespace se::orders {

std::vector<RequestedLine> normalise_lines(std::vector<RequestedLine> lines) {
  std::sort(lines.begin(), lines.end(), [](const RequestedLine& a, const RequestedLine& b) {
    return a.food_item_id < b.food_item_id;
  });
  std::vector<RequestedLine> out;
  for (auto& l : lines) {
    if (!out.empty() && out.back().food_item_id == l.food_item_id) {
      out.back().quantity += l.quantity;
    } else {
      out.push_back(std::move(l));
    }
  }
  return out;
}

QuoteResult price_order(const std::vector<RequestedLine>& lines,
                        const std::vector<CatalogItem>& catalog, const std::string& restaurant_id,
                        std::int64_t delivery_fee_cents, std::int64_t min_order_cents) {
  std::unordered_map<std::string, const CatalogItem*> by_id;
  for (const auto& c : catalog) by_id.emplace(c.food_item_id, &c);
  QuoteResult r;
  for (const auto& l : lines) {
    auto it = by_id.find(l.food_item_id);
    if (it == by_id.end()) return {QuoteError::unknown_item, l.food_item_id, {}};
    const CatalogItem& c = *it->second;
    if (c.restaurant_id != restaurant_id) return {QuoteError::wrong_restaurant, l.food_item_id, {}};
    if (!c.available) return {QuoteError::unavailable, l.food_item_id, {}};
    PricedLine p{c.food_item_id, c.name,     c.kind,
                 c.price_cents,  l.quantity, c.price_cents * l.quantity};
    r.quote.subtotal_cents += p.line_total_cents;
    r.quote.lines.push_back(std::move(p));
  }
  if (r.quote.subtotal_cents < min_order_cents) return {QuoteError::below_minimum, {}, {}};
  r.quote.delivery_fee_cents = delivery_fee_cents;
  r.quote.total_cents = r.quote.subtotal_cents + delivery_fee_cents;
  if (r.quote.total_cents > kMaxOrderTotalCents) return {QuoteError::above_maximum, {}, {}};
  return r;
}

namespace {
std::string format_uuid(const unsigned char b[16]) {
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string new_order_id(std::int64_t unix_ms, std::mt19937_64& rng) {
  unsigned char b[16];
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  const std::uint64_t r1 = rng(), r2 = rng();
  for (int i = 6; i < 16; ++i)
    b[i] = static_cast<unsigned char>((i < 11 ? r1 : r2) >> (8 * (i % 8)));
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));  // version 7
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));  // RFC 4122 variant
  return format_uuid(b);
}

std::string new_uuid_v4(std::mt19937_64& rng) {
  unsigned char b[16];
  const std::uint64_t r1 = rng(), r2 = rng();
  for (int i = 0; i < 16; ++i)
    b[i] = static_cast<unsigned char>((i < 8 ? r1 : r2) >> (8 * (i % 8)));
  b[6] = static_cast<unsigned char>(0x40 | (b[6] & 0x0f));
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));
  return format_uuid(b);
}

std::optional<std::int64_t> order_id_millis(std::string_view id) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' ||
      id[14] != '7')
    return std::nullopt;
  std::int64_t ms = 0;
  int digits = 0;
  for (char c : id.substr(0, 13)) {
    if (c == '-') continue;
    const int v = hexval(c);
    if (v < 0) return std::nullopt;
    ms = ms * 16 + v;
    ++digits;
  }
  if (digits != 12) return std::nullopt;
  for (char c : id)
    if (c != '-' && hexval(c) < 0) return std::nullopt;
  return ms;
}

std::string timestamp_literal(std::int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d:%02d.%03d+00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return out;
}

std::chrono::microseconds backoff_delay(int failed_attempt, std::chrono::microseconds base,
                                        std::chrono::microseconds cap, std::mt19937_64& rng) {
  auto d = base;
  for (int i = 1; i < failed_attempt && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  std::uniform_int_distribution<std::int64_t> u(d.count() / 2, d.count());
  return std::chrono::microseconds(u(rng));
}

}  // namespace se::orders
