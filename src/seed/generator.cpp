#include "seed/generator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "geo/geo.hpp"
#include "seed/rng.hpp"

namespace se::seed {

namespace {

constexpr double kKmPerDegLat = 111.32;
constexpr std::uint64_t kSaltRestaurant = 0x5e5e'0001;
constexpr std::uint64_t kSaltItems = 0x5e5e'0002;
constexpr std::uint64_t kSaltCustomer = 0x5e5e'0003;
constexpr std::uint64_t kSaltDriver = 0x5e5e'0004;

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

struct Offset {
  double lat;
  double lng;
};

Offset offset_km(double lat, double lng, double dx_km, double dy_km) {
  return {lat + dy_km / kKmPerDegLat, lng + dx_km / (kKmPerDegLat * std::cos(lat * M_PI / 180.0))};
}

double dist_km(const City& c, double lat, double lng) {
  return se::geo::haversine_m({c.lat, c.lng}, {lat, lng}) / 1000.0;
}

// A point in the city: `hub_share` of them scattered around neighbourhood hubs, the rest
// spread radially with density falling off from the centre. Always within radius_km.
Offset city_point(Rng& rng, const City& city, double radius_km, double hub_share,
                  double hub_sigma_km, double radial_mean_km) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    Offset p{};
    if (!city.areas.empty() && rng.chance(hub_share)) {
      std::vector<double> w;
      w.reserve(city.areas.size());
      for (const auto& a : city.areas) w.push_back(a.weight);
      const Area& a = city.areas[rng.weighted(w)];
      p = offset_km(a.lat, a.lng, rng.normal(0, hub_sigma_km), rng.normal(0, hub_sigma_km));
    } else {
      double r = rng.exponential(radial_mean_km);
      double theta = rng.uniform(0, 2 * M_PI);
      p = offset_km(city.lat, city.lng, r * std::cos(theta), r * std::sin(theta));
    }
    if (dist_km(city, p.lat, p.lng) <= radius_km) return p;
  }
  return {city.lat, city.lng};
}

const Area* nearest_area(const City& city, double lat, double lng) {
  const Area* best = nullptr;
  double best_d = 1e18;
  for (const auto& a : city.areas) {
    double d = se::geo::haversine_m({a.lat, a.lng}, {lat, lng});
    if (d < best_d) {
      best_d = d;
      best = &a;
    }
  }
  return best;
}

std::string hhmm(int minutes) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (minutes / 60) % 25, minutes % 60);
  return buf;
}

// Weekly hours in the schema's format. Returns the JSON and whether it is late-night / 24x7.
std::string make_hours(Rng& rng, bool& late_night, bool& always_open) {
  static const char* days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  late_night = false;
  always_open = false;
  // Base pattern for a regular day, as [open, close) minute pairs (close may exceed 24:00).
  std::vector<std::pair<int, int>> base;
  double x = rng.uniform();
  if (x < 0.38) {  // lunch and dinner
    base = {{11 * 60 + 30 * static_cast<int>(rng.range(0, 1)),
             15 * 60 + 30 * static_cast<int>(rng.range(0, 1))},
            {18 * 60 + 30 * static_cast<int>(rng.range(1, 2)),
             22 * 60 + 30 * static_cast<int>(rng.range(0, 3))}};
  } else if (x < 0.68) {  // all day
    base = {{static_cast<int>(rng.range(9, 12)) * 60,
             static_cast<int>(rng.range(21, 23)) * 60 + 30 * static_cast<int>(rng.range(0, 1))}};
  } else if (x < 0.80) {  // breakfast place
    base = {{static_cast<int>(rng.range(6, 8)) * 60, static_cast<int>(rng.range(14, 17)) * 60}};
  } else if (x < 0.94) {  // evening into the night, past midnight
    base = {
        {static_cast<int>(rng.range(17, 19)) * 60, (24 + static_cast<int>(rng.range(1, 4))) * 60}};
    late_night = true;
  } else {  // round the clock
    always_open = true;
  }
  int closed_day = rng.chance(0.25) ? static_cast<int>(rng.range(0, 2)) : -1;  // Mon..Wed
  bool weekend_late = !always_open && rng.chance(0.4);

  std::string out = "{";
  for (int d = 0; d < 7; ++d) {
    if (d) out += ",";
    out += "\"";
    out += days[d];
    out += "\":[";
    if (d != closed_day) {
      if (always_open) {
        out += "[\"00:00\",\"24:00\"]";
      } else {
        for (std::size_t i = 0; i < base.size(); ++i) {
          int open = base[i].first;
          int close = base[i].second;
          if (weekend_late && (d == 4 || d == 5) && i + 1 == base.size()) close += 60;  // Fri, Sat
          if (close > 24 * 60) {
            close -= 24 * 60;  // runs past midnight: close <= open
          }
          if (i) out += ",";
          out += "[\"" + hhmm(open) + "\",\"" +
                 (close == 24 * 60 ? std::string("24:00") : hhmm(close)) + "\"]";
        }
      }
    }
    out += "]";
  }
  out += "}";
  return out;
}

