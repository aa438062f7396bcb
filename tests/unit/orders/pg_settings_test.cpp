// The order path's default session settings, as `swifteats serve` applies them.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "services/orders/api.hpp"
#include "store/pg.hpp"

TEST(OrdersPgSettings, AnsweredOrdersAreDurableAndPlansGeneric) {
  std::map<std::string, std::string> s;
  for (const auto& [name, value] : se::store::parse_pg_settings(se::orders::kOrdersPgSettings))
    s[name] = value;
  // Asynchronous commit would answer 201 before the order is on disk (docs/orders.md).
  EXPECT_EQ(s["synchronous_commit"], "on");
  EXPECT_EQ(s["plan_cache_mode"], "force_generic_plan");
  EXPECT_EQ(s["enable_seqscan"], "off");
}
