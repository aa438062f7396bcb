#include <gtest/gtest.h>

#include "store/args.hpp"

namespace {
using se::store::pg_array;

TEST(PgArray, QuotesEveryElementSoSeparatorsStayInside) {
  EXPECT_EQ(pg_array({}), "{}");
  EXPECT_EQ(pg_array({"3f2b8c9e-1d2a-4c3b-9a8e-7f6d5c4b3a21"}),
            R"({"3f2b8c9e-1d2a-4c3b-9a8e-7f6d5c4b3a21"})");
  EXPECT_EQ(pg_array({"2026-11-26 01:31:00.123+00", "42"}),
            R"({"2026-11-26 01:31:00.123+00","42"})");
  EXPECT_EQ(pg_array({"a,b", "{c}"}), R"({"a,b","{c}"})");
}

TEST(PgArray, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(pg_array({R"(say "hi")", R"(back\slash)"}), R"({"say \"hi\"","back\\slash"})");
}
}  // namespace
