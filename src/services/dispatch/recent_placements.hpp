// Where orders were placed recently: counts of placements per square cell over a sliding window
// of minutes, for the slack policy's stranding term (docs/dispatch.md, step 4). Pure: the policy
// records each order once, when it first sees it.
#pragma once
#include <cstdint>
#include <deque>
#include <unordered_map>

#include "services/dispatch/model.hpp"

namespace se::dispatch {

class RecentPlacements {
 public:
  // Cells of `cell_m` metres; only placements of the last `window` minutes count.
  void configure(double cell_m, Minutes window);
  void record(Point at, Minutes minute);
  // Drops the placements that are `window` minutes old or older at `now`; the first call after
  // a clear starts the watch.
  void expire(Minutes now);
  // Whether the placements have been watched for a whole window at `now`: before that, a place
  // without placements may only be one not yet watched long enough.
  [[nodiscard]] bool full(Minutes now) const { return since_ >= 0 && now - since_ >= window_; }
  void clear();
  // Placements in the 3 x 3 cells around `at`: all of those within one cell's size, and some up
  // to twice that.
  [[nodiscard]] int near(Point at) const;
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Minutes minute = 0;
    std::int64_t cell = 0;
  };
  [[nodiscard]] std::int64_t cell_of(double x, double y) const;
  // Adds `by` to the counts of the 3 x 3 cells around `cell`.
  void spread(std::int64_t cell, int by);
  double cell_m_ = 1000.0;
  Minutes window_ = 90;
  Minutes since_ = -1;
  std::deque<Entry> entries_;  // in recording order
  // Per cell, the placements in the 3 x 3 cells around it, kept up to date at each record and
  // expiry (nine updates per order, once) so that near() is one look-up per bundle and round.
  std::unordered_map<std::int64_t, int> around_;
};

}  // namespace se::dispatch
