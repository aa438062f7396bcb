#include "services/auth/security.hpp"

#include <sodium.h>

#include "core/log.hpp"
#include "core/text.hpp"
#include "store/args.hpp"

namespace se::auth {

namespace {
// Items trimmed of spaces; blank ones dropped.
std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  for (auto item : text::split_nonempty(s)) {
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

// INCRBY, and give the key the window as its TTL when it has none: one atomic round trip.
constexpr const char* kCountScript =
    "local c = redis.call('INCRBY', KEYS[1], ARGV[2]) "
    "local t = redis.call('PTTL', KEYS[1]) "
    "if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) t = tonumber(ARGV[1]) end "
    "return {c, t}";
}  // namespace

void SecurityConfig::finalize(std::vector<std::string>& warnings) {
  jwt.keys = jwt::parse_keys(jwt_keys);
  if (jwt.keys.empty()) {
    std::string secret(32, '\0');
    randombytes_buf(secret.data(), secret.size());
    jwt.keys["dev"] = secret;
    jwt_active_kid = "dev";
    warnings.push_back(
        "no --jwt-keys given: signing with a random per-process key; tokens will not verify on "
        "other "
        "processes or after a restart (set SWIFTEATS_JWT_KEYS for anything but a laptop)");
  }
  if (jwt_active_kid.empty()) jwt_active_kid = jwt.keys.begin()->first;
  if (!jwt.keys.count(jwt_active_kid))
    throw std::invalid_argument("--jwt-active-kid '" + jwt_active_kid +
                                "' is not among --jwt-keys");
  if (access_ttl_s < 10 || access_ttl_s > 3600)
    throw std::invalid_argument("--access-ttl must be 10..3600 s");
  if (refresh_ttl_s < 60) throw std::invalid_argument("--refresh-ttl must be at least 60 s");
  jwt.active_kid = jwt_active_kid;
  jwt.issuer = jwt_issuer;
  jwt.audience = jwt_audience;
  jwt.ttl_s = access_ttl_s;
  rate.policy = ratelimit::parse_policy(rate_limits, rate_window_ms);
  rate.trusted_proxies = split_list(trusted_proxies);
  cors.origins = split_list(cors_origins);
  if (login_max_failures < 1)
    throw std::invalid_argument("--login-max-failures must be at least 1");
  local_windows = std::make_shared<ratelimit::LocalWindows>();
  hasher = std::make_shared<PasswordHasher>(parse_hash_cost(password_cost));
  if (password_cost != "interactive")
    warnings.push_back("--password-cost " + password_cost +
                       ": weak password hashing, for tests only");
}

void add_flags(CLI::App& cmd, SecurityConfig& c) {
  cmd.add_option("--jwt-keys", c.jwt_keys,
                 "JWT HS256 keys: kid:base64secret,... (>= 32 bytes each)")
      ->envname("SWIFTEATS_JWT_KEYS");
  cmd.add_option("--jwt-active-kid", c.jwt_active_kid,
                 "Key id that signs new tokens (default: first key)")
      ->envname("SWIFTEATS_JWT_ACTIVE_KID");
  cmd.add_option("--jwt-issuer", c.jwt_issuer, "JWT iss")
      ->envname("SWIFTEATS_JWT_ISSUER")
      ->capture_default_str();
  cmd.add_option("--jwt-audience", c.jwt_audience, "JWT aud")
      ->envname("SWIFTEATS_JWT_AUDIENCE")
      ->capture_default_str();
  cmd.add_option("--access-ttl", c.access_ttl_s, "Access token lifetime, seconds")
      ->envname("SWIFTEATS_ACCESS_TTL")
      ->capture_default_str();
  cmd.add_option("--refresh-ttl", c.refresh_ttl_s, "Refresh token lifetime, seconds")
      ->envname("SWIFTEATS_REFRESH_TTL")
      ->capture_default_str();
  cmd.add_option("--rate-limits", c.rate_limits, "Per-window limits by route class, or off")
      ->envname("SWIFTEATS_RATE_LIMITS")
      ->capture_default_str();
  cmd.add_option("--rate-window-ms", c.rate_window_ms, "Rate-limit window")
      ->envname("SWIFTEATS_RATE_WINDOW_MS")
      ->capture_default_str();
  cmd.add_option("--trusted-proxies", c.trusted_proxies,
                 "Peers whose X-Forwarded-For is believed (comma list)")
      ->envname("SWIFTEATS_TRUSTED_PROXIES");
  cmd.add_option("--cors-origins", c.cors_origins,
                 "Allowed CORS origins (comma list, or *); empty = none")
      ->envname("SWIFTEATS_CORS_ORIGINS");
  cmd.add_option("--password-cost", c.password_cost,
                 "Argon2id cost: interactive, or min (tests only)")
      ->envname("SWIFTEATS_PASSWORD_COST")
      ->capture_default_str();
  cmd.add_option("--login-max-failures", c.login_max_failures,
                 "Failed logins per email before a lockout")
      ->envname("SWIFTEATS_LOGIN_MAX_FAILURES")
      ->capture_default_str();
  cmd.add_option("--login-lockout", c.login_lockout_s,
                 "Failed-login counting window / lockout, seconds")
      ->envname("SWIFTEATS_LOGIN_LOCKOUT")
      ->capture_default_str();
  cmd.add_option("--bootstrap-admin-email", c.bootstrap_admin_email,
                 "Create this admin account at start if no account has the email")
      ->envname("SWIFTEATS_BOOTSTRAP_ADMIN_EMAIL");
  cmd.add_option("--bootstrap-admin-password", c.bootstrap_admin_password,
                 "Password for the bootstrap admin")
      ->envname("SWIFTEATS_BOOTSTRAP_ADMIN_PASSWORD");
}

boost::asio::awaitable<std::optional<ratelimit::Count>> redis_count(store::Redis& redis,
                                                                    const std::string& key,
                                                                    std::int64_t window_ms,
                                                                    std::int64_t amount) {
  if (!redis.connected()) co_return std::nullopt;
  try {
    auto args = store::redis_args("EVAL", kCountScript, "1", key, std::to_string(window_ms),
                                  std::to_string(amount));
    auto reply = co_await redis.command(std::move(args));
    if (reply.type != store::RedisReply::Type::Array || reply.elements.size() != 2) {
      log::warn("rate-limit counter: unexpected Redis reply", {{"error", reply.str}});
      co_return std::nullopt;
    }
    co_return ratelimit::Count{reply.elements[0].integer, reply.elements[1].integer};
  } catch (const store::RedisUnavailable&) {
    co_return std::nullopt;
  }
}

void install_gateway(http::Router& router, const SecurityConfig& cfg, store::Redis& redis,
                     http::ErrorTranslator translate) {
  router.use(gateway::hardening_headers());
  router.use(gateway::cors(cfg.cors));
  router.use(http::error_mapping(std::move(translate)));
  router.use(gateway::authenticate(cfg.jwt));
  if (!cfg.rate.policy.limits.empty()) {
    ratelimit::Counter counter = [&redis](const std::string& key, std::int64_t window_ms) {
      return redis_count(redis, key, window_ms);
    };
    router.use(ratelimit::middleware(cfg.rate, std::move(counter), *cfg.local_windows));
  }
}

}  // namespace se::auth
