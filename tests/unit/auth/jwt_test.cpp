// Access tokens: what verifies and every forged or stale variant that must not.
#include <gtest/gtest.h>

#include <sodium.h>
#include <nlohmann/json.hpp>

#include "core/jwt.hpp"

using nlohmann::json;
namespace jwt = se::jwt;
using se::auth::Principal;
using se::auth::Role;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

jwt::Config config() {
  if (sodium_init() < 0) std::abort();
  jwt::Config c;
  c.keys = jwt::parse_keys("k1:" + std::string("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") +
                           ",k2:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=");
  c.active_kid = "k1";
  return c;
}

Principal staff() {
  Principal p;
  p.account_id = "acc-1";
  p.role = Role::restaurant_staff;
  p.restaurants = {"r-1", "r-2"};
  return p;
}

// Builds a token from raw header/payload JSON, signed with `key` (or the given signature).
std::string forge(const json& header, const json& payload, const std::string& key) {
  const std::string input = jwt::b64url(header.dump()) + "." + jwt::b64url(payload.dump());
  return input + "." + jwt::b64url(jwt::hmac_sha256(key, input));
}

json good_payload(const jwt::Config& c) {
  return {{"iss", c.issuer}, {"aud", c.audience}, {"sub", "acc-9"},
          {"role", "admin"}, {"iat", kNow},       {"exp", kNow + 900}};
}

}  // namespace

TEST(Jwt, RoundTripCarriesThePrincipal) {
  auto c = config();
  const auto token = jwt::sign(c, staff(), kNow);
  const auto v = jwt::verify(c, token, kNow + 10);
  ASSERT_TRUE(v.ok()) << jwt::error_name(v.error);
  EXPECT_EQ(v.claims.principal.account_id, "acc-1");
  EXPECT_EQ(v.claims.principal.role, Role::restaurant_staff);
  EXPECT_EQ(v.claims.principal.restaurants, (std::vector<std::string>{"r-1", "r-2"}));
  EXPECT_EQ(v.claims.exp, kNow + 900);
  auto header = json::parse(*jwt::b64url_decode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header["alg"], "HS256");
  EXPECT_EQ(header["kid"], "k1");
}

TEST(Jwt, AlgNoneAndOtherAlgorithmsAreRefused) {
  auto c = config();
  json p = good_payload(c);
  // alg none with an empty signature, and with a valid HMAC anyway.
  const std::string unsigned_token =
      jwt::b64url(json{{"alg", "none"}, {"kid", "k1"}}.dump()) + "." + jwt::b64url(p.dump()) + ".";
  EXPECT_EQ(jwt::verify(c, unsigned_token, kNow).error, jwt::Error::bad_algorithm);
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "none"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_algorithm);
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "None"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_algorithm);
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS512"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_algorithm);
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "RS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_algorithm);
  EXPECT_EQ(jwt::verify(c, forge({{"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_algorithm);
  // The control: the same payload, properly signed, verifies.
  EXPECT_TRUE(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).ok());
}

TEST(Jwt, WrongSignatureIsRefused) {
  auto c = config();
  json p = good_payload(c);
  EXPECT_EQ(
      jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, std::string(32, 'x')), kNow).error,
      jwt::Error::bad_signature);
  // Signed with k2 but claiming k1.
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k2"]), kNow).error,
            jwt::Error::bad_signature);
  // A valid token whose payload was edited (role escalation) after signing.
  auto token = jwt::sign(c, staff(), kNow);
  const auto d1 = token.find('.'), d2 = token.rfind('.');
  auto payload = json::parse(*jwt::b64url_decode(token.substr(d1 + 1, d2 - d1 - 1)));
  payload["role"] = "admin";
  const auto tampered = token.substr(0, d1) + "." + jwt::b64url(payload.dump()) + token.substr(d2);
  EXPECT_EQ(jwt::verify(c, tampered, kNow).error, jwt::Error::bad_signature);
  // Truncated signature, garbage, extra segments.
  EXPECT_EQ(jwt::verify(c, token.substr(0, token.size() - 2), kNow).error,
            jwt::Error::bad_signature);
  EXPECT_EQ(jwt::verify(c, "abc", kNow).error, jwt::Error::malformed);
  EXPECT_EQ(jwt::verify(c, token + ".x", kNow).error, jwt::Error::malformed);
  EXPECT_EQ(jwt::verify(c, "!!.??.**", kNow).error, jwt::Error::malformed);
}

TEST(Jwt, ExpiredAndNotYetValidAreRefusedWithinLeeway) {
  auto c = config();
  const auto token = jwt::sign(c, staff(), kNow);
  EXPECT_TRUE(jwt::verify(c, token, kNow + 900 + c.leeway_s - 1).ok());
  EXPECT_EQ(jwt::verify(c, token, kNow + 900 + c.leeway_s).error, jwt::Error::expired);
  EXPECT_EQ(jwt::verify(c, token, kNow - c.leeway_s - 1).error, jwt::Error::not_yet_valid);
  json p = good_payload(c);
  p.erase("exp");
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_claims);
}

