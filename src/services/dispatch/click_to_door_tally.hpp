// Click-to-door minutes over a sliding window of recent minutes, as a histogram, for the slack
// policy's tail term (docs/dispatch.md, step 4d): the percentile a live platform is judged on is
// compared with what the policy itself has promised lately (a benchmark day fits in one window).
// Pure; O(1) to record and, amortised, to expire; O(bins) for a quantile.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "services/dispatch/model.hpp"

namespace se::dispatch {

class ClickToDoorTally {
 public:
  // Minutes at or beyond kBins count in the last bin (a quantile there reads as kBins - 1).
  static constexpr Minutes kBins = 1024;
  explicit ClickToDoorTally(Minutes window = 1440) : window_(window) {}
  // A click-to-door of `minutes`, recorded at minute `at` (non-decreasing from call to call).
  void record(Minutes at, Minutes minutes);
  // Forgets what was recorded `window` minutes or more before `now`.
  void expire(Minutes now);
  void clear();
  [[nodiscard]] std::size_t count() const { return entries_.size(); }
  // The smallest whole minute m with at least q x count() of the values <= m (q in [0, 1]; at
  // least one value); -1 when nothing is recorded.
  [[nodiscard]] Minutes quantile(double q) const;

 private:
  struct Entry {
    Minutes at = 0;
    std::uint32_t bin = 0;
  };
  Minutes window_;
  std::deque<Entry> entries_;
  std::vector<std::uint32_t> bins_;
};

}  // namespace se::dispatch
