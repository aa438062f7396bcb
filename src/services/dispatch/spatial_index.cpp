#include "services/dispatch/spatial_index.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace se::dispatch {

namespace {
constexpr double kMinCell = 100.0;        // metres; finer cells buy nothing at city scale
constexpr std::size_t kDensePerCell = 4;  // shrink cells when the average exceeds this
constexpr std::uint32_t kMinBlock = 4;    // entries of a cell's first block
constexpr std::size_t kMaxCells = std::size_t{1} << 20;  // 12 MB of cell headers

// Block size for a cell of `entries`: room to grow before the cell has to move.
std::uint32_t block_for(std::uint32_t entries) {
  return entries == 0 ? 0 : std::bit_ceil(std::max(entries, kMinBlock));
}
}  // namespace

// A full cell moves to a block twice as large at the end of the pools; the old block is
// abandoned. Blocks added at the end are out of row order, so once they are half the pools the
// pools are laid out afresh (insert()): memory stays bounded and neighbouring cells stay close.
void GridIndex::move_to_larger_block(std::size_t c) {
  Cell& cell = cells_[c];
  const auto begin = static_cast<std::uint32_t>(at_.size());
  const std::uint32_t capacity = std::max(kMinBlock, 2 * cell.capacity);
  at_.resize(at_.size() + capacity);
  spot_.resize(spot_.size() + capacity);
  std::copy_n(at_.begin() + cell.begin, cell.size, at_.begin() + begin);
  std::copy_n(spot_.begin() + cell.begin, cell.size, spot_.begin() + begin);
  appended_ += capacity;
  cell.begin = begin;
  cell.capacity = capacity;
}

void GridIndex::file(const CourierSpot& spot) {
  const long c = static_cast<long>(cell_y(spot.at.y)) * nx_ + cell_x(spot.at.x);
  if (cells_[c].size == cells_[c].capacity) move_to_larger_block(static_cast<std::size_t>(c));
  Cell& cell = cells_[c];
  slot_[spot.id].cell = c;
  slot_[spot.id].pos = cell.size;
  at_[cell.begin + cell.size] = spot.at;
  spot_[cell.begin + cell.size] = spot;
  ++cell.size;
}

std::vector<CourierSpot> GridIndex::entries() const {
  std::vector<CourierSpot> all;
  all.reserve(size_);
  for (const Cell& cell : cells_)
    all.insert(all.end(), spot_.begin() + cell.begin, spot_.begin() + cell.begin + cell.size);
  return all;
}

// Fresh pools with every cell's block in row order (neighbouring cells of a row adjacent in
// memory), the entries filed in the given order.
void GridIndex::lay_out(const std::vector<CourierSpot>& entries) {
  cells_.assign(static_cast<std::size_t>(nx_) * ny_, {});
  for (const CourierSpot& spot : entries) {
    ++cells_[static_cast<std::size_t>(cell_y(spot.at.y)) * nx_ + cell_x(spot.at.x)].size;
  }
  std::uint32_t total = 0;
  for (Cell& cell : cells_) {
    cell.begin = total;
    cell.capacity = block_for(cell.size);
    cell.size = 0;
    total += cell.capacity;
  }
  at_.assign(total, {});
  spot_.assign(total, {});
  appended_ = 0;
  for (const CourierSpot& spot : entries) file(spot);
}

void GridIndex::rebuild(double min_x, double min_y, double max_x, double max_y) {
  // Re-file in id order so the layout depends only on the set of entries, not on history.
  std::vector<CourierSpot> all = entries();
  std::sort(all.begin(), all.end(),
            [](const CourierSpot& a, const CourierSpot& b) { return a.id < b.id; });
  for (;;) {
    const double margin = 4 * cell_ + 0.25 * std::max(max_x - min_x, max_y - min_y);
    origin_x_ = std::floor((min_x - margin) / cell_) * cell_;
    origin_y_ = std::floor((min_y - margin) / cell_) * cell_;
    nx_ = static_cast<int>(std::ceil((max_x + margin - origin_x_) / cell_)) + 1;
    ny_ = static_cast<int>(std::ceil((max_y + margin - origin_y_) / cell_)) + 1;
    // A far outlier (a courier hundreds of kilometres away) would make a city-sized cell grid
    // huge; coarser cells keep it bounded (queries then go by nearest()'s sparse path).
    if (static_cast<double>(nx_) * ny_ <= static_cast<double>(kMaxCells)) break;
    cell_ *= 2;
  }
  lay_out(all);
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
  if (size_ > kDensePerCell * cells_.size() && cell_ > kMinCell && 4 * cells_.size() <= kMaxCells) {
    // Dense fleet: halve the cells over the same area (rare: O(log fleet) times).
    double x0 = p.x, y0 = p.y, x1 = p.x, y1 = p.y;
    for (const Cell& cell : cells_) {
      for (std::uint32_t i = cell.begin; i < cell.begin + cell.size; ++i) {
        x0 = std::min(x0, at_[i].x);
        y0 = std::min(y0, at_[i].y);
        x1 = std::max(x1, at_[i].x);
        y1 = std::max(y1, at_[i].y);
      }
    }
    cell_ = std::max(kMinCell, cell_ / 2);
    rebuild(x0, y0, x1, y1);
  } else if (2 * appended_ > at_.size()) {
    lay_out(entries());  // see move_to_larger_block()
  }
}

void GridIndex::erase(CourierId id) {
  if (!contains(id)) return;
  Cell& cell = cells_[slot_[id].cell];
  const std::size_t pos = cell.begin + slot_[id].pos;
  const std::size_t last = cell.begin + cell.size - 1;
  // Swap-remove keeps erase O(1); answers never depend on it because nearest() orders them.
  spot_[pos] = spot_[last];
  at_[pos] = at_[last];
  slot_[spot_[pos].id].pos = slot_[id].pos;
  --cell.size;
  slot_[id].cell = -1;
  --size_;
}

}  // namespace se::dispatch
