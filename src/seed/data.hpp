// Static vocabulary for the demo-city seeder: cities, cuisines with dish templates, names.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace se::seed {

struct Area {
  std::string name;
  double lat = 0;
  double lng = 0;
  double weight = 1;  // relative density of restaurants around this hub
};

struct City {
  std::string key;      // "bengaluru"
  std::string display;  // "Bengaluru"
  double lat = 0;       // centre
  double lng = 0;
  std::string timezone;         // IANA
  std::string currency;         // ISO 4217
  double minor_per_base = 100;  // price units: dish base prices are in rupee-like units
  int price_round = 1000;       // round prices to this many minor units
  std::string phone_prefix;     // "+91 80 "
  std::string plate_prefix;     // "KA"
  std::vector<Area> areas;      // neighbourhood hubs (all within ~12 km of the centre)
};

// A dish; name may contain "{p}", expanded once per protein letter in `proteins`.
struct DishTemplate {
  std::string name;
  std::string description;  // may contain "{p}" too (lower-cased protein)
  int base_price = 0;       // in base units (multiplied by City::minor_per_base)
  std::string category;
  std::vector<std::string> tags;
  double prepared_p = 0.2;  // probability the item is pre-prepared stock rather than made to order
  int prep_minutes = 12;
  std::string proteins;  // letters from protein_table(); "" = no expansion
};

struct Cuisine {
  std::string name;
  double weight = 1;  // share of restaurants
  std::vector<std::string> name_first;
  std::vector<std::string> name_second;
  std::vector<std::string> tags;  // restaurant-level tags typical of the cuisine
  std::vector<DishTemplate> dishes;
};

struct Protein {
  char letter;
  std::string name;
  int price_delta;
  std::vector<std::string> tags;
};

const std::vector<City>& cities();
const City* find_city(std::string_view key);  // case-insensitive; accepts "San Francisco"
const std::vector<Cuisine>& cuisines();
const std::vector<Protein>& protein_table();
const std::vector<DishTemplate>& shared_drinks_and_desserts();
// Menu section order: categories are positioned by their index here.
const std::vector<std::string>& category_order();
const std::vector<std::string>& first_names();
const std::vector<std::string>& last_names();

}  // namespace se::seed
