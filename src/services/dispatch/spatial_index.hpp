// Uniform grid over courier positions: the k nearest candidates to a restaurant are found by
// visiting rings of cells outwards, so a decision round touches a few cells per bundle instead
// of every online courier. Cells shrink as the fleet grows, keeping a handful of couriers per
// cell in a village and in a metropolis alike. Each entry carries a snapshot of what a decision
// needs about the courier (kept apart from the positions a query scans), so a query reads cell
// memory instead of chasing every courier's full state. All cells share two pools (positions,
// snapshots), each cell a block of them, laid out in row order: a query's neighbouring cells sit
// next to each other in memory, and a cell header is 12 bytes instead of two vectors.
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <utility>
#include <vector>

#include "services/dispatch/model.hpp"
#include "services/dispatch/travel.hpp"

namespace se::dispatch {

struct CourierSpot {
  CourierId id = 0;
  Point at;               // where it next waits for instructions
  Minutes free_time = 0;  // from when
  Minutes shift_start = 0;
  Minutes shift_end = 0;  // last minute at which it may pick up
  int orders_committed = 0;
};

// An answer carries a copy of the entry's snapshot, taken while the query has it in cache: a
// decision round reads every candidate's snapshot again while costing its arcs, and reading the
// copy next to the distance is cheaper than a second cache miss into the index.
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

  // Sort key that keeps nearby points together (Morton order of their cells): queries run in
  // this order reuse the cells the previous query brought into cache.
  [[nodiscard]] std::uint64_t locality_key(Point q) const {
    if (nx_ == 0) return 0;
    const auto x = static_cast<std::uint32_t>(std::clamp(cell_x(q.x), 0, nx_ - 1));
    const auto y = static_cast<std::uint32_t>(std::clamp(cell_y(q.y), 0, ny_ - 1));
    return spread_bits(x) | (spread_bits(y) << 1);
  }

  // Up to k entries accepted by `keep`, nearest first by straight-line distance, ties by id,
  // none farther than max_distance_m (the scan stops there, so a rare filter stays cheap).
  // `keep` is consulted only for entries near enough to enter the answer, so an expensive
  // filter costs little.
  template <class Keep>
  void nearest(Point q, std::size_t k, Keep&& keep, std::vector<Candidate>& out,
               double max_distance_m = std::numeric_limits<double>::infinity()) const {
    out.clear();
    if (size_ == 0 || k == 0) return;
    const int qx = std::clamp(cell_x(q.x), 0, nx_ - 1);
    const int qy = std::clamp(cell_y(q.y), 0, ny_ - 1);
    const int max_r = std::max({qx, nx_ - 1 - qx, qy, ny_ - 1 - qy});
    // The best k so far, sorted, as small (squared distance, entry) pairs: ranking by squared
    // distance needs no square root per entry, an insertion moves 16-byte pairs instead of
    // whole snapshots, and the buffer lives on the stack for the usual small k. The worst key
    // is cached so most entries are rejected by one comparison.
    constexpr std::size_t kInline = 64;
    std::array<Hit, kInline> inline_best;
    std::vector<Hit> big_best;
    Hit* best = inline_best.data();
    if (k > kInline) {
      big_best.resize(k);
      best = big_best.data();
    }
    std::size_t n = 0;
    const double limit = square(max_distance_m);
    double worst = limit;
    auto consider = [&](const Point& at, const CourierSpot& e) {
      const double dx = q.x - at.x, dy = q.y - at.y;
      const double d2 = dx * dx + dy * dy;
      if (d2 > worst) return;
      const Hit h{d2, &e};
      if (n == k && !(h < best[n - 1])) return;  // equal distance: lower id wins
      if (!keep(e)) return;
      std::size_t at_rank = n == k ? n - 1 : n++;
      for (; at_rank > 0 && h < best[at_rank - 1]; --at_rank) best[at_rank] = best[at_rank - 1];
      best[at_rank] = h;
      if (n == k) worst = best[k - 1].d2;
    };
    std::size_t seen = 0;
    auto visit = [&](const Cell& cell) {
      const Point* positions = at_.data() + cell.begin;
      const CourierSpot* snapshots = spot_.data() + cell.begin;
      for (std::uint32_t i = 0; i < cell.size; ++i) consider(positions[i], snapshots[i]);
      seen += cell.size;
    };
    for (int r = 0; r <= max_r; ++r) {
      // Entries not visited yet lie outside the block of rings 0..r-1; stop once the k-th best
      // is nearer than the nearest side of that block that still has cells beyond it (strictly:
      // an entry there at the same distance with a lower id would win the tie). Without k
      // entries yet, the same holds for the distance limit.
      if (r > 0 && worst < square(unvisited_bound(q, qx, qy, r - 1))) break;
      if (seen == size_) break;  // nothing left anywhere
      // A sparse index (a few couriers over a large area, or one far from the rest, e.g. a bad
      // location): the next ring has more cells than there are entries left, so one pass over
      // the entries outside rings 0..r-1 costs less than the rings, and gives the same answer
      // (the k least by distance and id among those `keep` accepts).
      if (8 * static_cast<std::size_t>(r) > size_ - seen) {
        for (const Slot& slot : slot_) {
          if (slot.cell < 0) continue;
          const auto c = static_cast<std::size_t>(slot.cell);
          const int cx = static_cast<int>(c % static_cast<std::size_t>(nx_));
          const int cy = static_cast<int>(c / static_cast<std::size_t>(nx_));
          if (std::abs(cx - qx) < r && std::abs(cy - qy) < r) continue;  // visited
          const std::size_t i = cells_[c].begin + slot.pos;
          consider(at_[i], spot_[i]);
        }
        break;
      }
      // Two passes over the ring: the first only starts loading every cell's positions and the
      // first of its snapshots (their addresses are known from the headers; `keep` reads the
      // snapshots of most entries a query visits), so the misses overlap instead of queueing one
      // behind the other; the second reads them. Loading every line of the snapshots too gave
      // nothing measurable.
      for (const bool prefetch : {true, false}) {
        for (int y = qy - r; y <= qy + r; ++y) {
          if (y < 0 || y >= ny_) continue;
          const bool edge_row = (y == qy - r || y == qy + r);
          const int step = (edge_row || r == 0) ? 1 : 2 * r;
          for (int x = qx - r; x <= qx + r; x += step) {
            if (x < 0 || x >= nx_) continue;
            const Cell& cell = cells_[static_cast<std::size_t>(y) * nx_ + x];
            if (prefetch) {
              __builtin_prefetch(at_.data() + cell.begin);
              __builtin_prefetch(spot_.data() + cell.begin);
            } else {
              visit(cell);
            }
          }
        }
      }
    }
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(Candidate{std::sqrt(best[i].d2), *best[i].spot});
  }

