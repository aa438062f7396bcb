// Deterministic synthetic cities for tests and benchmarks: same spec and seed, same instance,
// on every platform (own integer-based sampling, not std:: distributions).
#pragma once
#include <cstdint>

#include "services/dispatch/model.hpp"

namespace se::dispatch {

struct SyntheticSpec {
  double side_m = 12000;  // square city
  std::size_t restaurants = 40;
  std::size_t couriers = 30;
  std::size_t orders = 150;
  Minutes day = 600;  // orders are placed uniformly over [0, day - 60)
  Minutes min_prep = 5, max_prep = 25;
  Minutes min_shift = 120, max_shift = 300;
  std::uint64_t seed = 1;
};

// Orders are dropped within ~3 km of their restaurant, like real delivery zones; couriers'
// shifts cover the day so that every order can be served.
[[nodiscard]] Instance make_synthetic_instance(const SyntheticSpec& spec);

// splitmix64: a tiny, well-mixed, portable generator.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::int64_t between(std::int64_t lo, std::int64_t hi) {                    // [lo, hi]
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }

 private:
  std::uint64_t s_;
};

}  // namespace se::dispatch
