// swifteats seed: fills the database with a deterministic demo city (restaurants, menus,
// inventory, customers, drivers). Same --seed and sizes -> same rows, UUIDs included.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "app/command_registry.hpp"
#include "seed/generator.hpp"
#include "seed/loader.hpp"

namespace se::app {
namespace {

const RegisterCommand reg([](CLI::App& root) {
  struct Opts {
    std::string pg;
    se::seed::SeedOptions seed;
    bool truncate = false;
    std::string bulk = "auto";
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = root.add_subcommand("seed", "Load a deterministic demo city into the database");
  cmd->add_option("--pg", o->pg, "libpq conninfo (env SWIFTEATS_PG)");
  cmd->add_option("--seed", o->seed.seed, "random seed: the same seed gives the same data")
      ->capture_default_str();
  cmd->add_option("--restaurants", o->seed.restaurants, "number of restaurants")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--items-per-restaurant", o->seed.items_per_restaurant,
                  "food items per restaurant")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--customers", o->seed.customers, "demo customers")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--drivers", o->seed.drivers, "demo drivers")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--city", o->seed.city, "bengaluru (default) or san-francisco")
      ->capture_default_str();
  cmd->add_option("--radius-km", o->seed.radius_km, "spread around the city centre")
      ->capture_default_str();
  cmd->add_flag(
      "--truncate", o->truncate,
      "empty restaurants, menus, inventory, customers and drivers first (CASCADE: also orders and "
      "accounts that reference them)");
  cmd->add_option("--bulk", o->bulk,
                  "drop+rebuild secondary indexes and skip FK triggers: auto|on|off")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->callback([o] {
    std::string pg = o->pg;
    if (pg.empty()) {
      const char* env = std::getenv("SWIFTEATS_PG");
      pg = env ? env : "";
    }
    if (pg.empty()) throw std::runtime_error("no database: pass --pg CONNINFO or set SWIFTEATS_PG");
    se::seed::Generator gen(o->seed);  // validates the city
    se::seed::LoadOptions lo;
    lo.truncate = o->truncate;
    lo.bulk_mode = o->bulk == "on" ? 1 : o->bulk == "off" ? 0 : -1;
    lo.log = [](const std::string& line) { std::cout << line << std::endl; };
    std::cout << "seed: city " << gen.city().display << " (" << gen.city().lat << ","
              << gen.city().lng << "), seed " << o->seed.seed << ", " << o->seed.restaurants
              << " restaurants x " << o->seed.items_per_restaurant << " items" << std::endl;
    auto rep = se::seed::load(pg, gen, lo);
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", rep.elapsed_s);
    std::cout << "seed: done in " << secs << " s: " << rep.restaurants << " restaurants, "
              << rep.categories << " menu categories, " << rep.food_items << " food items, "
              << rep.inventory << " inventory rows, " << rep.customers << " customers, "
              << rep.drivers << " drivers" << (rep.bulk_mode ? " (bulk mode)" : "") << std::endl;
  });
});

}  // namespace
}  // namespace se::app
