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
#include <unordered_map>

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
  // The clock readings at which verify() accepts this token: [usable_from, usable_until).
  std::int64_t usable_from = 0;
  std::int64_t usable_until = 0;
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

// Tokens verify() accepted, by their exact text, so a client sending the same token with every
// request is not parsed and HMAC-checked each time. A token's answer depends only on its text,
// the keys (fixed for the process) and the clock, and each entry keeps the clock window in which
// verify() accepted it, so a hit answers exactly what verify() would. Refused tokens are never
// kept. Single-threaded (one per worker); at `max_entries` it starts over.
class VerifiedTokens {
 public:
  explicit VerifiedTokens(std::size_t max_entries) : max_entries_(max_entries) {}
  // The claims of `token` if it was verified and `now` is inside its window.
  [[nodiscard]] const Claims* find(std::string_view token, std::int64_t now) const;
  void remember(std::string_view token, const Claims& claims);
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::size_t max_entries_;
  std::unordered_map<std::string, Claims> entries_;
};

// Signs with the active key. `now` is seconds since the epoch.
std::string sign(const Config& cfg, const auth::Principal& who, std::int64_t now);
Verified verify(const Config& cfg, std::string_view token, std::int64_t now);
// verify() through `cache`: the same answer, from the cache when it holds the token.
Verified verify(const Config& cfg, VerifiedTokens& cache, std::string_view token, std::int64_t now);

// Helpers exposed for tests (forging tokens) and the refresh-token code.
std::string b64url(std::string_view bytes);
std::optional<std::string> b64url_decode(std::string_view text);
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace se::jwt
