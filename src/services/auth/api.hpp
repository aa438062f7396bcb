// The auth service: accounts, login, access/refresh tokens, and the account-owned profile reads.
//
//   POST /auth/register        public   {email,password,name,phone?} -> 202, the same answer
//                                        whether or not the email was free (no user enumeration)
//   POST /auth/login           public   {email,password} -> access + refresh token
//   POST /auth/refresh         public   {refresh_token} -> rotated pair; reuse revokes the family
//   POST /auth/logout          public   {refresh_token} -> 204, revokes the family
//   GET  /auth/me              authenticated
//   POST /admin/accounts       admin    create any role (staff bound to restaurants, drivers)
//   PUT  /admin/accounts/{id}/restaurants  admin  {restaurant_ids:[...]}
//   GET  /customers/me, /customers/{id}   the customer themself (or admin)
//   GET  /drivers/me, /drivers/{id}       the driver themself (or admin)
#pragma once
#include <memory>

#include "core/router.hpp"
#include "services/auth/security.hpp"
#include "store/pg.hpp"
#include "store/redis.hpp"

namespace se::auth {

std::shared_ptr<void> register_auth(http::Router& router, store::PgPool& pg, store::Redis& redis,
                                    const SecurityConfig& cfg);

// Creates an admin account with this email unless an account already has it. Blocking (own
// io_context); for `serve` start-up and `swifteats accounts create-admin`. Returns true when
// created.
bool ensure_admin_blocking(const std::string& conninfo, const PasswordHasher& hasher,
                           const std::string& email, const std::string& password);

// Email normalisation/validation shared by register, login and the CLI: lower-cased ASCII,
// trimmed; nullopt when it does not look like an address.
std::optional<std::string> normalize_email(std::string_view email);
// Password policy: 10..256 bytes.
bool acceptable_password(std::string_view password);

}  // namespace se::auth
