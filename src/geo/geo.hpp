// Geographic helpers shared by services: great-circle distance and geohash-based geo_key.
#pragma once
#include <string>

namespace se::geo {

constexpr double kEarthRadiusM = 6371008.8;

struct Point {
  double lat = 0;
  double lng = 0;
};

[[nodiscard]] bool valid(const Point& p);
[[nodiscard]] double haversine_m(const Point& a, const Point& b);
// Standard base-32 geohash of the given precision (1..12).
[[nodiscard]] std::string geohash(const Point& p, int precision);
// Shard-ready partition key: a precision-4 geohash (~39 km x 20 km cell), the city-zone unit
// that repositories route by.
[[nodiscard]] inline std::string geo_key(const Point& p) { return geohash(p, 4); }

}  // namespace se::geo
