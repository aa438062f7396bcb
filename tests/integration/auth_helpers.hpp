// Shared by the auth, rate-limit and gateway integration tests: server flags with a known JWT
// key set, logins, and forging tokens with the same keys.
#pragma once
#include <gtest/gtest.h>

#include <sodium.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/jwt.hpp"
#include "support/http_client.hpp"

namespace se::test::auth {

// Two keys (k1 active) - 32 bytes each, base64.
inline const std::string kJwtKeys =
    "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,k2:"
    "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
inline const std::string kAdminEmail = "root@swifteats.test";
inline const std::string kAdminPassword = "correct horse battery staple";

inline jwt::Config jwt_config() {
  if (sodium_init() < 0) std::abort();
  jwt::Config c;
  c.keys = jwt::parse_keys(kJwtKeys);
  c.active_kid = "k1";
  return c;
}

// Flags every test server gets: the key set, weak (fast) hashing, a bootstrap admin.
inline std::vector<std::string> security_flags(std::vector<std::string> extra = {}) {
  std::vector<std::string> f{"--jwt-keys",
                             kJwtKeys,
                             "--jwt-active-kid",
                             "k1",
                             "--password-cost",
                             "min",
                             "--bootstrap-admin-email",
                             kAdminEmail,
                             "--bootstrap-admin-password",
                             kAdminPassword};
  f.insert(f.end(), extra.begin(), extra.end());
  return f;
}

inline std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

inline nlohmann::json login(int port, const std::string& email, const std::string& password) {
  auto r = http_request(port, "POST", "/auth/login",
                        nlohmann::json{{"email", email}, {"password", password}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

inline std::string login_token(int port, const std::string& email, const std::string& password) {
  return login(port, email, password).value("access_token", std::string{});
}

inline std::string admin_token(int port) { return login_token(port, kAdminEmail, kAdminPassword); }

}  // namespace se::test::auth
