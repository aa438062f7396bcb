#include "services/dispatch/recent_placements.hpp"

#include <cmath>

namespace se::dispatch {

void RecentPlacements::configure(double cell_m, Minutes window) {
  if (cell_m != cell_m_ || window != window_) clear();
  cell_m_ = cell_m;
  window_ = window;
}

namespace {
std::int64_t pack(std::int64_t cx, std::int64_t cy) { return (cx << 32) ^ (cy & 0xffffffff); }
}  // namespace

std::int64_t RecentPlacements::cell_of(double x, double y) const {
  return pack(static_cast<std::int64_t>(std::floor(x / cell_m_)),
              static_cast<std::int64_t>(std::floor(y / cell_m_)));
}

void RecentPlacements::spread(std::int64_t cell, int by) {
  const std::int64_t cx = cell >> 32;
  const auto cy = static_cast<std::int64_t>(static_cast<std::int32_t>(cell & 0xffffffff));
  for (std::int64_t dx = -1; dx <= 1; ++dx) {
    for (std::int64_t dy = -1; dy <= 1; ++dy) {
      const auto it = around_.try_emplace(pack(cx + dx, cy + dy), 0).first;
      it->second += by;
      if (it->second == 0) around_.erase(it);
    }
  }
}

void RecentPlacements::record(Point at, Minutes minute) {
  const std::int64_t cell = cell_of(at.x, at.y);
  entries_.push_back(Entry{minute, cell});
  spread(cell, 1);
}

void RecentPlacements::expire(Minutes now) {
  if (since_ < 0) since_ = now;
  while (!entries_.empty() && now - entries_.front().minute >= window_) {
    spread(entries_.front().cell, -1);
    entries_.pop_front();
  }
}

void RecentPlacements::clear() {
  entries_.clear();
  around_.clear();
  since_ = -1;
}

int RecentPlacements::near(Point at) const {
  const auto it = around_.find(cell_of(at.x, at.y));
  return it == around_.end() ? 0 : it->second;
}

}  // namespace se::dispatch
