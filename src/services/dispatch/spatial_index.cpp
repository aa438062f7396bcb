#include "services/dispatch/spatial_index.hpp"

namespace se::dispatch {

void GridIndex::grow_to(Point p) {
  if (nx_ > 0 && p.x >= origin_x_ && p.y >= origin_y_ && p.x < origin_x_ + nx_ * cell_ &&
      p.y < origin_y_ + ny_ * cell_) {
    return;
  }
  // Rebuild with bounds covering the old grid and the new point, plus margin, so growth is rare.
  double min_x = p.x, min_y = p.y, max_x = p.x, max_y = p.y;
  if (nx_ > 0) {
    min_x = std::min(min_x, origin_x_);
    min_y = std::min(min_y, origin_y_);
    max_x = std::max(max_x, origin_x_ + nx_ * cell_);
    max_y = std::max(max_y, origin_y_ + ny_ * cell_);
  }
  const double margin = 4 * cell_ + 0.25 * std::max(max_x - min_x, max_y - min_y);
  origin_x_ = std::floor((min_x - margin) / cell_) * cell_;
  origin_y_ = std::floor((min_y - margin) / cell_) * cell_;
  nx_ = static_cast<int>(std::ceil((max_x + margin - origin_x_) / cell_)) + 1;
  ny_ = static_cast<int>(std::ceil((max_y + margin - origin_y_) / cell_)) + 1;
  cells_.assign(static_cast<std::size_t>(nx_) * ny_, {});
  // Re-file existing entries in id order so the layout depends only on the set, not history.
  for (CourierId id = 0; id < slot_.size(); ++id) {
    if (slot_[id].cell < 0) continue;
    const long c = static_cast<long>(cell_y(slot_[id].at.y)) * nx_ + cell_x(slot_[id].at.x);
    slot_[id].cell = c;
    slot_[id].pos = cells_[c].size();
    cells_[c].push_back(id);
  }
}

void GridIndex::insert(CourierId id, Point p) {
  if (contains(id)) erase(id);
  if (id >= slot_.size()) slot_.resize(id + 1);
  slot_[id].at = p;
  grow_to(p);
  const long c = static_cast<long>(cell_y(p.y)) * nx_ + cell_x(p.x);
  slot_[id].cell = c;
  slot_[id].pos = cells_[c].size();
  cells_[c].push_back(id);
  ++size_;
}

void GridIndex::erase(CourierId id) {
  if (!contains(id)) return;
  auto& cell = cells_[slot_[id].cell];
  const std::size_t pos = slot_[id].pos;
  // Swap-remove keeps erase O(1); result order never depends on it because nearest() sorts.
  cell[pos] = cell.back();
  slot_[cell[pos]].pos = pos;
  cell.pop_back();
  slot_[id].cell = -1;
  --size_;
}

}  // namespace se::dispatch