int round_price(double minor, int step) {
  long v = std::lround(minor / step) * step;
  return static_cast<int>(std::max<long>(v, step));
}

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.range(0, 9)));
  return s;
}

std::string person_name(Rng& rng) { return rng.pick(first_names()) + " " + rng.pick(last_names()); }

}  // namespace

std::string json_string_array(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ",";
    out += "\"";
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += "\"";
  }
  out += "]";
  return out;
}

std::string slugify(const std::string& s) {
  std::string out;
  bool dash = false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      if (dash && !out.empty()) out += '-';
      out += static_cast<char>(std::tolower(c));
      dash = false;
    } else {
      dash = true;
    }
  }
  return out;
}

Generator::Generator(SeedOptions opts) : opts_(std::move(opts)) {
  city_ = find_city(opts_.city);
  if (!city_) {
    std::string known;
    for (const auto& c : cities()) known += (known.empty() ? "" : ", ") + c.key;
    throw std::invalid_argument("unknown city '" + opts_.city + "' (known: " + known + ")");
  }
  if (opts_.restaurants < 0 || opts_.items_per_restaurant < 0 || opts_.customers < 0 ||
      opts_.drivers < 0) {
    throw std::invalid_argument("counts must not be negative");
  }
  base_ = mix(opts_.seed, hash_string(city_->key));

  const auto& proteins = protein_table();
  for (const auto& cuisine : cuisines()) {
    cuisine_weights_.push_back(cuisine.weight);
    const bool pure_veg = has(cuisine.tags, "pure-veg");
    std::vector<PoolDish> pool;
    auto add = [&](const DishTemplate& t) {
      std::vector<const Protein*> variants;
      if (t.proteins.empty()) {
        variants.push_back(nullptr);
      } else {
        for (char letter : t.proteins) {
          for (const auto& p : proteins) {
            if (p.letter == letter) variants.push_back(&p);
          }
        }
      }
      for (const Protein* p : variants) {
        PoolDish d;
        d.name = p ? replace_all(t.name, "{p}", p->name) : t.name;
        d.description = p ? replace_all(t.description, "{p}", lower(p->name)) : t.description;
        d.picture_slug = slugify(d.name);
        d.base_price = t.base_price + (p ? p->price_delta : 0);
        if (d.base_price < 20) d.base_price = 20;
        d.category = t.category;
        {
          const auto& order = category_order();
          d.category_rank =
              static_cast<int>(std::find(order.begin(), order.end(), d.category) - order.begin());
        }
        d.tags = t.tags;
        if (p) {
          for (const auto& tag : p->tags) {
            // "halal" is a property of the kitchen, not of every chicken dish: keep it only where
            // the template or the cuisine says so.
            if (tag == "halal" && !has(cuisine.tags, "halal")) continue;
            add_unique(d.tags, tag);
          }
        }
        d.vegetarian = has(d.tags, "vegetarian") || has(d.tags, "vegan");
        if (!d.vegetarian && !has(d.tags, "egg")) add_unique(d.tags, "non-veg");
        if (has(d.tags, "vegan")) add_unique(d.tags, "vegetarian");
        for (int k = 0; k < 4; ++k) {
          std::vector<std::string> itags = d.tags;
          if (k & 1) add_unique(itags, "bestseller");
          if (k & 2) add_unique(itags, "chef-special");
          d.tags_json[k] = json_string_array(itags);
        }
        d.picture = "/img/dishes/" + d.picture_slug + ".jpg";
        d.prepared_p = t.prepared_p;
        d.prep_minutes = t.prep_minutes;
        if (pure_veg && !d.vegetarian) continue;
        pool.push_back(std::move(d));
      }
    };
    for (const auto& t : cuisine.dishes) add(t);
    for (const auto& t : shared_drinks_and_desserts()) add(t);
    pools_.push_back(std::move(pool));
  }
}

