// What the last placement reads said about restaurants, menu items and stock, so that a
// placement whose every item is known can go straight to the write: its quote is priced from
// this cache and the write statement re-checks, under its locks, that the database still says
// the same (the restaurant open, delivering to the point, with the same fee and minimum; every
// item with the same restaurant, name, kind and price, still available; every stock row at the
// version the compare-and-set expects). Any difference sends the placement down the usual path,
// a fresh read first. So the cache is only ever a hint: a stale entry costs one write statement
// that changes nothing, never a wrong price or an oversold item.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "services/orders/domain/placement.hpp"

namespace se::orders {

struct CachedRestaurant {
  std::int64_t delivery_fee_cents = 0;
  std::int64_t min_order_cents = 0;
  std::string geo_key;
};

struct CachedStock {
  std::int64_t quantity = 0;
  std::int64_t version = 0;
};

struct CachedItem {
  CatalogItem item;
  std::optional<CachedStock> stock;  // prepared items only
};

// Everything a placement needs from the cache: the restaurant, each line's catalogue entry
// (in the lines' order) and the stock version of each prepared line.
struct CachedPlacement {
  CachedRestaurant restaurant;
  std::vector<CatalogItem> catalog;
  std::vector<std::optional<CachedStock>> stock;  // parallel to catalog
};

class PlacementCache {
 public:
  // At most `max_items` items are kept; past that the cache starts over (it refills from the
  // next reads), which bounds memory without bookkeeping on the hot path. 0 disables it.
  explicit PlacementCache(std::size_t max_items) : max_items_(max_items) {}

  void remember_restaurant(const std::string& restaurant_id, CachedRestaurant r);
  // A stock entry older than the one held (a lower version) is ignored: reads and writes of
  // one item can complete out of order.
  void remember_item(CachedItem item);

  // nullopt unless the restaurant and every line's item are known and each prepared line has
  // at least its quantity in stock.
  [[nodiscard]] std::optional<CachedPlacement> lookup(
      const std::string& restaurant_id, const std::vector<RequestedLine>& lines) const;

  // A write took `quantity` of `item_id` with the compare-and-set on `expected_version`: the row
  // is now at expected_version + 1 with `quantity` fewer.
  void took(const std::string& item_id, std::int64_t quantity, std::int64_t expected_version);
  // The stock or catalogue entry of these items may be wrong (a guarded write, a failed check).
  void forget_items(const std::vector<RequestedLine>& lines);
  void forget_restaurant(const std::string& restaurant_id);

  [[nodiscard]] std::size_t items() const { return items_.size(); }
  [[nodiscard]] bool enabled() const { return max_items_ > 0; }

 private:
  std::size_t max_items_;
  std::unordered_map<std::string, CachedRestaurant> restaurants_;
  std::unordered_map<std::string, CachedItem> items_;
};

}  // namespace se::orders