TEST(Jwt, WrongAudienceOrIssuerIsRefused) {
  auto c = config();
  json p = good_payload(c);
  p["aud"] = "some-other-api";
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::wrong_audience);
  p["aud"] = json::array({"x", c.audience});  // an array containing ours is fine
  EXPECT_TRUE(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).ok());
  p.erase("aud");
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::wrong_audience);
  p = good_payload(c);
  p["iss"] = "evil";
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::wrong_issuer);
}

TEST(Jwt, UnknownOrMissingKeyIdIsRefusedAndRotationWorks) {
  auto c = config();
  json p = good_payload(c);
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k9"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::unknown_key);
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::unknown_key);
  // Rotation: tokens signed by k1 keep verifying while k2 becomes active; dropping k1 ends them.
  const auto old_token = jwt::sign(c, staff(), kNow);
  c.active_kid = "k2";
  const auto new_token = jwt::sign(c, staff(), kNow);
  EXPECT_TRUE(jwt::verify(c, old_token, kNow).ok());
  EXPECT_TRUE(jwt::verify(c, new_token, kNow).ok());
  c.keys.erase("k1");
  EXPECT_EQ(jwt::verify(c, old_token, kNow).error, jwt::Error::unknown_key);
  EXPECT_TRUE(jwt::verify(c, new_token, kNow).ok());
}

TEST(Jwt, ClaimsMustDescribeAValidPrincipal) {
  auto c = config();
  json p = good_payload(c);
  p["role"] = "superuser";
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_claims);
  p["role"] = "customer";  // a customer token without a customer id
  EXPECT_EQ(jwt::verify(c, forge({{"alg", "HS256"}, {"kid", "k1"}}, p, c.keys["k1"]), kNow).error,
            jwt::Error::bad_claims);
}

TEST(Jwt, KeySpecsAreValidated) {
  EXPECT_THROW(jwt::parse_keys("k1:c2hvcnQ="), std::invalid_argument);  // "short"
  EXPECT_THROW(jwt::parse_keys("nocolon"), std::invalid_argument);
  EXPECT_THROW(jwt::parse_keys("k1:***"), std::invalid_argument);
  EXPECT_THROW(jwt::parse_keys("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k1:"
                               "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
               std::invalid_argument);
  EXPECT_TRUE(jwt::parse_keys("").empty());
}

// The cache answers exactly what verify() answers, at every clock reading around the token's
// window, and never holds a refused token.
TEST(Jwt, VerifiedTokensAnswerAsVerifyDoes) {
  auto c = config();
  auto payload = good_payload(c);
  payload["nbf"] = kNow + 100;  // the window is [nbf - leeway, exp + leeway)
  const auto token = forge({{"alg", "HS256"}, {"kid", "k1"}}, payload, c.keys["k1"]);
  jwt::VerifiedTokens cache(8);
  for (const std::int64_t now :
       {kNow + 100, kNow + 69, kNow + 70, kNow, kNow + 929, kNow + 930, kNow + 100}) {
    const auto plain = jwt::verify(c, token, now);
    const auto cached = jwt::verify(c, cache, token, now);
    EXPECT_EQ(cached.error, plain.error) << "at now = kNow + " << now - kNow;
    EXPECT_EQ(cached.claims.principal.account_id, plain.claims.principal.account_id);
  }
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_NE(cache.find(token, kNow + 100), nullptr);
  EXPECT_EQ(cache.find(token, kNow + 69), nullptr);
  EXPECT_EQ(cache.find(token, kNow + 930), nullptr);

  const auto forged = forge({{"alg", "HS256"}, {"kid", "k1"}}, payload, "another key");
  EXPECT_EQ(jwt::verify(c, cache, forged, kNow + 100).error, jwt::Error::bad_signature);
  EXPECT_EQ(jwt::verify(c, cache, forged, kNow + 100).error, jwt::Error::bad_signature);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(Jwt, VerifiedTokensStartOverAtTheirBound) {
  auto c = config();
  jwt::VerifiedTokens cache(2);
  std::vector<std::string> tokens;
  for (int i = 0; i < 3; ++i) {
    auto p = staff();
    p.account_id = "acc-" + std::to_string(i);
    tokens.push_back(jwt::sign(c, p, kNow));
    ASSERT_TRUE(jwt::verify(c, cache, tokens.back(), kNow).ok());
  }
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_NE(cache.find(tokens[2], kNow), nullptr);
  EXPECT_EQ(cache.find(tokens[0], kNow), nullptr);
}