RestaurantBundle Generator::restaurant(int index, bool with_items) const {
  const City& city = *city_;
  Rng rng(mix(mix(base_, kSaltRestaurant), static_cast<std::uint64_t>(index)));
  RestaurantBundle b;
  RestaurantRow& r = b.restaurant;
  r.id = rng.uuid();

  const std::size_t ci = rng.weighted(cuisine_weights_);
  const Cuisine& cuisine = cuisines()[ci];
  const auto& pool = pools_[ci];
  r.cuisine = cuisine.name;

  auto p = city_point(rng, city, opts_.radius_km, 0.65, 0.9, 4.0);
  r.lat = p.lat;
  r.lng = p.lng;
  r.geo_key = se::geo::geo_key({r.lat, r.lng});
  const Area* area = nearest_area(city, r.lat, r.lng);
  const std::string area_name = area ? area->name : city.display;

  // Name.
  double np = rng.uniform();
  std::string first = rng.pick(cuisine.name_first);
  std::string second = rng.pick(cuisine.name_second);
  if (second == first)
    second = cuisine.name_second.front() == first ? cuisine.name_second.back()
                                                  : cuisine.name_second.front();
  if (np < 0.55) {
    r.name = first + " " + second;
  } else if (np < 0.72) {
    r.name = area_name + " " + second;
  } else if (np < 0.87) {
    r.name = rng.pick(first_names()) + "'s " + second;
  } else {
    r.name = "The " + first + " " + second;
  }

  // Hours, price level, rating.
  bool late_night = false;
  bool always_open = false;
  r.hours_json = make_hours(rng, late_night, always_open);
  r.timezone = city.timezone;
  static const std::vector<double> level_w = {0.25, 0.5, 0.2, 0.05};
  static const double levels[] = {0.8, 1.0, 1.3, 1.7};
  const std::size_t level_idx = rng.weighted(level_w);
  const double level = levels[level_idx];
  if (rng.chance(0.05)) {
    r.rating_tenths = 0;
    r.rating_count = 0;
  } else {
    r.rating_tenths =
        static_cast<int>(std::lround(std::clamp(rng.normal(4.1, 0.35), 2.5, 4.9) * 10));
    r.rating_count = 5 + static_cast<int>(rng.exponential(400));
  }
  r.is_active = rng.chance(0.97);
  r.delivery_radius_m = 3000 + 500 * static_cast<int>(rng.range(0, 10));
  static const int min_orders[] = {0, 100, 150, 200};
  static const int fees[] = {0, 20, 30, 40, 50};
  const int min_order = min_orders[rng.range(0, 3)];
  const int fee = fees[rng.range(0, 4)];
  r.min_order_cents =
      min_order ? round_price(min_order * city.minor_per_base, city.price_round) : 0;
  r.delivery_fee_cents = fee ? round_price(fee * city.minor_per_base, city.price_round) : 0;
  r.phone = city.phone_prefix + digits(rng, 4) + " " + digits(rng, 4);
  const int cross = static_cast<int>(rng.range(1, 18));
  const char* suffix = (cross % 100 >= 11 && cross % 100 <= 13) ? "th"
                       : cross % 10 == 1                        ? "st"
                       : cross % 10 == 2                        ? "nd"
                       : cross % 10 == 3                        ? "rd"
                                                                : "th";
  r.address = std::to_string(rng.range(1, 420)) + ", " + std::to_string(cross) + suffix +
              " Cross, " + area_name + ", " + city.display;

  // Menu selection: a shuffled pool, topped up with larger variants when the menu is longer.
  const int n = opts_.items_per_restaurant;
  std::vector<int> order(pool.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1],
              order[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(i) - 1))]);
  struct Pick {
    int dish;
    int variant;  // 0 plain, 1.. larger variants
  };
  std::vector<Pick> picks;
  picks.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n && !pool.empty(); ++i) {
    picks.push_back(
        {order[static_cast<std::size_t>(i) % order.size()], i / static_cast<int>(order.size())});
  }
  // Menu order: by category, then as picked.
  std::stable_sort(picks.begin(), picks.end(), [&](const Pick& a, const Pick& b) {
    return pool[static_cast<std::size_t>(a.dish)].category_rank <
           pool[static_cast<std::size_t>(b.dish)].category_rank;
  });
  std::vector<std::string> cat_names;
  for (const auto& pk : picks)
    add_unique(cat_names, pool[static_cast<std::size_t>(pk.dish)].category);
  for (std::size_t i = 0; i < cat_names.size(); ++i) {
    b.categories.push_back({rng.uuid(), r.id, cat_names[i], static_cast<int>(i)});
  }

  // Restaurant tags and description from the menu.
  int veg = 0;
  int prep_sum = 0;
  for (const auto& pk : picks) {
    veg += pool[static_cast<std::size_t>(pk.dish)].vegetarian ? 1 : 0;
    prep_sum += pool[static_cast<std::size_t>(pk.dish)].prep_minutes;
  }
  std::vector<std::string> tags = cuisine.tags;
  if (!picks.empty() && veg * 10 >= static_cast<int>(picks.size()) * 4)
    add_unique(tags, "vegetarian-friendly");
  if (late_night) add_unique(tags, "late-night");
  if (always_open) add_unique(tags, "24x7");
  if (level_idx == 0) add_unique(tags, "budget");
  if (level_idx >= 2) add_unique(tags, "premium");
  if (r.rating_count == 0) add_unique(tags, "new");
  if (r.rating_tenths >= 45) add_unique(tags, "top-rated");
  if (rng.chance(0.2)) add_unique(tags, "fast-delivery");
  if (r.delivery_fee_cents == 0) add_unique(tags, "free-delivery");
  r.tags_json = json_string_array(tags);
  r.avg_prep_minutes = picks.empty() ? 15
                                     : std::clamp(prep_sum / static_cast<int>(picks.size()) + 5 +
                                                      static_cast<int>(rng.range(0, 8)),
                                                  8, 45);
  std::vector<std::string> pictures;
  const int npics = static_cast<int>(rng.range(1, 3));
  pictures.reserve(static_cast<std::size_t>(npics));
  for (int k = 0; k < npics; ++k) {
    pictures.push_back("/img/restaurants/" + slugify(cuisine.name) + "/" +
                       std::to_string(rng.range(1, 12)) + ".jpg");
  }
  r.pictures_json = json_string_array(pictures);
  if (picks.size() >= 2) {
    r.description = cuisine.name + " in " + area_name + ". Known for " +
                    pool[static_cast<std::size_t>(picks[0].dish)].name + " and " +
                    pool[static_cast<std::size_t>(picks[picks.size() / 2].dish)].name + ".";
  } else {
    r.description = cuisine.name + " in " + area_name + ".";
  }

  if (!with_items) return b;

  // Items: their own stream, so restaurant fields never depend on whether items were made.
  Rng irng(mix(mix(base_, kSaltItems), static_cast<std::uint64_t>(index)));
  static const char* variant_suffix[] = {"", " (Large)", " Family Pack", " Combo", " Party Pack"};
  static const double variant_mult[] = {1.0, 1.45, 2.4, 1.3, 3.5};
  b.items.reserve(picks.size());
  std::string current_cat;
  int position = 0;
  std::size_t cat_idx = 0;
  for (const auto& pk : picks) {
    const PoolDish& d = pool[static_cast<std::size_t>(pk.dish)];
    if (d.category != current_cat) {
      current_cat = d.category;
      position = 0;
      for (cat_idx = 0; cat_idx < b.categories.size() && b.categories[cat_idx].name != current_cat;
           ++cat_idx) {
      }
    }
    FoodItemRow it;
    it.id = irng.uuid();
    it.restaurant_id = r.id;
    it.category_id = b.categories[cat_idx].id;
    const int v = std::min(pk.variant, 4);
    it.name =
        d.name + variant_suffix[v] + (pk.variant > 4 ? " #" + std::to_string(pk.variant) : "");
    it.description = d.description;
    const double noise = std::clamp(1.0 + irng.normal(0, 0.07), 0.8, 1.25);
    it.price_cents = round_price(
        d.base_price * level * noise * variant_mult[v] * city.minor_per_base, city.price_round);
    it.prepared = irng.chance(d.prepared_p);
    it.available = irng.chance(0.96);
    const bool bestseller = irng.chance(0.08);
    const bool chef_special = irng.chance(0.04);
    it.tags_json = d.tags_json[(bestseller ? 1 : 0) | (chef_special ? 2 : 0)];
    it.picture = d.picture;
    it.position = position++;
    if (it.prepared) {
      it.max_prepared_quantity = static_cast<int>(irng.range(20, 60));
      it.available_quantity = irng.chance(0.1) ? 0 : static_cast<int>(irng.range(1, 50));
      it.available_quantity = std::min(it.available_quantity, it.max_prepared_quantity);
      it.preparation_time = std::max(1, d.prep_minutes);
    } else {
      it.max_prepared_quantity = 0;
      it.available_quantity = static_cast<int>(irng.range(10, 100));  // kitchen capacity
      it.preparation_time = std::max(3, d.prep_minutes + static_cast<int>(irng.range(-2, 4)));
    }
    it.prep_minutes = it.preparation_time;
    b.items.push_back(std::move(it));
  }
  return b;
}

