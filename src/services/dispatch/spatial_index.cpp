#include "services/dispatch/spatial_index.hpp"

namespace se::dispatch {

namespace {
constexpr double kMinCell = 100.0;        // metres; finer cells buy nothing at city scale
constexpr std::size_t kDensePerCell = 4;  // shrink cells when the average exceeds this
}  // namespace

void GridIndex::file(const CourierSpot& spot) {
  const long c = static_cast<long>(cell_y(spot.at.y)) * nx_ + cell_x(spot.at.x);
  slot_[spot.id].cell = c;
  slot_[spot.id].pos = cells_[c].spot.size();
  cells_[c].at.push_back(spot.at);
  cells_[c].spot.push_back(spot);
}

void GridIndex::rebuild(double min_x, double min_y, double max_x, double max_y) {
  const double margin = 4 * cell_ + 0.25 * std::max(max_x - min_x, max_y - min_y);
  origin_x_ = std::floor((min_x - margin) / cell_) * cell_;
  origin_y_ = std::floor((min_y - margin) / cell_) * cell_;
  nx_ = static_cast<int>(std::ceil((max_x + margin - origin_x_) / cell_)) + 1;
  ny_ = static_cast<int>(std::ceil((max_y + margin - origin_y_) / cell_)) + 1;
  // Re-file in id order so the layout depends only on the set of entries, not on history.
  std::vector<CourierSpot> all;
  all.reserve(size_);
  for (const auto& cell : cells_) all.insert(all.end(), cell.spot.begin(), cell.spot.end());
  std::sort(all.begin(), all.end(), [](const CourierSpot& a, const CourierSpot& b) { return a.id < b.id; });
  cells_.assign(static_cast<std::size_t>(nx_) * ny_, {});
  for (const CourierSpot& spot : all) file(spot);
}

void GridIndex::grow_to(Point p) {
  if (nx_ > 0 && p.x >= origin_x_ && p.y >= origin_y_ && p.x < origin_x_ + nx_ * cell_ &&
      p.y < origin_y_ + ny_ * cell_) {
    return;
  }
  double min_x = p.x, min_y = p.y, max_x = p.x, max_y = p.y;
  if (nx_ > 0) {
    min_x = std::min(min_x, origin_x_);
    min_y = std::min(min_y, origin_y_);
    max_x = std::max(max_x, origin_x_ + nx_ * cell_);
    max_y = std::max(max_y, origin_y_ + ny_ * cell_);
  }
  rebuild(min_x, min_y, max_x, max_y);
}

void GridIndex::insert(const CourierSpot& spot) {
  const Point p = spot.at;
  if (contains(spot.id)) erase(spot.id);
  if (spot.id >= slot_.size()) slot_.resize(spot.id + 1);
  grow_to(p);
  file(spot);
  ++size_;
  if (size_ > kDensePerCell * cells_.size() && cell_ > kMinCell) {
    // Dense fleet: halve the cells over the same area (rare: O(log fleet) times).
    double x0 = p.x, y0 = p.y, x1 = p.x, y1 = p.y;
    for (const auto& cell : cells_) {
      for (const CourierSpot& s : cell.spot) {
        x0 = std::min(x0, s.at.x);
        y0 = std::min(y0, s.at.y);
        x1 = std::max(x1, s.at.x);
        y1 = std::max(y1, s.at.y);
      }
    }
    cell_ = std::max(kMinCell, cell_ / 2);
    rebuild(x0, y0, x1, y1);
  }
}

void GridIndex::erase(CourierId id) {
  if (!contains(id)) return;
  auto& cell = cells_[slot_[id].cell];
  const std::size_t pos = slot_[id].pos;
  // Swap-remove keeps erase O(1); answers never depend on it because nearest() orders them.
  cell.spot[pos] = cell.spot.back();
  cell.at[pos] = cell.at.back();
  slot_[cell.spot[pos].id].pos = pos;
  cell.spot.pop_back();
  cell.at.pop_back();
  slot_[id].cell = -1;
  --size_;
}

}  // namespace se::dispatch

