// dispatch-replay and dispatch-eval: run the dispatch engine on a benchmark day and check any
// solution of that benchmark. The decisions are made in se::dispatch; this file only does I/O.
#include <fmt/format.h>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "app/command_registry.hpp"
#include "services/dispatch/feasibility.hpp"
#include "services/dispatch/mdrp_io.hpp"
#include "services/dispatch/metrics.hpp"
#include "services/dispatch/policy.hpp"
#include "services/dispatch/replay.hpp"

namespace se::app {
namespace {

namespace sd = se::dispatch;

// One line of key=value pairs that tools/dispatch_table.sh parses into its table.
std::string metrics_line(const sd::Metrics& m, bool feasible) {
  return fmt::format(
      "RESULT feasible={} delivered={} orders={} c2d_mean={:.2f} c2d_p10={:.2f} c2d_p50={:.2f} "
      "c2d_p90={:.2f} c2d_max={:.2f} overage_mean={:.2f} r2d_mean={:.2f} r2p_mean={:.2f} "
      "util_mean={:.3f} bundle_mean={:.3f} payment={:.2f} cost_per_order={:.3f}",
      feasible ? 1 : 0, m.orders_delivered, m.orders_total, m.click_to_door.mean,
      m.click_to_door.p10, m.click_to_door.p50, m.click_to_door.p90, m.click_to_door.max,
      m.overage.mean, m.ready_to_door.mean, m.ready_to_pickup.mean, m.utilisation.mean,
      m.orders_per_bundle.mean, m.total_payment, m.cost_per_order);
}

// Prints the verdict and the metrics; returns the checker's report.
sd::FeasibilityReport report(const sd::Instance& in, const sd::Solution& sol) {
  sd::FeasibilityReport fr = sd::check_feasibility(in, sol);
  for (sd::Rule r : sd::kAllRules) {
    std::cout << fmt::format("  {:<34} {}\n", sd::rule_name(r),
                             fr.count(r) == 0 ? "OK" : fmt::format("{} violation(s)", fr.count(r)));
  }
  constexpr std::size_t kShown = 20;
  for (std::size_t i = 0; i < fr.violations.size() && i < kShown; ++i) {
    std::cout << fmt::format("  ! [{}] {}\n", sd::rule_name(fr.violations[i].rule),
                             fr.violations[i].detail);
  }
  std::cout << (fr.feasible() ? "FEASIBLE\n" : "INFEASIBLE\n");
  const sd::Metrics m = sd::compute_metrics(in, sol);
  std::cout << sd::format_metrics(m) << metrics_line(m, fr.feasible()) << "\n";
  return fr;
}

const RegisterCommand kReplay([](CLI::App& root) {
  auto* cmd = root.add_subcommand("dispatch-replay",
                                  "Replay one MDRP benchmark day with a dispatch policy and write "
                                  "the solution files");
  auto instance = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto policy = std::make_shared<std::string>("slack");
  cmd->add_option("--instance", *instance, "Instance directory (orders.txt, couriers.txt, ...)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", *out, "Directory for the three solution_info_*.txt files")->required();
  auto params = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--policy", *policy, "Dispatch policy: greedy | slack")->capture_default_str();
  cmd->add_option("--param", *params, "Policy parameter override name=value (repeatable)");
  auto live = std::make_shared<sd::ReplayOptions>();
  cmd->add_option("--decline-rate", live->decline_rate, "Share of offers couriers decline")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--silence-rate", live->silence_rate,
                  "Share of offers couriers leave unanswered until the offer time-out")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--offer-timeout", live->offer_timeout,
                  "Minutes before an unanswered offer is withdrawn")
      ->capture_default_str()
      ->check(CLI::Range(1, 60));
  cmd->add_option("--seed", live->seed, "Seed of the declines, silences and courier paces")
      ->capture_default_str();
  cmd->add_option("--slowdown", live->slowdown,
                  "Couriers ride up to 1 + this times slower than the travel model, drawn per "
                  "assignment; they report locations, pickups and deliveries")
      ->check(CLI::Range(0.0, 3.0));
  cmd->add_option("--speedup", live->speedup,
                  "Couriers ride up to this share faster than the travel model (with --slowdown: "
                  "anywhere between), drawn per assignment; they report as with --slowdown")
      ->check(CLI::Range(0.0, 0.9));
  cmd->add_option("--reassign-when-late", live->reassign_when_late,
                  "With --slowdown or --speedup: minutes a pickup may slip behind its promise "
                  "before the assignment is matched again (0: only past the shift's end)")
      ->check(CLI::Range(0, 120));
  cmd->callback([instance, out, policy, params, live] {
    if (live->decline_rate + live->silence_rate > 1.0) {
      throw CLI::ValidationError("--decline-rate + --silence-rate", "must not exceed 1");
    }
    const sd::Instance in = sd::read_instance(*instance);
    const auto t0 = std::chrono::steady_clock::now();
    const sd::ReplayResult result = sd::replay(in, sd::make_policy(*policy, *params), *live);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    sd::write_solution(*out, in, result.solution);
    std::cout << fmt::format("policy {} on {}: {} decision rounds, {} offers, replay {:.1f} ms\n",
                             *policy, *instance, result.decision_rounds, result.stats.offers, ms);
    if (live->decline_rate > 0 || live->silence_rate > 0) {
      std::cout << fmt::format("offers declined {}, timed out {}, accepted {}\n",
                               result.stats.declined, result.stats.expired, result.stats.accepted);
    }
    if (live->slowdown > 0 || live->speedup > 0) {
      // What the couriers did keeps the benchmark's order rules but not its travel model: a ride
      // stopped half-way has no move in its files, a fast courier arrives before the model allows.
      std::cout << fmt::format(
          "couriers {:.0f}% faster to {:.0f}% slower than the model: {} assignments withdrawn from "
          "late couriers, {} unexpected reports; only the travel-model rules below may break\n",
          live->speedup * 100, live->slowdown * 100, result.stats.reassigned_late,
          result.unexpected_reports);
      const sd::FeasibilityReport fr = report(in, result.solution);
      if (result.unexpected_reports != 0 || !fr.only_travel_rules_broken()) {
        throw CLI::RuntimeError(1);
      }
      return;
    }
    if (!report(in, result.solution).feasible()) throw CLI::RuntimeError(1);
  });
});

const RegisterCommand kEval([](CLI::App& root) {
  auto* cmd = root.add_subcommand("dispatch-eval",
                                  "Check an MDRP solution against every feasibility rule and "
                                  "compute its metrics");
  auto instance = std::make_shared<std::string>();
  auto solution = std::make_shared<std::string>();
  cmd->add_option("--instance", *instance, "Instance directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--solution", *solution, "Directory with solution_info_*.txt")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->callback([instance, solution] {
    const sd::Instance in = sd::read_instance(*instance);
    const sd::Solution sol = sd::read_solution(*solution, in);
    if (!report(in, sol).feasible()) throw CLI::RuntimeError(1);
  });
});

}  // namespace
}  // namespace se::app
