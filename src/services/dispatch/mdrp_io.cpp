#include "services/dispatch/mdrp_io.hpp"

#include <fmt/format.h>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace se::dispatch {

namespace fs = std::filesystem;

namespace {

struct Table {
  std::string file;
  std::vector<std::string> header;
  std::size_t header_line = 0;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> line_of;

  [[nodiscard]] std::runtime_error error(std::size_t row, const std::string& what) const {
    return std::runtime_error(fmt::format("{}:{}: {}", file, line_of.at(row), what));
  }
  [[nodiscard]] const std::string& at(std::size_t row, std::size_t col) const {
    if (col >= rows[row].size()) throw error(row, fmt::format("missing column {}", col + 1));
    return rows[row][col];
  }
};

std::string file_name(const std::string& where, const char* name) {
  return where.empty() ? std::string(name) : (fs::path(where) / name).string();
}

// Both formats split on whitespace (instances use tabs, solutions spaces).
Table parse_table(const std::string& text, std::string file) {
  Table t;
  t.file = std::move(file);
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream ss(line);
    std::vector<std::string> fields;
    for (std::string f; ss >> f;) fields.push_back(f);
    if (fields.empty()) continue;
    if (t.header.empty()) {
      t.header = std::move(fields);
      t.header_line = n;
    } else {
      t.rows.push_back(std::move(fields));
      t.line_of.push_back(n);
    }
  }
  if (t.header.empty()) throw std::runtime_error(fmt::format("{}: empty file", t.file));
  return t;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot open {}", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A finite number within [lo, hi]; "nan", "inf" and values no day or city can hold are refused
// here, so no later cast to whole minutes or sum of times can overflow.
double to_double(const Table& t, std::size_t row, std::size_t col, double lo, double hi) {
  const std::string& s = t.at(row, col);
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(s, &used);
    if (used != s.size()) throw std::invalid_argument(s);
  } catch (const std::exception&) {
    throw t.error(row, fmt::format("not a number: '{}'", s));
  }
  if (!std::isfinite(v) || v < lo || v > hi)
    throw t.error(row, fmt::format("'{}' is out of range [{}, {}]", s, lo, hi));
  return v;
}

double to_coordinate(const Table& t, std::size_t row, std::size_t col) {
  return to_double(t, row, col, -kMaxCoordinate, kMaxCoordinate);
}

// Times are whole minutes; the public evaluator reads them with int(float(x)).
Minutes to_minutes(const Table& t, std::size_t row, std::size_t col, double lo = -kMaxMinutes,
                   double hi = kMaxMinutes) {
  return static_cast<Minutes>(to_double(t, row, col, lo, hi));
}

// The public evaluator reads the courier moves with or without a header line: a first line whose
// departure time is a number is a move, so it is one here too.
void header_as_row_if_numeric(Table& t, std::size_t numeric_col) {
  if (t.header.size() <= numeric_col) return;
  const std::string& s = t.header[numeric_col];
  char* end = nullptr;
  (void)std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return;
  t.rows.insert(t.rows.begin(), std::move(t.header));
  t.line_of.insert(t.line_of.begin(), t.header_line);
  t.header.clear();
}

template <class Map>
std::uint32_t lookup(const Map& ids, const Table& t, std::size_t row, std::size_t col,
                     const char* what) {
  const std::string& s = t.at(row, col);
  auto it = ids.find(s);
  if (it == ids.end()) throw t.error(row, fmt::format("unknown {} '{}'", what, s));
  return it->second;
}

}  // namespace

