// libFuzzer target for what dispatch-eval and dispatch-replay read from files they do not
// control. The input is the text of the benchmark's files, separated by lines "%%": restaurants,
// orders, couriers, instance_parameters, and optionally a solution's assignments, orders and
// couriers; or, instead of the solution, one line "live D S SLOW FAST LATE SEED" replaying the
// live world's paths (couriers declining a share D of the offers and ignoring a share S, riding
// up to SLOW slower or FAST faster than planned and reporting what they do, reassignment when
// LATE minutes late). Properties: parsing refuses bad text with std::runtime_error and nothing
// else; any solution that parses can be checked and measured; on any small instance that parses,
// both policies' own solutions pass every rule of the evaluator (with couriers off the travel
// model: every rule but the travel model's, and no report the dispatcher did not expect).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "services/dispatch/feasibility.hpp"
#include "services/dispatch/mdrp_io.hpp"
#include "services/dispatch/metrics.hpp"
#include "services/dispatch/policy.hpp"
#include "services/dispatch/replay.hpp"

namespace sd = se::dispatch;

namespace {

std::vector<std::string> split_sections(const std::string& input) {
  std::vector<std::string> parts(1);
  std::size_t begin = 0;
  while (begin <= input.size()) {
    std::size_t end = input.find('\n', begin);
    if (end == std::string::npos) end = input.size();
    const std::string line = input.substr(begin, end - begin);
    if (line == "%%") {
      parts.emplace_back();
    } else {
      parts.back() += line;
      parts.back() += '\n';
    }
    begin = end + 1;
  }
  return parts;
}

// The replay walks every minute from the first event to the last: keep the days short and small
// so the fuzzer spends its time on variety, not on long days.
bool small_enough_to_replay(const sd::Instance& in) {
  if (in.orders.size() > 40 || in.couriers.size() > 20) return false;
  sd::Minutes lo = 0, hi = 0;
  bool any = false;
  auto see = [&](sd::Minutes t) {
    lo = any ? std::min(lo, t) : t;
    hi = any ? std::max(hi, t) : t;
    any = true;
  };
  for (const auto& o : in.orders) {
    see(o.placed);
    see(o.ready);
  }
  for (const auto& c : in.couriers) {
    see(c.on);
    see(c.off);
  }
  return hi - lo <= 1500 && in.params.max_click_to_door <= 1500;
}

// "live D S SLOW FAST LATE SEED", each value folded into the range dispatch-replay accepts.
sd::ReplayOptions live_options(const std::string& line) {
  sd::ReplayOptions o;
  std::istringstream in(line);
  std::string word;
  double d = 0, s = 0, slow = 0, fast = 0, late = 0;
  std::uint64_t seed = 1;
  if (!(in >> word) || word != "live") return o;
  in >> d >> s >> slow >> fast >> late >> seed;
  auto fold = [](double v, double hi) { return std::isfinite(v) ? std::clamp(v, 0.0, hi) : 0.0; };
  o.decline_rate = fold(d, 1);
  o.silence_rate = fold(s, 1 - o.decline_rate);
  o.slowdown = fold(slow, 3);
  o.speedup = fold(fast, 0.9);
  o.reassign_when_late = static_cast<sd::Minutes>(fold(late, 120));
  o.seed = seed;
  return o;
}

[[noreturn]] void fail(const char* policy, const sd::FeasibilityReport& fr) {
  std::fprintf(stderr, "policy %s broke a rule of the evaluator on its own solution: %s\n", policy,
               fr.violations.empty() ? "?" : fr.violations.front().detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> parts =
      split_sections(std::string(reinterpret_cast<const char*>(data), size));
  if (parts.size() < 4) return 0;
  sd::Instance in;
  try {
    in = sd::parse_instance(sd::InstanceText{parts[0], parts[1], parts[2], parts[3], ""});
  } catch (const std::runtime_error&) {
    return 0;
  }
  if (parts.size() >= 7) {
    sd::Solution sol;
    try {
      sol = sd::parse_solution(sd::SolutionText{parts[4], parts[5], parts[6], ""}, in);
    } catch (const std::runtime_error&) {
      return 0;
    }
    (void)sd::check_feasibility(in, sol);
    (void)sd::format_metrics(sd::compute_metrics(in, sol));
    return 0;
  }
  if (!small_enough_to_replay(in)) return 0;
  const sd::ReplayOptions live = parts.size() == 5 ? live_options(parts[4]) : sd::ReplayOptions{};
  const bool off_model = live.slowdown > 0 || live.speedup > 0;
  for (const char* policy : {"greedy", "slack"}) {
    const sd::ReplayResult r = sd::replay(in, sd::make_policy(policy), live);
    const sd::FeasibilityReport fr = sd::check_feasibility(in, r.solution);
    if (off_model ? (r.unexpected_reports != 0 || !fr.only_travel_rules_broken()) : !fr.feasible())
      fail(policy, fr);
    (void)sd::format_metrics(sd::compute_metrics(in, r.solution));
  }
  return 0;
}
