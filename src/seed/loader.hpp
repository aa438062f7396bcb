// Writes a generated demo city into PostgreSQL with COPY (text format), in one transaction.
#pragma once
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "seed/generator.hpp"

namespace se::seed {

struct SeedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct LoadOptions {
  // TRUNCATE restaurants, menu_categories, food_items, food_item_inventory, customers and drivers
  // first (CASCADE: rows that reference them, e.g. orders and accounts, go too).
  bool truncate = false;
  // Drop the catalog's secondary indexes during the load and rebuild them afterwards, and skip
  // per-row foreign-key triggers (the generator's rows are consistent by construction).
  // -1 = automatically when the load has at least 300k food items.
  int bulk_mode = -1;
  std::function<void(const std::string&)> log;  // progress lines; may be empty
};

struct LoadReport {
  long long restaurants = 0;
  long long categories = 0;
  long long food_items = 0;
  long long inventory = 0;
  long long customers = 0;
  long long drivers = 0;
  bool bulk_mode = false;
  double elapsed_s = 0;
  std::vector<std::pair<std::string, double>> phases;  // name, seconds
};

LoadReport load(const std::string& conninfo, const Generator& gen, const LoadOptions& opts);

}  // namespace se::seed