Instance parse_instance(const InstanceText& text) {
  Instance in;
  // Solution files name places by id, "0" being a courier's start: every id must name one thing.
  auto check_place_id = [](const Table& t, std::size_t row) {
    if (t.at(row, 0) == "0") {
      throw t.error(row, "id '0' stands for a courier's start in solution files");
    }
  };
  std::unordered_map<std::string, RestaurantId> rid;
  const Table rt = parse_table(text.restaurants, file_name(text.where, "restaurants.txt"));
  for (std::size_t i = 0; i < rt.rows.size(); ++i) {
    check_place_id(rt, i);
    in.restaurants.push_back(
        Restaurant{rt.at(i, 0), Point{to_coordinate(rt, i, 1), to_coordinate(rt, i, 2)}});
    if (!rid.emplace(rt.at(i, 0), static_cast<RestaurantId>(i)).second)
      throw rt.error(i, "duplicate id");
  }
  std::unordered_set<std::string> order_ids, courier_ids;
  const Table ot = parse_table(text.orders, file_name(text.where, "orders.txt"));
  for (std::size_t i = 0; i < ot.rows.size(); ++i) {
    check_place_id(ot, i);
    const std::string& id = ot.at(i, 0);
    if (!order_ids.insert(id).second) throw ot.error(i, "duplicate id");
    if (rid.contains(id)) throw ot.error(i, fmt::format("id '{}' also names a restaurant", id));
    in.orders.push_back(Order{ot.at(i, 0), Point{to_coordinate(ot, i, 1), to_coordinate(ot, i, 2)},
                              to_minutes(ot, i, 3, 0), lookup(rid, ot, i, 4, "restaurant"),
                              to_minutes(ot, i, 5, 0)});
  }
  const Table ct = parse_table(text.couriers, file_name(text.where, "couriers.txt"));
  for (std::size_t i = 0; i < ct.rows.size(); ++i) {
    if (!courier_ids.insert(ct.at(i, 0)).second) throw ct.error(i, "duplicate id");
    in.couriers.push_back(Courier{ct.at(i, 0),
                                  Point{to_coordinate(ct, i, 1), to_coordinate(ct, i, 2)},
                                  to_minutes(ct, i, 3, 0), to_minutes(ct, i, 4, 0)});
  }
  const Table pt = parse_table(text.parameters, file_name(text.where, "instance_parameters.txt"));
  if (pt.rows.empty()) throw std::runtime_error(fmt::format("{}: no values", pt.file));
  // Read as finite numbers a whole minute can hold; the rules' own limits are params_problem()'s,
  // the one place the Dispatcher checks too.
  auto number = [&](std::size_t col) { return to_double(pt, 0, col, -kMaxMinutes, kMaxMinutes); };
  ServiceParams& p = in.params;
  p.meters_per_minute = number(0);
  p.pickup_service = to_minutes(pt, 0, 1);
  p.dropoff_service = to_minutes(pt, 0, 2);
  p.target_click_to_door = to_minutes(pt, 0, 3);
  p.max_click_to_door = to_minutes(pt, 0, 4);
  p.pay_per_order = number(5);
  p.guaranteed_pay_per_hour = number(6);
  if (const char* broken = params_problem(p)) {
    throw pt.error(0, fmt::format("{} out of range", broken));
  }
  return in;
}

Instance read_instance(const fs::path& dir) {
  return parse_instance(InstanceText{read_file(dir / "restaurants.txt"),
                                     read_file(dir / "orders.txt"), read_file(dir / "couriers.txt"),
                                     read_file(dir / "instance_parameters.txt"), dir.string()});
}

namespace {

std::string place_name(const Instance& in, const Place& p) {
  switch (p.kind) {
    case Place::Kind::CourierStart:
      return "0";
    case Place::Kind::Restaurant:
      return in.restaurants.at(p.index).name;
    case Place::Kind::Customer:
      return in.orders.at(p.index).name;
  }
  return "?";
}

std::ofstream open_out(const fs::path& file) {
  std::ofstream out(file);
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
  return out;
}

}  // namespace

void write_solution(const fs::path& dir, const Instance& in, const Solution& sol) {
  fs::create_directories(dir);
  {
    auto out = open_out(dir / "solution_info_assignments.txt");
    out << "assignment_time pickup_time courier orders\n";
    for (const auto& a : sol.assignments) {
      out << a.assigned << ' ' << a.pickup << ' ' << in.couriers.at(a.courier).name;
      for (OrderId o : a.orders) out << ' ' << in.orders.at(o).name;
      out << '\n';
    }
  }
  {
    auto out = open_out(dir / "solution_info_orders.txt");
    out << "order placement_time ready_time pickup_time dropoff_time courier\n";
    for (const auto& r : sol.orders) {
      out << in.orders.at(r.order).name << ' ' << r.placed << ' ' << r.ready << ' ' << r.pickup
          << ' ' << r.dropoff << ' ' << in.couriers.at(r.courier).name << '\n';
    }
  }
  {
    auto out = open_out(dir / "solution_info_couriers.txt");
    out << "courier departure_time origin destination\n";
    for (const auto& m : sol.moves) {
      out << in.couriers.at(m.courier).name << ' ' << m.depart << ' ' << place_name(in, m.from)
          << ' ' << place_name(in, m.to) << '\n';
    }
  }
}

