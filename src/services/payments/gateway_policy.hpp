// The mock payment gateway's behaviour (seed: "Payment Processing (Mocked)", 50-150 ms): how long
// a charge takes and whether it succeeds. Pure; the random source is injected.
#pragma once
#include <chrono>
#include <random>

namespace se::payments {

struct GatewayPolicy {
  std::chrono::milliseconds latency_min{50};
  std::chrono::milliseconds latency_max{150};
  double success_rate = 0.95;  // probability a new charge succeeds
};

struct ChargeDecision {
  std::chrono::microseconds latency{0};
  bool succeeds = true;
};

inline ChargeDecision decide_charge(const GatewayPolicy& p, std::mt19937_64& rng) {
  ChargeDecision d;
  const auto lo = std::chrono::duration_cast<std::chrono::microseconds>(p.latency_min).count();
  const auto hi = std::chrono::duration_cast<std::chrono::microseconds>(p.latency_max).count();
  if (hi > lo) {
    d.latency = std::chrono::microseconds(std::uniform_int_distribution<long long>(lo, hi)(rng));
  } else {
    d.latency = std::chrono::microseconds(lo);
  }
  d.succeeds = std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p.success_rate;
  return d;
}

}  // namespace se::payments
