// File I/O for the benchmark's instance and solution files (formats in shared/mdrp/README.md).
// Kept apart from the domain so the policies and the evaluator stay free of I/O.
#pragma once
#include <filesystem>

#include "services/dispatch/model.hpp"
#include "services/dispatch/solution.hpp"

namespace se::dispatch {

// Throws std::runtime_error with the file and line on malformed input.
[[nodiscard]] Instance read_instance(const std::filesystem::path& dir);

// Writes solution_info_assignments.txt, solution_info_orders.txt, solution_info_couriers.txt.
void write_solution(const std::filesystem::path& dir, const Instance& instance,
                    const Solution& solution);

// Reads the three files written by any solver; unknown ids are an error (std::runtime_error).
[[nodiscard]] Solution read_solution(const std::filesystem::path& dir, const Instance& instance);

}  // namespace se::dispatch
