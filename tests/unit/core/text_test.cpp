#include <gtest/gtest.h>

#include "core/text.hpp"

namespace {
using Items = std::vector<std::string_view>;

TEST(TextSplit, KeepsNonEmptyItemsInOrderWithoutTrimming) {
  EXPECT_EQ(se::text::split_nonempty("a,b,,c"), (Items{"a", "b", "c"}));
  EXPECT_EQ(se::text::split_nonempty(",a, b ,"), (Items{"a", " b "}));
  EXPECT_EQ(se::text::split_nonempty("x;y", ';'), (Items{"x", "y"}));
  EXPECT_TRUE(se::text::split_nonempty("").empty());
  EXPECT_TRUE(se::text::split_nonempty(",,,").empty());
}
}  // namespace
