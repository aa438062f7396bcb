// The benchmark's file formats from text: what is read, and every kind of bad input refused with
// the file and line, never a crash or a number no later arithmetic can hold.
#include "services/dispatch/mdrp_io.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace se::dispatch {
namespace {

InstanceText small_instance() {
  return InstanceText{
      "restaurant\tx\ty\nr1\t0\t0\nr2\t1000\t0\n",
      "order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t0\t320\t10\tr1\t20\n"
      "o2\t1000\t640\t12\tr2\t30\n",
      "courier\tx\ty\ton_time\toff_time\nc1\t0\t0\t0\t120\n",
      "meters_per_minute\tpickup_service_minutes\tdropoff_service_minutes\ttarget_click_to_door\t"
      "maximum_click_to_door\tpay_per_order\tguaranteed_pay_per_hour\n320\t4\t4\t40\t90\t10\t15\n",
      "inst"};
}

// What `parse` throws, or "no error".
template <class Parse>
std::string thrown_by(Parse&& parse) {
  try {
    (void)parse();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

std::string error_of(const InstanceText& text) {
  return thrown_by([&] { return parse_instance(text); });
}

TEST(MdrpIo, ParsesAnInstance) {
  const Instance in = parse_instance(small_instance());
  ASSERT_EQ(in.restaurants.size(), 2U);
  ASSERT_EQ(in.orders.size(), 2U);
  ASSERT_EQ(in.couriers.size(), 1U);
  EXPECT_EQ(in.orders[1].restaurant, 1U);
  EXPECT_EQ(in.orders[1].ready, 30);
  EXPECT_EQ(in.couriers[0].off, 120);
  EXPECT_DOUBLE_EQ(in.params.meters_per_minute, 320);
}

TEST(MdrpIo, RefusesNumbersNoDayOrCityCanHold) {
  struct Case {
    const char* what;
    std::string InstanceText::*file;
    std::string from, to;
    const char* expect;
  };
  const Case cases[] = {
      {"nan coordinate", &InstanceText::restaurants, "r2\t1000", "r2\tnan", "restaurants.txt:3"},
      {"infinite coordinate", &InstanceText::orders, "o1\t0\t320", "o1\tinf\t320", "out of range"},
      {"huge coordinate", &InstanceText::couriers, "c1\t0\t0", "c1\t1e300\t0", "out of range"},
      {"huge time", &InstanceText::orders, "\t10\tr1", "\t1e30\tr1", "orders.txt:2"},
      {"negative time", &InstanceText::couriers, "\t0\t120", "\t-5\t120", "out of range"},
      {"zero speed", &InstanceText::parameters, "\n320\t", "\n0\t", "out of range"},
      {"nan speed", &InstanceText::parameters, "\n320\t", "\nnan\t", "out of range"},
      {"negative service", &InstanceText::parameters, "320\t4\t4", "320\t-4\t4", "out of range"},
      {"infinite pay", &InstanceText::parameters, "\t10\t15", "\tinf\t15", "out of range"},
      {"no pay per order", &InstanceText::parameters, "\t10\t15", "\t0\t15", "out of range"},
      {"text for a number", &InstanceText::orders, "\t20\n", "\ttwenty\n", "not a number"},
      {"trailing junk", &InstanceText::orders, "\t20\n", "\t20x\n", "not a number"},
      {"unknown restaurant", &InstanceText::orders, "\tr2\t", "\tr9\t", "unknown restaurant"},
      {"duplicate restaurant", &InstanceText::restaurants, "r2\t", "r1\t", "duplicate id"},
      {"missing column", &InstanceText::couriers, "\t0\t120", "\t0", "missing column 5"},
      {"duplicate order", &InstanceText::orders, "o2\t", "o1\t", "orders.txt:3: duplicate id"},
      {"duplicate courier", &InstanceText::couriers, "c1\t", "c1\t0\t0\t0\t9\nc1\t",
       "couriers.txt:3: duplicate id"},
      {"order named like a restaurant", &InstanceText::orders, "o2\t", "r1\t",
       "also names a restaurant"},
      {"a place named 0", &InstanceText::restaurants, "r2\t", "0\t", "courier's start"},
  };
  for (const Case& c : cases) {
    InstanceText text = small_instance();
    std::string& file = text.*c.file;
    const auto at = file.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.what;
    file.replace(at, c.from.size(), c.to);
    EXPECT_NE(error_of(text).find(c.expect), std::string::npos) << c.what << ": " << error_of(text);
  }
  InstanceText empty = small_instance();
  empty.couriers = "\n \n";
  EXPECT_NE(error_of(empty).find("inst/couriers.txt: empty file"), std::string::npos);
  InstanceText no_values = small_instance();
  no_values.parameters = "meters_per_minute\n";
  EXPECT_NE(error_of(no_values).find("no values"), std::string::npos);
}

TEST(MdrpIo, ParsesASolutionAndRefusesBadOnes) {
  const Instance in = parse_instance(small_instance());
  const SolutionText good{"assignment_time pickup_time courier orders\n10 20 c1 o1\n",
                          "order placement_time ready_time pickup_time dropoff_time courier\n"
                          "o1 10 20 20 23 c1\n",
                          "courier departure_time origin destination\nc1 10 0 r1\nc1 22 r1 o1\n",
                          "sol"};
  const Solution sol = parse_solution(good, in);
  ASSERT_EQ(sol.assignments.size(), 1U);
  EXPECT_EQ(sol.assignments[0].orders.size(), 1U);
  ASSERT_EQ(sol.moves.size(), 2U);
  EXPECT_EQ(sol.moves[1].to.kind, Place::Kind::Customer);

  auto error = [&](const SolutionText& text) {
    return thrown_by([&] { return parse_solution(text, in); });
  };
  SolutionText t = good;
  t.assignments = "assignment_time pickup_time courier orders\n10 20 c1\n";
  EXPECT_NE(error(t).find("assignment without orders"), std::string::npos);
  t = good;
  t.assignments = "assignment_time pickup_time courier orders\n10 nan c1 o1\n";
  EXPECT_NE(error(t).find("sol/solution_info_assignments.txt:2"), std::string::npos);
  t = good;
  t.orders =
      "order placement_time ready_time pickup_time dropoff_time courier\no1 10 20 20 9e18 c1\n";
  EXPECT_NE(error(t).find("out of range"), std::string::npos);
  t = good;
  t.orders = "order placement_time pickup_time dropoff_time courier\no1 10 20 23 c1\n";
  EXPECT_NE(error(t).find("no column 'ready_time'"), std::string::npos);
  t = good;
  t.couriers = "courier departure_time origin destination\nc1 10 0 r7\n";
  EXPECT_NE(error(t).find("unknown place 'r7'"), std::string::npos);
  t = good;
  t.couriers = "courier departure_time origin destination\nc9 10 0 r1\n";
  EXPECT_NE(error(t).find("unknown courier 'c9'"), std::string::npos);
}

// Solutions written for the public evaluator: no header line in the moves file, the courier's own
// id for its start, times written as decimals. They read as the README's form of the same moves.
TEST(MdrpIo, ReadsMovesAsThePublicEvaluatorDoes) {
  InstanceText two = small_instance();
  two.couriers += "c2\t1000\t0\t0\t120\n";
  const Instance in = parse_instance(two);
  const std::string assignments = "assignment_time pickup_time courier orders\n10 20 c1 o1\n";
  const std::string orders =
      "order placement_time ready_time pickup_time dropoff_time courier\no1 10 20 20 23 c1\n";
  const Solution readme = parse_solution(
      {assignments, orders, "courier departure_time origin destination\nc1 10 0 r1\nc1 22 r1 o1\n",
       "sol"},
      in);
  const Solution evaluator =
      parse_solution({assignments, orders, "c1 10.0 c1 r1 1\nc1 22.0 r1 o1 1\n", "sol"}, in);
  ASSERT_EQ(evaluator.moves.size(), readme.moves.size());
  for (std::size_t i = 0; i < readme.moves.size(); ++i) {
    EXPECT_EQ(evaluator.moves[i].courier, readme.moves[i].courier);
    EXPECT_EQ(evaluator.moves[i].depart, readme.moves[i].depart);
    EXPECT_EQ(evaluator.moves[i].from, readme.moves[i].from);
    EXPECT_EQ(evaluator.moves[i].to, readme.moves[i].to);
  }
  // Another courier's id is no place of this courier's, and a bad first move names its line.
  auto error = [&](const std::string& moves) {
    return thrown_by([&] { return parse_solution({assignments, orders, moves, "sol"}, in); });
  };
  EXPECT_NE(error("c1 10 c2 r1\n").find("sol/solution_info_couriers.txt:1: unknown place 'c2'"),
            std::string::npos);
  EXPECT_NE(error("\nc1 nan c1 r1\n").find("solution_info_couriers.txt:2: 'nan' is out of range"),
            std::string::npos);
}

}  // namespace
}  // namespace se::dispatch
