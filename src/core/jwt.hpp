// Access tokens: compact JWS, HS256 only (HMAC-SHA-256 via libsodium), with a key id so keys can
// rotate. Verification accepts exactly the configured algorithm; "none", RS256, a missing or
// unknown kid, a bad signature, a wrong issuer or audience, and expired or not-yet-valid tokens
// are all refused. Pure: the clock is a parameter.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/auth_context.hpp"

namespace se::jwt {

struct Config {
  std::map<std::string, std::string> keys;  // kid -> secret bytes (>= 32)
  std::string active_kid;                   // signs new tokens; every key in `keys` verifies
  std::string issuer = "swifteats";
  std::string audience = "swifteats-api";
  std::int64_t ttl_s = 900;    // access tokens live 15 minutes
  std::int64_t leeway_s = 30;  // clock skew allowed on exp / nbf / iat
};

// "kid1:BASE64,kid2:BASE64" (standard or URL-safe base64, secrets of at least 32 bytes). Throws
// std::invalid_argument naming the problem (never the secret).
std::map<std::string, std::string> parse_keys(std::string_view spec);

struct Claims {
  auth::Principal principal;
  std::int64_t iat = 0;
  std::int64_t exp = 0;
  std::string jti;
};

enum class Error {
  none,
  malformed,
  bad_algorithm,
  unknown_key,
  bad_signature,
  expired,
  not_yet_valid,
  wrong_issuer,
  wrong_audience,
  bad_claims
};
const char* error_name(Error e);

struct Verified {
  Error error = Error::none;
  Claims claims;
  [[nodiscard]] bool ok() const { return error == Error::none; }
};

// Signs with the active key. `now` is seconds since the epoch.
std::string sign(const Config& cfg, const auth::Principal& who, std::int64_t now);
Verified verify(const Config& cfg, std::string_view token, std::int64_t now);

// Helpers exposed for tests (forging tokens) and the refresh-token code.
std::string b64url(std::string_view bytes);
std::optional<std::string> b64url_decode(std::string_view text);
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace se::jwt
