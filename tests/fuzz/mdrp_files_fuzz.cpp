// libFuzzer target for what dispatch-eval and dispatch-replay read from files they do not
// control. The input is the text of the benchmark's files, separated by lines "%%": restaurants,
// orders, couriers, instance_parameters, and optionally a solution's assignments, orders and
// couriers. Properties: parsing refuses bad text with std::runtime_error and nothing else; any
// solution that parses can be checked and measured; on any small instance that parses, both
// policies' own solutions pass every rule of the evaluator.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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
  for (const char* policy : {"greedy", "slack"}) {
    const sd::ReplayResult r = sd::replay(in, sd::make_policy(policy));
    const sd::FeasibilityReport fr = sd::check_feasibility(in, r.solution);
    if (!fr.feasible()) fail(policy, fr);
    (void)sd::format_metrics(sd::compute_metrics(in, r.solution));
  }
  return 0;
}