CustomerRow Generator::customer(int index) const {
  Rng rng(mix(mix(base_, kSaltCustomer), static_cast<std::uint64_t>(index)));
  CustomerRow c;
  c.id = rng.uuid();
  const std::string first = rng.pick(first_names());
  const std::string last = rng.pick(last_names());
  c.name = first + " " + last;
  c.email = slugify(first) + "." + slugify(last) + "." + std::to_string(index + 1) + "@example.com";
  c.phone = city_->phone_prefix + digits(rng, 4) + " " + digits(rng, 4);
  // Only the coarse zone of where they usually order from; never coordinates.
  auto p = city_point(rng, *city_, opts_.radius_km, 0.5, 1.5, 5.0);
  c.geo_key = se::geo::geo_key({p.lat, p.lng});
  c.rating_tenths = static_cast<int>(rng.range(40, 50));
  return c;
}

DriverRow Generator::driver(int index) const {
  Rng rng(mix(mix(base_, kSaltDriver), static_cast<std::uint64_t>(index)));
  DriverRow d;
  d.id = rng.uuid();
  d.name = person_name(rng);
  d.phone = city_->phone_prefix + digits(rng, 4) + " " + digits(rng, 4);
  d.email = "driver" + std::to_string(index + 1) + "@example.com";
  static const std::vector<double> vw = {0.6, 0.25, 0.1, 0.05};
  static const char* vehicles[] = {"scooter", "motorcycle", "bicycle", "car"};
  d.vehicle = vehicles[rng.weighted(vw)];
  d.license_plate = d.vehicle == std::string("bicycle")
                        ? ""
                        : city_->plate_prefix + " " + std::to_string(rng.range(1, 60)) + " " +
                              static_cast<char>('A' + rng.range(0, 25)) +
                              static_cast<char>('A' + rng.range(0, 25)) + " " + digits(rng, 4);
  d.status = rng.chance(0.6) ? "available" : "offline";
  auto p = city_point(rng, *city_, opts_.radius_km, 0.7, 1.2, 4.0);
  d.lat = p.lat;
  d.lng = p.lng;
  d.geo_key = se::geo::geo_key({d.lat, d.lng});
  d.rating_tenths = static_cast<int>(std::lround(std::clamp(rng.normal(4.6, 0.25), 3.5, 5.0) * 10));
  d.completed_deliveries = static_cast<int>(rng.exponential(600));
  d.rating_count = d.completed_deliveries * 2 / 3;
  return d;
}

}  // namespace se::seed
