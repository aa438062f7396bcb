#include "services/dispatch/metrics.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <numeric>
#include <vector>

#include "services/dispatch/travel.hpp"

namespace se::dispatch {

Summary summarize(std::span<const double> values) {
  Summary s;
  s.count = values.size();
  if (values.empty()) return s;
  std::vector<double> v(values.begin(), values.end());
  std::sort(v.begin(), v.end());
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  auto q = [&](double p) {
    const double pos = p * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
  };
  s.p10 = q(0.1);
  s.p50 = q(0.5);
  s.p90 = q(0.9);
  s.max = v.back();
  return s;
}

namespace {

Point place_point(const Instance& in, const Place& p) {
  switch (p.kind) {
    case Place::Kind::CourierStart:
      return in.couriers.at(p.index).at;
    case Place::Kind::Restaurant:
      return in.restaurants.at(p.index).at;
    case Place::Kind::Customer:
      return in.orders.at(p.index).at;
  }
  return {};
}

}  // namespace

Metrics compute_metrics(const Instance& in, const Solution& sol) {
  const ServiceParams& p = in.params;
  Metrics m;
  m.orders_total = in.orders.size();
  m.bundles = sol.assignments.size();

  std::vector<double> c2d, over, r2d, r2p;
  std::vector<int> orders_of(in.couriers.size(), 0), bundles_of(in.couriers.size(), 0);
  std::vector<double> driving(in.couriers.size(), 0);
  for (const auto& r : sol.orders) {
    const Order& o = in.orders.at(r.order);
    ++m.orders_delivered;
    ++orders_of.at(r.courier);
    c2d.push_back(static_cast<double>(r.dropoff - o.placed));
    over.push_back(std::max(0.0, c2d.back() - static_cast<double>(p.target_click_to_door)));
    r2d.push_back(static_cast<double>(r.dropoff - o.ready));
    r2p.push_back(static_cast<double>(r.pickup - o.ready));
  }
  std::vector<double> sizes;
  for (const auto& a : sol.assignments) {
    ++bundles_of.at(a.courier);
    sizes.push_back(static_cast<double>(a.orders.size()));
  }
  for (const auto& mv : sol.moves) {
    driving.at(mv.courier) += static_cast<double>(
        travel_minutes(place_point(in, mv.from), place_point(in, mv.to), p.meters_per_minute));
  }
  std::vector<double> util;
  std::size_t trueup = 0;
  for (CourierId c = 0; c < in.couriers.size(); ++c) {
    const double shift = static_cast<double>(in.couriers[c].off - in.couriers[c].on);
    const double guaranteed = shift * p.guaranteed_pay_per_hour / 60.0;
    const double earned = orders_of[c] * p.pay_per_order;
    m.total_payment += std::max(earned, guaranteed);
    if (earned < guaranteed) ++trueup;
    const double busy = driving[c] + static_cast<double>(orders_of[c] * p.dropoff_service +
                                                         bundles_of[c] * p.pickup_service);
    util.push_back(shift > 0 ? busy / shift : 0.0);
  }
  m.share_guaranteed = in.couriers.empty()
                           ? 0.0
                           : static_cast<double>(trueup) / static_cast<double>(in.couriers.size());
  m.cost_per_order =
      m.orders_delivered == 0 ? 0.0 : m.total_payment / static_cast<double>(m.orders_delivered);
  m.click_to_door = summarize(c2d);
  m.overage = summarize(over);
  m.ready_to_door = summarize(r2d);
  m.ready_to_pickup = summarize(r2p);
  m.utilisation = summarize(util);
  m.orders_per_bundle = summarize(sizes);
  return m;
}

std::string format_metrics(const Metrics& m) {
  std::string out;
  out += fmt::format("orders delivered: {} of {}\n", m.orders_delivered, m.orders_total);
  out +=
      fmt::format("total payment: {:.2f}  cost per order: {:.2f}  couriers on guarantee: {:.2f}\n",
                  m.total_payment, m.cost_per_order, m.share_guaranteed);
  out += fmt::format("{:<20}{:>9}{:>9}{:>9}{:>9}{:>9}\n", "minutes", "mean", "p10", "p50", "p90",
                     "max");
  auto row = [&](const char* label, const Summary& s) {
    out += fmt::format("{:<20}{:>9.2f}{:>9.2f}{:>9.2f}{:>9.2f}{:>9.2f}\n", label, s.mean, s.p10,
                       s.p50, s.p90, s.max);
  };
  row("click-to-door", m.click_to_door);
  row("overage (>target)", m.overage);
  row("ready-to-door", m.ready_to_door);
  row("ready-to-pickup", m.ready_to_pickup);
  row("utilisation", m.utilisation);
  row("orders per bundle", m.orders_per_bundle);
  out += fmt::format("bundles: {}\n", m.bundles);
  return out;
}

}  // namespace se::dispatch
