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

TEST(TextUtf8, AcceptsWellFormedTextAndRefusesEveryIllFormedSequence) {
  using se::text::is_valid_utf8;
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("thai"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9"));               // U+00E9, two bytes
  EXPECT_TRUE(is_valid_utf8("\xe0\xb2\xac\xe0\xb3\x86"));  // Kannada, three bytes each
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x8d\x95"));          // U+1F355, four bytes
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));          // U+10FFFF, the last code point
  EXPECT_FALSE(is_valid_utf8("\xff"));                     // never a UTF-8 byte
  EXPECT_FALSE(is_valid_utf8("a\x80"));                    // a continuation byte alone
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                 // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));             // overlong '/', three bytes
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));             // U+D800, a surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));         // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));                 // cut short
  EXPECT_FALSE(is_valid_utf8("ok\xc3"));                   // cut short at the end
}
}  // namespace
