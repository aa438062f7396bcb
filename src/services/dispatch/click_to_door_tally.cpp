#include "services/dispatch/click_to_door_tally.hpp"

#include <algorithm>
#include <cmath>

namespace se::dispatch {

void ClickToDoorTally::record(Minutes at, Minutes minutes) {
  if (bins_.empty()) bins_.assign(static_cast<std::size_t>(kBins), 0);
  const auto bin = static_cast<std::uint32_t>(std::clamp<Minutes>(minutes, 0, kBins - 1));
  ++bins_[bin];
  entries_.push_back(Entry{at, bin});
}

void ClickToDoorTally::expire(Minutes now) {
  while (!entries_.empty() && now - entries_.front().at >= window_) {
    --bins_[entries_.front().bin];
    entries_.pop_front();
  }
}

void ClickToDoorTally::clear() {
  std::fill(bins_.begin(), bins_.end(), 0);
  entries_.clear();
}

Minutes ClickToDoorTally::quantile(double q) const {
  if (entries_.empty()) return -1;
  const auto need = static_cast<std::size_t>(
      std::max(1.0, std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(entries_.size()))));
  std::size_t seen = 0;
  for (std::size_t m = 0; m < bins_.size(); ++m) {
    seen += bins_[m];
    if (seen >= need) return static_cast<Minutes>(m);
  }
  return kBins - 1;
}

}  // namespace se::dispatch
