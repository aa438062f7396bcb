// Uniform grid over courier positions: the k nearest candidates to a restaurant are found by
// visiting rings of cells outwards, so a decision round touches a few cells per bundle instead
// of every online courier. Cells shrink as the fleet grows, keeping a handful of couriers per
// cell in a village and in a metropolis alike. Each entry carries a snapshot of what a decision
// needs about the courier, so a query reads contiguous cell memory instead of chasing every
// courier's full state.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "services/dispatch/model.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

struct CourierSpot {
  CourierId id = 0;
  Point at;                  // where it next waits for instructions
  Minutes free_time = 0;     // from when
  Minutes shift_start = 0;
  Minutes shift_end = 0;     // last minute at which it may pick up
  int orders_committed = 0;
};

struct Candidate {
  double distance_m = 0;
  CourierSpot spot;
  friend bool operator<(const Candidate& a, const Candidate& b) {
    return a.distance_m != b.distance_m ? a.distance_m < b.distance_m : a.spot.id < b.spot.id;
  }
};

class GridIndex {
 public:
  explicit GridIndex(double cell_m = 1000.0) : cell_(cell_m) {}

  // Inserts or replaces the courier's entry.
  void insert(const CourierSpot& spot);
  void erase(CourierId id);
  [[nodiscard]] bool contains(CourierId id) const {
    return id < slot_.size() && slot_[id].cell >= 0;
  }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] double cell_size() const { return cell_; }

  // Up to k entries accepted by `keep`, nearest first by straight-line distance, ties by id.
  // `keep` is consulted only for entries near enough to enter the answer, so an expensive
  // filter costs little.
  template <class Keep>
  void nearest(Point q, std::size_t k, Keep&& keep, std::vector<Candidate>& out) const {
    out.clear();
    if (size_ == 0 || k == 0) return;
    const int qx = std::clamp(cell_x(q.x), 0, nx_ - 1);
    const int qy = std::clamp(cell_y(q.y), 0, ny_ - 1);
    const int max_r = std::max({qx, nx_ - 1 - qx, qy, ny_ - 1 - qy});
    // `out` is kept as a max-heap of the best k so far (worst on top).
    // Ranked by squared distance (same order, no square root per entry); converted at the end.
    auto visit = [&](const std::vector<CourierSpot>& cell) {
      for (const CourierSpot& e : cell) {
        const double dx = q.x - e.at.x, dy = q.y - e.at.y;
        const Candidate cand{dx * dx + dy * dy, e};
        if (out.size() == k && !(cand < out.front())) continue;
        if (!keep(e)) continue;
        if (out.size() == k) {
          std::pop_heap(out.begin(), out.end());
          out.back() = cand;
        } else {
          out.push_back(cand);
        }
        std::push_heap(out.begin(), out.end());
      }
    };
    for (int r = 0; r <= max_r; ++r) {
      // Any entry in ring r+1 or beyond is at least r cells away from q (also when q lies
      // outside the grid and was clamped to a border cell).
      const double bound = std::max(0, r - 1) * cell_;
      if (out.size() == k && out.front().distance_m <= bound * bound) break;
      for (int y = qy - r; y <= qy + r; ++y) {
        if (y < 0 || y >= ny_) continue;
        const bool edge_row = (y == qy - r || y == qy + r);
        const int step = (edge_row || r == 0) ? 1 : 2 * r;
        for (int x = qx - r; x <= qx + r; x += step) {
          if (x >= 0 && x < nx_) visit(cells_[static_cast<std::size_t>(y) * nx_ + x]);
        }
      }
    }
    std::sort_heap(out.begin(), out.end());
    for (Candidate& c : out) c.distance_m = std::sqrt(c.distance_m);
  }

 private:
  struct Slot {
    long cell = -1;
    std::size_t pos = 0;  // position inside the cell's vector
  };
  [[nodiscard]] int cell_x(double x) const { return static_cast<int>(std::floor((x - origin_x_) / cell_)); }
  [[nodiscard]] int cell_y(double y) const { return static_cast<int>(std::floor((y - origin_y_) / cell_)); }
  void grow_to(Point p);
  void rebuild(double min_x, double min_y, double max_x, double max_y);
  void file(const CourierSpot& spot);

  double cell_;
  double origin_x_ = 0, origin_y_ = 0;
  int nx_ = 0, ny_ = 0;
  std::vector<std::vector<CourierSpot>> cells_;
  std::vector<Slot> slot_;
  std::size_t size_ = 0;
};

}  // namespace se::dispatch
