#include "geo/geo.hpp"

#include <cmath>

namespace se::geo {

bool valid(const Point& p) {
  return std::isfinite(p.lat) && std::isfinite(p.lng) && p.lat >= -90 && p.lat <= 90 &&
         p.lng >= -180 && p.lng <= 180;
}

double haversine_m(const Point& a, const Point& b) {
  constexpr double kRad = M_PI / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlng = (b.lng - a.lng) * kRad;
  const double h =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(h)));
}

std::string geohash(const Point& p, int precision) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lat_lo = -90, lat_hi = 90, lng_lo = -180, lng_hi = 180;
  std::string out;
  bool even = true;
  int bit = 0, ch = 0;
  while (static_cast<int>(out.size()) < precision) {
    if (even) {
      const double mid = (lng_lo + lng_hi) / 2;
      if (p.lng >= mid) {
        ch = (ch << 1) | 1;
        lng_lo = mid;
      } else {
        ch <<= 1;
        lng_hi = mid;
      }
    } else {
      const double mid = (lat_lo + lat_hi) / 2;
      if (p.lat >= mid) {
        ch = (ch << 1) | 1;
        lat_lo = mid;
      } else {
        ch <<= 1;
        lat_hi = mid;
      }
    }
    even = !even;
    if (++bit == 5) {
      out.push_back(kAlphabet[ch]);
      bit = 0;
      ch = 0;
    }
  }
  return out;
}

}  // namespace se::geo
