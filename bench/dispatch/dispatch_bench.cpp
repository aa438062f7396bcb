// dispatch_bench [instances_dir]
//  1. Replay time of the largest MDRP instance under each policy (median of 5 runs).
//  2. Latency of one slack-policy decision round with 40,000 online couriers and 2,000 pending
//     orders in a deterministic synthetic city: P50 / P99 / max over 1,000 rounds in 10 cities.
#include <time.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "services/dispatch/dispatcher.hpp"
#include "services/dispatch/mdrp_io.hpp"
#include "services/dispatch/metrics.hpp"
#include "services/dispatch/replay.hpp"
#include "services/dispatch/slack_policy.hpp"
#include "services/dispatch/synthetic.hpp"

namespace sd = se::dispatch;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time of this thread: on a shared machine it excludes time spent waiting for a core,
// which wall-clock percentiles cannot.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

void bench_replay(const fs::path& root) {
  if (!fs::exists(root)) {
    fmt::print("replay: {} not found, skipped\n", root.string());
    return;
  }
  fs::path largest;
  std::size_t most = 0;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory() && fs::exists(e.path() / "orders.txt")) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const auto& d : dirs) {
    const sd::Instance in = sd::read_instance(d);
    if (in.orders.size() > most) {
      most = in.orders.size();
      largest = d;
    }
  }
  if (largest.empty()) return;
  const sd::Instance in = sd::read_instance(largest);
  fmt::print("replay of largest instance {} ({} orders, {} couriers)\n",
             largest.filename().string(), in.orders.size(), in.couriers.size());
  for (const char* policy : {"greedy", "slack"}) {
    std::vector<double> times, cpu;
    std::size_t delivered = 0;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = Clock::now();
      const double c0 = thread_cpu_ms();
      const sd::ReplayResult r = sd::replay(in, sd::make_policy(policy));
      cpu.push_back(thread_cpu_ms() - c0);
      times.push_back(ms_since(t0));
      delivered = sd::compute_metrics(in, r.solution).orders_delivered;
    }
    fmt::print(
        "  {:<7} wall median {:8.1f} ms  min {:8.1f} ms | cpu median {:8.1f} ms  ({} delivered)\n",
        policy, percentile(times, 0.5), *std::min_element(times.begin(), times.end()),
        percentile(cpu, 0.5), delivered);
  }
}

void bench_round(const std::vector<std::string>& overrides) {
  constexpr std::size_t kCouriers = 40000, kOrders = 2000;
  // Fewer cities/rounds for profiling under valgrind: DISPATCH_BENCH_CITIES, DISPATCH_BENCH_ROUNDS.
  auto env_or = [](const char* name, std::size_t fallback) {
    const char* v = std::getenv(name);
    return v != nullptr ? static_cast<std::size_t>(std::stoul(v)) : fallback;
  };
  const std::size_t kCities = env_or("DISPATCH_BENCH_CITIES", 10),
                    kRounds = env_or("DISPATCH_BENCH_ROUNDS", 100);
  constexpr double kSide = 30000;  // a 30 km x 30 km metropolis
  constexpr std::size_t kRestaurants = 4000;
  std::vector<double> times, cpu;
  sd::SlackRoundStats last;
  for (std::size_t city = 0; city < kCities; ++city) {
    sd::SplitMix64 rng(1000 + city);
    std::vector<sd::Point> restaurants;
    for (std::size_t i = 0; i < kRestaurants; ++i)
      restaurants.push_back({rng.uniform() * kSide, rng.uniform() * kSide});
    sd::ServiceParams params;
    sd::SlackPolicyParams pp;
    for (const auto& o : overrides) sd::apply_override(pp, o);
    auto policy = std::make_unique<sd::SlackPolicy>(pp);
    sd::SlackPolicy* slack = policy.get();
    sd::Dispatcher d(params, restaurants, std::move(policy));
    const sd::Minutes now = 600;
    for (sd::CourierId c = 0; c < kCouriers; ++c) {
      d.courier_online(c, {rng.uniform() * kSide, rng.uniform() * kSide}, now - 60, now + 240);
    }
    for (sd::OrderId o = 0; o < kOrders; ++o) {
      const auto r = static_cast<sd::RestaurantId>(rng.next() % kRestaurants);
      const double angle = rng.uniform() * 6.283185307179586, dist = 300 + rng.uniform() * 3000;
      const sd::Point drop{restaurants[r].x + dist * std::cos(angle),
                           restaurants[r].y + dist * std::sin(angle)};
      const sd::Minutes placed = now - rng.between(0, 20);
      d.order_placed(o, drop, r, placed, placed + rng.between(5, 30));
    }
    for (std::size_t round = 0; round < kRounds; ++round) {
      const auto t0 = Clock::now();
      const double c0 = thread_cpu_ms();
      const auto proposals = slack->decide(d.world(), now);
      cpu.push_back(thread_cpu_ms() - c0);
      times.push_back(ms_since(t0));
      if (proposals.size() > kOrders) std::abort();  // keep the call observable
    }
    last = slack->last_round();
  }
  fmt::print("decision round: {} online couriers, {} pending orders, {} rounds in {} cities\n",
             kCouriers, kOrders, times.size(), kCities);
  fmt::print("  wall: P50 {:.2f} ms  P99 {:.2f} ms  max {:.2f} ms\n", percentile(times, 0.5),
             percentile(times, 0.99), *std::max_element(times.begin(), times.end()));
  fmt::print("  cpu:  P50 {:.2f} ms  P99 {:.2f} ms  max {:.2f} ms\n", percentile(cpu, 0.5),
             percentile(cpu, 0.99), *std::max_element(cpu.begin(), cpu.end()));
  // Matched cost is the policy's own objective (minutes, serve value included): it shows what a
  // parameter that trades quality for speed (candidates, rival_factor) gives up.
  fmt::print(
      "  last round: {} due orders, {} bundles, {} candidate couriers, {} arcs, {} components, "
      "{} enumerated, {} flow solves, {} matched, {} committed, matched cost {:.2f} min per "
      "bundle\n",
      last.due_orders, last.bundles, last.couriers, last.arcs, last.matching.components,
      last.matching.enumerated, last.matching.solver_calls, last.matched, last.committed,
      static_cast<double>(last.matched_cents) / 100.0 /
          static_cast<double>(std::max<std::size_t>(1, last.matched)));
}

}  // namespace

// Usage: dispatch_bench [instances_dir [slack parameter overrides name=value ...]]
int main(int argc, char** argv) {
  bench_replay(argc > 1 ? fs::path(argv[1]) : fs::path("/work/shared/mdrp/instances"));
  bench_round(std::vector<std::string>(argv + std::min(argc, 2), argv + argc));
  return 0;
}