Solution parse_solution(const SolutionText& text, const Instance& in) {
  std::unordered_map<std::string, std::uint32_t> oid, cid, rid;
  for (std::uint32_t i = 0; i < in.orders.size(); ++i) oid.emplace(in.orders[i].name, i);
  for (std::uint32_t i = 0; i < in.couriers.size(); ++i) cid.emplace(in.couriers[i].name, i);
  for (std::uint32_t i = 0; i < in.restaurants.size(); ++i) rid.emplace(in.restaurants[i].name, i);

  Solution sol;
  const Table at =
      parse_table(text.assignments, file_name(text.where, "solution_info_assignments.txt"));
  for (std::size_t i = 0; i < at.rows.size(); ++i) {
    AssignmentRecord a{
        to_minutes(at, i, 0), to_minutes(at, i, 1), lookup(cid, at, i, 2, "courier"), {}};
    for (std::size_t k = 3; k < at.rows[i].size(); ++k)
      a.orders.push_back(lookup(oid, at, i, k, "order"));
    if (a.orders.empty()) throw at.error(i, "assignment without orders");
    sol.assignments.push_back(std::move(a));
  }

  const Table ot = parse_table(text.orders, file_name(text.where, "solution_info_orders.txt"));
  auto col = [&](const char* name) {
    for (std::size_t k = 0; k < ot.header.size(); ++k) {
      if (ot.header[k] == name) return k;
    }
    throw std::runtime_error(fmt::format("{}: no column '{}'", ot.file, name));
  };
  const std::size_t c_order = col("order"), c_place = col("placement_time"),
                    c_ready = col("ready_time"), c_pick = col("pickup_time"),
                    c_drop = col("dropoff_time"), c_courier = col("courier");
  for (std::size_t i = 0; i < ot.rows.size(); ++i) {
    sol.orders.push_back(OrderRecord{lookup(oid, ot, i, c_order, "order"),
                                     to_minutes(ot, i, c_place), to_minutes(ot, i, c_ready),
                                     to_minutes(ot, i, c_pick), to_minutes(ot, i, c_drop),
                                     lookup(cid, ot, i, c_courier, "courier")});
  }

  Table mt = parse_table(text.couriers, file_name(text.where, "solution_info_couriers.txt"));
  header_as_row_if_numeric(mt, 1);
  for (std::size_t i = 0; i < mt.rows.size(); ++i) {
    const CourierId c = lookup(cid, mt, i, 0, "courier");
    auto place = [&](std::size_t k) {
      const std::string& s = mt.at(i, k);
      // "0" is the README's name for a courier's start; the public evaluator also takes the
      // courier's own id, as solutions written for it do.
      if (s == "0" || s == in.couriers[c].name) return Place{Place::Kind::CourierStart, c};
      if (auto r = rid.find(s); r != rid.end()) return Place{Place::Kind::Restaurant, r->second};
      if (auto o = oid.find(s); o != oid.end()) return Place{Place::Kind::Customer, o->second};
      throw mt.error(i, fmt::format("unknown place '{}'", s));
    };
    sol.moves.push_back(MoveRecord{c, to_minutes(mt, i, 1), place(2), place(3)});
  }
  return sol;
}

Solution read_solution(const fs::path& dir, const Instance& in) {
  return parse_solution(SolutionText{read_file(dir / "solution_info_assignments.txt"),
                                     read_file(dir / "solution_info_orders.txt"),
                                     read_file(dir / "solution_info_couriers.txt"), dir.string()},
                        in);
}

}  // namespace se::dispatch
