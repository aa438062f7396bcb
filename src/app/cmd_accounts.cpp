// swifteats accounts create-admin: the first admin of a fresh install (then admins create every
// other staff, driver and admin account through POST /admin/accounts).
#include <sodium.h>
#include <cstdlib>
#include <iostream>

#include "app/command_registry.hpp"
#include "services/auth/api.hpp"

namespace se::app {
namespace {

const RegisterCommand reg([](CLI::App& root) {
  struct Opts {
    std::string pg = "host=127.0.0.1 port=5433 dbname=swifteats user=postgres";
    std::string email;
    std::string password;
    std::string cost = "interactive";
  };
  auto opts = std::make_shared<Opts>();
  auto* accounts = root.add_subcommand("accounts", "Manage accounts from the command line");
  accounts->require_subcommand(1);
  auto* cmd =
      accounts->add_subcommand("create-admin", "Create an admin account unless the email is taken");
  cmd->add_option("--pg", opts->pg, "libpq conninfo")
      ->envname("SWIFTEATS_PG")
      ->capture_default_str();
  cmd->add_option("--email", opts->email, "Admin email")
      ->envname("SWIFTEATS_BOOTSTRAP_ADMIN_EMAIL")
      ->required();
  cmd->add_option("--password", opts->password,
                  "Admin password (prefer the environment variable: arguments are visible in ps)")
      ->envname("SWIFTEATS_BOOTSTRAP_ADMIN_PASSWORD")
      ->required();
  cmd->add_option("--password-cost", opts->cost, "interactive, or min (tests only)")
      ->capture_default_str();
  cmd->callback([opts] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    se::auth::PasswordHasher hasher(se::auth::parse_hash_cost(opts->cost), 1);
    const bool created =
        se::auth::ensure_admin_blocking(opts->pg, hasher, opts->email, opts->password);
    std::cout << (created ? "accounts: admin created: "
                          : "accounts: an account already has this email: ")
              << opts->email << "\n";
  });
});

}  // namespace
}  // namespace se::app
