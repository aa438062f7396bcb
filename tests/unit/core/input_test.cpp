#include <gtest/gtest.h>

#include "core/input.hpp"
#include "core/problem.hpp"

using se::Problem;
namespace in = se::input;

namespace {
std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Problem& p) {
    return p.code;
  }
  return "no-problem";
}
}  // namespace

TEST(Input, ParseObjectRefusesMalformedNonObjectsAndUnknownFields) {
  EXPECT_EQ(code_of([] { in::parse_object("{", {"a"}); }), "malformed_json");
  EXPECT_EQ(code_of([] { in::parse_object("[1]", {"a"}); }), "malformed_json");
  EXPECT_EQ(code_of([] { in::parse_object(R"({"a":1,"admin":true})", {"a"}); }), "unknown_field");
  EXPECT_EQ(in::parse_object(R"({"a":1})", {"a"})["a"], 1);
}

TEST(Input, TypedFieldsRejectWrongTypesAndRanges) {
  auto obj = in::parse_object(R"({"price":"12","qty":5,"big":18446744073709551615,"name":""})",
                              {"price", "qty", "big", "name"});
  EXPECT_EQ(code_of([&] { in::require_int(obj, "price", 0, 100); }), "invalid_field");
  EXPECT_EQ(code_of([&] { in::require_int(obj, "qty", 6, 100); }), "invalid_field");
  EXPECT_EQ(code_of([&] { in::require_int(obj, "big", 0, 100); }), "invalid_field");
  EXPECT_EQ(code_of([&] { in::require_int(obj, "missing", 0, 100); }), "missing_field");
  EXPECT_EQ(code_of([&] { in::require_string(obj, "name"); }), "invalid_field");
  EXPECT_EQ(in::require_int(obj, "qty", 0, 100), 5);
  EXPECT_FALSE(in::opt_int(obj, "absent", 0, 1).has_value());
}

TEST(Input, StringsWithNulCharactersAreRefused) {
  auto obj = in::parse_object(R"({"address":"1 Road\u0000; DROP","notes":"\u0000"})",
                              {"address", "notes"});
  EXPECT_EQ(code_of([&] { in::require_string(obj, "address", 100); }), "invalid_field");
  EXPECT_EQ(code_of([&] { in::opt_string(obj, "notes", 100); }), "invalid_field");
  auto fine = in::parse_object(R"({"address":"1 Road \u00e9"})", {"address"});
  EXPECT_EQ(in::require_string(fine, "address", 100), "1 Road \xc3\xa9");
}

TEST(Input, UuidsAreValidatedAndCanonicalised) {
  EXPECT_TRUE(in::is_uuid("3f2b8c9e-1d2a-4c3b-9a8e-7f6d5c4b3a21"));
  EXPECT_FALSE(in::is_uuid("3f2b8c9e1d2a4c3b9a8e7f6d5c4b3a21"));
  EXPECT_FALSE(in::is_uuid("3f2b8c9e-1d2a-4c3b-9a8e-7f6d5c4b3a2g"));
  EXPECT_EQ(in::require_uuid("3F2B8C9E-1D2A-4C3B-9A8E-7F6D5C4B3A21", "id"),
            "3f2b8c9e-1d2a-4c3b-9a8e-7f6d5c4b3a21");
  EXPECT_EQ(code_of([] { in::require_uuid("1; DROP TABLE x", "id"); }), "invalid_id");
}

TEST(Input, DropNullsLeavesOnlyPresentFields) {
  auto obj = nlohmann::json::parse(R"({"a":null,"b":1,"c":null,"d":{"e":null}})");
  in::drop_nulls(obj);
  EXPECT_EQ(obj, nlohmann::json::parse(R"({"b":1,"d":{"e":null}})"));
  EXPECT_EQ(obj.value("a", "default"), "default");
}

TEST(Input, QueryNumbersAreStrict) {
  se::http::Request req;
  req.query = {{"lat", "12.5"}, {"lng", "200"}, {"limit", "10x"}, {"open_now", "yes"}};
  EXPECT_DOUBLE_EQ(*in::query_number(req, "lat", -90, 90), 12.5);
  EXPECT_EQ(code_of([&] { in::query_number(req, "lng", -180, 180); }), "invalid_parameter");
  EXPECT_EQ(code_of([&] { in::query_int(req, "limit", 1, 100); }), "invalid_parameter");
  EXPECT_EQ(code_of([&] { in::query_bool(req, "open_now"); }), "invalid_parameter");
  EXPECT_EQ(code_of([&] { in::allow_query(req, {"lat", "lng"}); }), "invalid_parameter");
  EXPECT_FALSE(in::query_number(req, "radius_m", 0, 1).has_value());
  se::http::Request twice;
  twice.query = {{"lat", "12.5"}, {"lng", "77.5"}};
  EXPECT_NO_THROW(in::allow_query(twice, {"lat", "lng"}));
  twice.query.emplace_back("lat", "1");
  EXPECT_EQ(code_of([&] { in::allow_query(twice, {"lat", "lng"}); }), "invalid_parameter");
}
