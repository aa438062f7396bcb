// The security layer of `swifteats serve`: configuration (flags / SWIFTEATS_* environment), the
// gateway middlewares every process installs (hardening headers, CORS, authentication, rate
// limits shared through Redis), and the process-wide state they need.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/gateway.hpp"
#include "core/jwt.hpp"
#include "core/middleware.hpp"
#include "core/rate_limit.hpp"
#include "services/auth/passwords.hpp"
#include "store/redis.hpp"

namespace se::auth {

struct SecurityConfig {
  // As given on the command line / environment.
  std::string jwt_keys;        // kid:base64secret,...  (secrets only from config or environment)
  std::string jwt_active_kid;  // signs new tokens; default: the first key
  std::string jwt_issuer = "swifteats";
  std::string jwt_audience = "swifteats-api";
  int access_ttl_s = 900;
  int refresh_ttl_s = 30 * 24 * 3600;
  std::string rate_limits = ratelimit::default_spec();
  int rate_window_ms = 60000;
  std::string trusted_proxies;  // comma-separated peer addresses allowed to set X-Forwarded-For
  std::string cors_origins;     // comma-separated origins, or *; empty = no CORS
  std::string password_cost = "interactive";
  int login_max_failures = 5;
  int login_lockout_s = 900;
  std::string bootstrap_admin_email;
  std::string bootstrap_admin_password;

  // Derived by finalize().
  jwt::Config jwt;
  ratelimit::Options rate;
  gateway::CorsOptions cors;
  std::shared_ptr<ratelimit::LocalWindows> local_windows;  // rate-limit + login-throttle fallback
  std::shared_ptr<PasswordHasher> hasher;

  // Validates and derives; throws std::invalid_argument with a message for the operator. With
  // no --jwt-keys a random key is generated (single-process development only: tokens then don't
  // verify on other processes or after a restart) and `warnings` says so.
  void finalize(std::vector<std::string>& warnings);
};

void add_flags(CLI::App& cmd, SecurityConfig& cfg);

// Installs, in this order after the standard middlewares: hardening headers, CORS, an inner
// error mapping (so problems carry CORS headers), authentication, rate limiting.
void install_gateway(http::Router& router, const SecurityConfig& cfg, store::Redis& redis,
                     http::ErrorTranslator translate);

// The shared fixed-window counter in Redis (one round trip, atomic); nullopt when unreachable.
boost::asio::awaitable<std::optional<ratelimit::Count>> redis_count(store::Redis& redis,
                                                                    const std::string& key,
                                                                    std::int64_t window_ms,
                                                                    std::int64_t amount = 1);

}  // namespace se::auth
