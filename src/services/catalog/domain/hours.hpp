// Opening hours: {"mon":[["09:00","22:00"]], ..., "sun":[]} in the restaurant's local time.
// An interval whose close is not after its open runs past midnight into the next day.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace se::catalog {

// Returns a description of the first problem, or nullopt when the document is valid.
std::optional<std::string> hours_error(const nlohmann::json& hours);

// weekday: 0 = Monday ... 6 = Sunday; minute: minutes since local midnight.
bool is_open(const nlohmann::json& hours, int weekday, int minute);

}  // namespace se::catalog