  // Every entry accepted by `keep`, in cell order (distance_m left 0): for a caller that ranks
  // one small subset against many query points (nearest_among below).
  template <class Keep>
  void collect(Keep&& keep, std::vector<Candidate>& out) const {
    out.clear();
    for (const Cell& cell : cells_) {
      for (std::uint32_t i = 0; i < cell.size; ++i) {
        const CourierSpot& e = spot_[cell.begin + i];
        if (keep(e)) out.push_back(Candidate{0, e});
      }
    }
  }

 private:
  struct Hit {
    double d2;
    const CourierSpot* spot;
    friend bool operator<(const Hit& a, const Hit& b) {
      return a.d2 != b.d2 ? a.d2 < b.d2 : a.spot->id < b.spot->id;
    }
  };
  static double square(double v) { return v * v; }
  static std::uint64_t spread_bits(std::uint32_t v) {  // bit i of v moves to bit 2i
    std::uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
    x = (x | (x << 2)) & 0x3333333333333333ull;
    x = (x | (x << 1)) & 0x5555555555555555ull;
    return x;
  }
  // Distance from q to the nearest side of the block of cells within `r` rings of (qx, qy)
  // beyond which the grid still has cells (sides at the grid's border hold nothing beyond).
  [[nodiscard]] double unvisited_bound(Point q, int qx, int qy, int r) const {
    double bound = std::numeric_limits<double>::infinity();
    if (qx - r > 0) bound = std::min(bound, q.x - (origin_x_ + (qx - r) * cell_));
    if (qx + r < nx_ - 1) bound = std::min(bound, origin_x_ + (qx + r + 1) * cell_ - q.x);
    if (qy - r > 0) bound = std::min(bound, q.y - (origin_y_ + (qy - r) * cell_));
    if (qy + r < ny_ - 1) bound = std::min(bound, origin_y_ + (qy + r + 1) * cell_ - q.y);
    return std::max(0.0, bound);
  }
  struct Slot {
    long cell = -1;
    std::size_t pos = 0;  // position inside the cell's block
  };
  [[nodiscard]] int cell_x(double x) const {
    return static_cast<int>(std::floor((x - origin_x_) / cell_));
  }
  [[nodiscard]] int cell_y(double y) const {
    return static_cast<int>(std::floor((y - origin_y_) / cell_));
  }
  void grow_to(Point p);
  void rebuild(double min_x, double min_y, double max_x, double max_y);
  [[nodiscard]] std::vector<CourierSpot> entries() const;  // in row order of their cells
  void lay_out(const std::vector<CourierSpot>& entries);
  void move_to_larger_block(std::size_t c);
  void file(const CourierSpot& spot);

  double cell_;
  double origin_x_ = 0, origin_y_ = 0;
  int nx_ = 0, ny_ = 0;
  // Positions apart from the snapshots: a query scans a few dozen positions and reads the
  // snapshots of the few that enter the answer, so it touches a fraction of the memory (cache
  // misses were most of a query's time). A cell's entries are at_[begin, begin + size) and
  // spot_[begin, begin + size); its block holds `capacity` of them.
  struct Cell {
    std::uint32_t begin = 0;
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;
  };
  std::vector<Cell> cells_;
  std::vector<Point> at_;
  std::vector<CourierSpot> spot_;
  std::size_t appended_ = 0;  // pool entries appended since the last lay-out
  std::vector<Slot> slot_;
  std::size_t size_ = 0;
};

// The answer GridIndex::nearest gives with a filter accepting exactly the entries of `pool` that
// `keep` accepts: up to k of them, nearest first (ties by id), none farther than max_distance_m.
// One pass over the pool, for pools far smaller than the index.
template <class Keep>
void nearest_among(const std::vector<Candidate>& pool, Point q, std::size_t k,
                   double max_distance_m, Keep&& keep, std::vector<Candidate>& out) {
  out.clear();
  // Squared distances ranked exactly as GridIndex::nearest ranks them, so both give one answer.
  const double limit = max_distance_m * max_distance_m;
  for (const Candidate& c : pool) {
    const double dx = q.x - c.spot.at.x, dy = q.y - c.spot.at.y;
    const double d2 = dx * dx + dy * dy;
    if (d2 <= limit && keep(c.spot)) out.push_back(Candidate{d2, c.spot});
  }
  const auto kept = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<long>(kept), out.end());
  out.resize(kept);
  for (Candidate& c : out) c.distance_m = std::sqrt(c.distance_m);
}

}  // namespace se::dispatch
