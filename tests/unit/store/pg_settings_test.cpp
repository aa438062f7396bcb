#include <gtest/gtest.h>

#include <stdexcept>

#include "store/pg.hpp"

namespace {
using Settings = std::vector<std::pair<std::string, std::string>>;

TEST(PgSettings, ParsesCommaSeparatedNameValuePairs) {
  EXPECT_EQ(se::store::parse_pg_settings("plan_cache_mode=force_generic_plan,enable_seqscan=off"),
            (Settings{{"plan_cache_mode", "force_generic_plan"}, {"enable_seqscan", "off"}}));
  EXPECT_EQ(se::store::parse_pg_settings("pg_stat_statements.track=all,lock_timeout=-1"),
            (Settings{{"pg_stat_statements.track", "all"}, {"lock_timeout", "-1"}}));
  EXPECT_TRUE(se::store::parse_pg_settings("").empty());
  EXPECT_EQ(se::store::parse_pg_settings(",work_mem=64MB,").size(), 1u);
}

TEST(PgSettings, RefusesAnythingThatIsNotAPlainWord) {
  // Each of these would inject another option or break libpq's option splitting.
  for (const char* bad : {"enable_seqscan", "=off", "enable_seqscan=", "a=b c", "a=b -c fsync=off",
                          "a=b'", "a-b=c", "a=\\x"})
    EXPECT_THROW(se::store::parse_pg_settings(bad), std::invalid_argument) << bad;
}
}  // namespace
