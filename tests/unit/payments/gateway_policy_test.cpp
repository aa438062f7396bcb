#include <gtest/gtest.h>

#include "services/payments/gateway_policy.hpp"

using namespace se::payments;

TEST(GatewayPolicy, LatencyWithinBoundsAndSuccessRateHonoured) {
  GatewayPolicy p;  // 50-150 ms, 95%
  std::mt19937_64 rng(42);
  int ok = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    auto d = decide_charge(p, rng);
    EXPECT_GE(d.latency.count(), 50000);
    EXPECT_LE(d.latency.count(), 150000);
    ok += d.succeeds;
  }
  EXPECT_NEAR(static_cast<double>(ok) / n, 0.95, 0.01);
}

TEST(GatewayPolicy, ExtremesAndZeroLatency) {
  std::mt19937_64 rng(1);
  GatewayPolicy never{std::chrono::milliseconds(0), std::chrono::milliseconds(0), 0.0};
  GatewayPolicy always{std::chrono::milliseconds(0), std::chrono::milliseconds(0), 1.0};
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(decide_charge(never, rng).succeeds);
    auto d = decide_charge(always, rng);
    EXPECT_TRUE(d.succeeds);
    EXPECT_EQ(d.latency.count(), 0);
  }
}
