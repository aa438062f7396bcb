// The demo-city generator is deterministic and produces plausible, schema-valid rows.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>
#include <string>

#include "geo/geo.hpp"
#include "seed/copy_text.hpp"
#include "seed/generator.hpp"
#include "seed/rng.hpp"

namespace {

using namespace se::seed;

SeedOptions small(std::uint64_t seed = 7) {
  SeedOptions o;
  o.seed = seed;
  o.restaurants = 300;
  o.items_per_restaurant = 25;
  return o;
}

std::string fingerprint(const RestaurantBundle& b) {
  std::string s = b.restaurant.id + b.restaurant.name + b.restaurant.hours_json +
                  b.restaurant.tags_json + std::to_string(b.restaurant.lat) +
                  std::to_string(b.restaurant.lng);
  for (const auto& c : b.categories) s += c.id + c.name;
  for (const auto& i : b.items) {
    s += i.id + i.name + std::to_string(i.price_cents) + i.kind() +
         std::to_string(i.available_quantity);
  }
  return s;
}

TEST(SeedRng, SameSeedSameStream) {
  Rng a(123), b(123), c(124);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
  EXPECT_NE(Rng(123).next(), c.next());
  Rng u(5);
  std::regex uuid_re("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(std::regex_match(u.uuid(), uuid_re));
  for (int i = 0; i < 1000; ++i) {
    auto v = u.range(3, 7);
    EXPECT_GE(v, 3);
    EXPECT_LE(v, 7);
    double d = u.uniform();
    EXPECT_GE(d, 0.0);
    EXPECT_LT(d, 1.0);
  }
}

TEST(SeedGenerator, SameSeedSameDataIncludingUuids) {
  Generator g1(small()), g2(small());
  for (int i = 0; i < 300; i += 7)
    EXPECT_EQ(fingerprint(g1.restaurant(i)), fingerprint(g2.restaurant(i))) << i;
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(g1.customer(i).id, g2.customer(i).id);
    EXPECT_EQ(g1.driver(i).id, g2.driver(i).id);
    EXPECT_EQ(g1.driver(i).lat, g2.driver(i).lat);
  }
}

TEST(SeedGenerator, DifferentSeedOrCityDifferentData) {
  Generator a(small(7)), b(small(8));
  EXPECT_NE(a.restaurant(0).restaurant.id, b.restaurant(0).restaurant.id);
  auto sf = small(7);
  sf.city = "san-francisco";
  Generator c(sf);
  EXPECT_NE(a.restaurant(0).restaurant.id, c.restaurant(0).restaurant.id);
  EXPECT_EQ(c.restaurant(0).restaurant.timezone, "America/Los_Angeles");
}

TEST(SeedGenerator, RestaurantIndependentOfCountAndItemGeneration) {
  auto o = small();
  Generator g(o);
  o.restaurants = 10;
  Generator g10(o);
  EXPECT_EQ(fingerprint(g.restaurant(5)), fingerprint(g10.restaurant(5)));
  auto with = g.restaurant(42, true);
  auto without = g.restaurant(42, false);
  EXPECT_TRUE(without.items.empty());
  EXPECT_EQ(with.restaurant.id, without.restaurant.id);
  EXPECT_EQ(with.restaurant.tags_json, without.restaurant.tags_json);
  ASSERT_EQ(with.categories.size(), without.categories.size());
  for (std::size_t i = 0; i < with.categories.size(); ++i)
    EXPECT_EQ(with.categories[i].id, without.categories[i].id);
}

TEST(SeedGenerator, UuidsAreUniqueAcrossEntities) {
  Generator g(small());
  std::set<std::string> ids;
  std::size_t n = 0;
  for (int i = 0; i < 300; ++i) {
    auto b = g.restaurant(i);
    ids.insert(b.restaurant.id);
    ++n;
    for (const auto& c : b.categories) ids.insert(c.id), ++n;
    for (const auto& it : b.items) ids.insert(it.id), ++n;
  }
  for (int i = 0; i < 200; ++i) ids.insert(g.customer(i).id), ids.insert(g.driver(i).id), n += 2;
  EXPECT_EQ(ids.size(), n);
}

TEST(SeedGenerator, RowsArePlausibleAndValid) {
  Generator g(small());
  const auto& city = g.city();
  std::set<std::string> cuisines;
  int prepared = 0, items = 0, late = 0, closed_day = 0;
  std::regex hours_re(
      R"(^\{"mon":\[.*\],"tue":\[.*\],"wed":\[.*\],"thu":\[.*\],"fri":\[.*\],"sat":\[.*\],"sun":\[.*\]\}$)");
  double near = 0;
  for (int i = 0; i < 300; ++i) {
    auto b = g.restaurant(i);
    const auto& r = b.restaurant;
    cuisines.insert(r.cuisine);
    EXPECT_FALSE(r.name.empty());
    EXPECT_TRUE(std::regex_match(r.hours_json, hours_re)) << r.hours_json;
    if (r.tags_json.find("late-night") != std::string::npos) ++late;
    if (r.hours_json.find("[]") != std::string::npos) ++closed_day;
    double km = se::geo::haversine_m({city.lat, city.lng}, {r.lat, r.lng}) / 1000;
    EXPECT_LE(km, 12.01);
    if (km < 6) ++near;
    EXPECT_EQ(r.geo_key, se::geo::geo_key({r.lat, r.lng}));
    EXPECT_EQ(r.geo_key.size(), 4u);
    EXPECT_GE(r.rating_tenths, 0);
    EXPECT_LE(r.rating_tenths, 50);
    EXPECT_EQ(b.items.size(), 25u);
    std::set<std::string> names;
    for (const auto& it : b.items) {
      ++items;
      prepared += it.prepared;
      names.insert(it.name);
      EXPECT_GT(it.price_cents, 0);
      EXPECT_EQ(it.price_cents % city.price_round, 0);
      EXPECT_GE(it.available_quantity, 0);
      if (it.prepared) {
        EXPECT_LE(it.available_quantity, 50);
        EXPECT_GE(it.max_prepared_quantity, it.available_quantity);
      }
      EXPECT_EQ(it.restaurant_id, r.id);
      bool cat_found = false;
      for (const auto& c : b.categories) cat_found |= c.id == it.category_id;
      EXPECT_TRUE(cat_found);
      EXPECT_EQ(it.tags_json.front(), '[');
    }
    EXPECT_EQ(names.size(), b.items.size()) << "duplicate item names in " << r.name;
  }
  EXPECT_GE(cuisines.size(), 12u);
  double prepared_share = static_cast<double>(prepared) / items;
  EXPECT_GT(prepared_share, 0.15);
  EXPECT_LT(prepared_share, 0.45);
  EXPECT_GT(late, 10);
  EXPECT_GT(closed_day, 20);
  EXPECT_GT(near / 300, 0.6);  // denser near the centre
}

TEST(SeedGenerator, LongMenusUseVariantsWithoutDuplicates) {
  auto o = small();
  o.items_per_restaurant = 120;
  Generator g(o);
  for (int i = 0; i < 20; ++i) {
    auto b = g.restaurant(i);
    ASSERT_EQ(b.items.size(), 120u);
    std::set<std::string> names;
    for (const auto& it : b.items) names.insert(it.name);
    EXPECT_EQ(names.size(), 120u);
  }
}

TEST(SeedGenerator, CustomersCarryNoLocation) {
  Generator g(small());
  auto c = g.customer(3);
  EXPECT_EQ(c.geo_key.size(), 4u);
  EXPECT_NE(c.email.find("@example.com"), std::string::npos);
  auto d = g.driver(3);
  EXPECT_TRUE(d.status == "available" || d.status == "offline");
}

TEST(SeedGenerator, UnknownCityIsRejected) {
  auto o = small();
  o.city = "atlantis";
  EXPECT_THROW(Generator{o}, std::invalid_argument);
  o.city = "San Francisco";
  EXPECT_NO_THROW(Generator{o});
}

TEST(SeedCopyText, EscapesAndEncodesPoints) {
  std::string out;
  copy_field(out, "a\tb\\c\nd");
  EXPECT_EQ(out, "a\\tb\\\\c\\nd");
  std::string hex;
  ewkb_point_hex(hex, 0.0, 1.0);  // POINT(1 0)
  EXPECT_EQ(hex, "0101000020E6100000000000000000F03F0000000000000000");
  std::string row;
  CopyRow(row).text("x").null().num(-3).boolean(true).tenths(41).end();
  EXPECT_EQ(row, "x\t\\N\t-3\tt\t4.1\n");
}

TEST(SeedJson, StringArraysAreEscaped) {
  EXPECT_EQ(json_string_array({}), "[]");
  EXPECT_EQ(json_string_array({"a", "b\"c"}), "[\"a\",\"b\\\"c\"]");
  EXPECT_EQ(slugify("Chicken Tikka (Large)"), "chicken-tikka-large");
}

}  // namespace
