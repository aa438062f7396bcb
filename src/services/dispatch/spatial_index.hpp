// Uniform grid over courier positions: the k nearest candidates to a restaurant are found by
// visiting rings of cells outwards, so a decision round touches a few cells per bundle instead
// of every online courier.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "services/dispatch/model.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

class GridIndex {
 public:
  explicit GridIndex(double cell_m = 1000.0) : cell_(cell_m) {}

  void insert(CourierId id, Point p);
  void erase(CourierId id);
  void move(CourierId id, Point p) {
    erase(id);
    insert(id, p);
  }
  [[nodiscard]] bool contains(CourierId id) const {
    return id < slot_.size() && slot_[id].cell >= 0;
  }
  [[nodiscard]] std::size_t size() const { return size_; }

  // Up to k entries accepted by `keep`, nearest first by straight-line distance, ties by id.
  template <class Keep>
  void nearest(Point q, std::size_t k, Keep&& keep,
               std::vector<std::pair<double, CourierId>>& out) const {
    out.clear();
    if (size_ == 0 || k == 0) return;
    const int qx = std::clamp(cell_x(q.x), 0, nx_ - 1);
    const int qy = std::clamp(cell_y(q.y), 0, ny_ - 1);
    const int max_r = std::max({qx, nx_ - 1 - qx, qy, ny_ - 1 - qy});
    // Any entry in ring r+1 or beyond is at least r cells away from q (also when q lies outside
    // the grid and was clamped to a border cell), which is the stopping bound below.
    for (int r = 0; r <= max_r; ++r) {
      for (int y = qy - r; y <= qy + r; ++y) {
        if (y < 0 || y >= ny_) continue;
        const bool edge_row = (y == qy - r || y == qy + r);
        const int step = edge_row ? 1 : 2 * r;
        for (int x = qx - r; x <= qx + r; x += (step == 0 ? 1 : step)) {
          if (x < 0 || x >= nx_) continue;
          for (CourierId id : cells_[static_cast<std::size_t>(y) * nx_ + x]) {
            if (!keep(id)) continue;
            out.emplace_back(distance_m(q, slot_[id].at), id);
          }
        }
      }
      if (out.size() >= k) {
        std::nth_element(out.begin(), out.begin() + static_cast<long>(k - 1), out.end());
        if (out[k - 1].first <= r * cell_) break;
      }
    }
    const std::size_t n = std::min(k, out.size());
    std::partial_sort(out.begin(), out.begin() + static_cast<long>(n), out.end());
    out.resize(n);
  }

 private:
  struct Slot {
    long cell = -1;
    std::size_t pos = 0;  // position inside the cell's vector
    Point at;
  };
  [[nodiscard]] int cell_x(double x) const { return static_cast<int>(std::floor((x - origin_x_) / cell_)); }
  [[nodiscard]] int cell_y(double y) const { return static_cast<int>(std::floor((y - origin_y_) / cell_)); }
  void grow_to(Point p);

  double cell_;
  double origin_x_ = 0, origin_y_ = 0;
  int nx_ = 0, ny_ = 0;
  std::vector<std::vector<CourierId>> cells_;
  std::vector<Slot> slot_;
  std::size_t size_ = 0;
};

}  // namespace se::dispatch
