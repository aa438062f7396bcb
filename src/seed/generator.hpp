// Deterministic demo-city generator (pure: no I/O). Every entity is derived from
// (seed, city, kind, index) alone, so the same options always produce the same rows, UUIDs
// included, and restaurant #i is the same whatever --restaurants is.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "seed/data.hpp"

namespace se::seed {

struct SeedOptions {
  std::uint64_t seed = 42;
  int restaurants = 2000;
  int items_per_restaurant = 25;
  std::string city = "bengaluru";
  int customers = 200;
  int drivers = 300;
  double radius_km = 12.0;  // restaurants, customers and drivers stay within this of the centre
};

struct RestaurantRow {
  std::string id;
  std::string name;
  std::string description;
  std::string cuisine;
  std::string tags_json;
  std::string pictures_json;
  int rating_tenths = 0;  // 41 = 4.1
  int rating_count = 0;
  double lat = 0;
  double lng = 0;
  std::string geo_key;
  std::string address;
  std::string phone;
  std::string timezone;
  std::string hours_json;
  bool is_active = true;
  int delivery_radius_m = 5000;
  int min_order_cents = 0;
  int delivery_fee_cents = 0;
  int avg_prep_minutes = 15;
};

struct CategoryRow {
  std::string id;
  std::string restaurant_id;
  std::string name;
  int position = 0;
};

struct FoodItemRow {
  std::string id;
  std::string restaurant_id;
  std::string category_id;
  std::string name;
  std::string description;
  int price_cents = 0;
  bool prepared = false;  // kind: prepared | made_to_order
  bool available = true;
  std::string tags_json;
  std::string picture;
  int prep_minutes = 10;
  int position = 0;
  // food_item_inventory
  int available_quantity = 0;
  int max_prepared_quantity = 0;
  int preparation_time = 10;

  [[nodiscard]] const char* kind() const { return prepared ? "prepared" : "made_to_order"; }
};

struct RestaurantBundle {
  RestaurantRow restaurant;
  std::vector<CategoryRow> categories;
  std::vector<FoodItemRow> items;  // empty when generated without items
};

struct CustomerRow {
  std::string id;
  std::string name;
  std::string email;
  std::string phone;
  std::string geo_key;  // coarse zone only: customer locations are never stored
  int rating_tenths = 50;
};

struct DriverRow {
  std::string id;
  std::string name;
  std::string phone;
  std::string email;
  std::string vehicle;
  std::string license_plate;
  std::string status;  // offline | available
  double lat = 0;
  double lng = 0;
  std::string geo_key;
  int rating_tenths = 48;
  int rating_count = 0;
  int completed_deliveries = 0;
};

class Generator {
 public:
  // Throws std::invalid_argument for an unknown city or negative counts.
  explicit Generator(SeedOptions opts);

  [[nodiscard]] const SeedOptions& options() const { return opts_; }
  [[nodiscard]] const City& city() const { return *city_; }

  // Restaurant `index` (0-based) with its menu categories and, if with_items, its food items
  // (and their inventory figures). Restaurant and category fields do not depend on with_items.
  [[nodiscard]] RestaurantBundle restaurant(int index, bool with_items = true) const;
  [[nodiscard]] CustomerRow customer(int index) const;
  [[nodiscard]] DriverRow driver(int index) const;

 private:
  struct PoolDish {
    std::string name;
    std::string description;
    std::string picture_slug;
    int base_price = 0;
    std::string category;
    int category_rank = 0;  // index in category_order()
    std::vector<std::string> tags;
    std::string tags_json[4];  // tags, +bestseller, +chef-special, +both (precomputed)
    std::string picture;
    double prepared_p = 0;
    int prep_minutes = 10;
    bool vegetarian = false;
  };
  SeedOptions opts_;
  const City* city_ = nullptr;
  std::uint64_t base_ = 0;
  std::vector<std::vector<PoolDish>> pools_;  // per cuisine
  std::vector<double> cuisine_weights_;
};

// Helpers exposed for tests.
std::string json_string_array(const std::vector<std::string>& values);
std::string slugify(const std::string& s);

}  // namespace se::seed
