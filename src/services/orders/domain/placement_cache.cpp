#include "services/orders/domain/placement_cache.hpp"

namespace se::orders {

void PlacementCache::remember_restaurant(const std::string& restaurant_id, CachedRestaurant r) {
  if (!enabled()) return;
  // Restaurants are few next to items; they are dropped with the items when the bound is hit.
  restaurants_[restaurant_id] = std::move(r);
}

void PlacementCache::remember_item(CachedItem item) {
  if (!enabled()) return;
  auto it = items_.find(item.item.food_item_id);
  if (it != items_.end()) {
    const auto& held = it->second.stock;
    if (held && item.stock && held->version > item.stock->version) item.stock = held;
    it->second = std::move(item);
    return;
  }
  if (items_.size() >= max_items_) {
    items_.clear();
    restaurants_.clear();
  }
  std::string id = item.item.food_item_id;
  items_.emplace(std::move(id), std::move(item));
}

std::optional<CachedPlacement> PlacementCache::lookup(
    const std::string& restaurant_id, const std::vector<RequestedLine>& lines) const {
  const auto r = restaurants_.find(restaurant_id);
  if (r == restaurants_.end()) return std::nullopt;
  CachedPlacement out;
  out.restaurant = r->second;
  out.catalog.reserve(lines.size());
  out.stock.reserve(lines.size());
  for (const auto& l : lines) {
    const auto it = items_.find(l.food_item_id);
    if (it == items_.end()) return std::nullopt;
    const CachedItem& c = it->second;
    if (c.item.kind == "prepared" && (!c.stock || c.stock->quantity < l.quantity))
      return std::nullopt;
    out.catalog.push_back(c.item);
    out.stock.push_back(c.stock);
  }
  return out;
}

void PlacementCache::took(const std::string& item_id, std::int64_t quantity,
                          std::int64_t expected_version) {
  auto it = items_.find(item_id);
  if (it == items_.end() || !it->second.stock) return;
  auto& s = *it->second.stock;
  if (s.version == expected_version) {
    s.version = expected_version + 1;
    s.quantity -= quantity;
  } else if (s.version <= expected_version) {
    it->second.stock.reset();  // newer than what we hold, but by how much stock is unknown
  }
}

void PlacementCache::forget_items(const std::vector<RequestedLine>& lines) {
  for (const auto& l : lines) items_.erase(l.food_item_id);
}

void PlacementCache::forget_restaurant(const std::string& restaurant_id) {
  restaurants_.erase(restaurant_id);
}

}  // namespace se::orders
