// File I/O for the benchmark's instance and solution files (formats in shared/mdrp/README.md).
// Kept apart from the domain so the policies and the evaluator stay free of I/O.
#pragma once
#include <filesystem>
#include <string>

#include "services/dispatch/model.hpp"
#include "services/dispatch/solution.hpp"

namespace se::dispatch {

// Every number must be finite and within what a city and a day of deliveries can mean (model.hpp),
// so that no later arithmetic on it can overflow: times within +-kMaxMinutes, coordinates within
// +-kMaxCoordinate metres, the parameters as params_problem() says. Instance times must be
// non-negative.

// The text of an instance's four files; `where` prefixes error messages (the folder, or empty).
struct InstanceText {
  std::string restaurants, orders, couriers, parameters;
  std::string where;
};

// Throws std::runtime_error naming the file and line on malformed or out-of-range input.
[[nodiscard]] Instance parse_instance(const InstanceText& text);
[[nodiscard]] Instance read_instance(const std::filesystem::path& dir);

// Writes solution_info_assignments.txt, solution_info_orders.txt, solution_info_couriers.txt.
void write_solution(const std::filesystem::path& dir, const Instance& instance,
                    const Solution& solution);

// The text of a solution's three files (solution_info_assignments / _orders / _couriers.txt).
struct SolutionText {
  std::string assignments, orders, couriers;
  std::string where;
};

// Reads the three files written by any solver; unknown ids and numbers out of the ranges above
// are an error (std::runtime_error).
[[nodiscard]] Solution parse_solution(const SolutionText& text, const Instance& instance);
[[nodiscard]] Solution read_solution(const std::filesystem::path& dir, const Instance& instance);

}  // namespace se::dispatch
