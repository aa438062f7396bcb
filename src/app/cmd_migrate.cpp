// swifteats migrate: applies pending migrations/NNNN_*.sql to the database.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "app/command_registry.hpp"
#include "store/migrate.hpp"

namespace se::app {
namespace {

namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// The migrations directory when neither --migrations nor SWIFTEATS_MIGRATIONS is given: the
// source tree's migrations/ relative to the binary (build/<preset>/src/swifteats), then
// ./migrations.
std::string default_migrations_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path p = exe.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
      if (fs::is_directory(p / "migrations", ec) &&
          fs::exists(p / "migrations" / "0001_extensions.sql", ec)) {
        return (p / "migrations").string();
      }
    }
  }
  return "migrations";
}

const RegisterCommand reg([](CLI::App& root) {
  struct Opts {
    std::string pg;
    std::string dir;
  };
  auto opts = std::make_shared<Opts>();
  auto* cmd = root.add_subcommand("migrate", "Apply pending database migrations (idempotent)");
  cmd->add_option("--pg", opts->pg, "libpq conninfo (env SWIFTEATS_PG)");
  cmd->add_option("--migrations", opts->dir,
                  "directory of NNNN_name.sql files (env SWIFTEATS_MIGRATIONS)");
  cmd->callback([opts] {
    std::string pg = opts->pg.empty() ? env_or("SWIFTEATS_PG", "") : opts->pg;
    if (pg.empty()) throw std::runtime_error("no database: pass --pg CONNINFO or set SWIFTEATS_PG");
    std::string dir =
        opts->dir.empty() ? env_or("SWIFTEATS_MIGRATIONS", default_migrations_dir()) : opts->dir;
    auto report = se::store::migrate(pg, dir);
    for (const auto& f : report.applied) std::cout << "migrate: applied " << f << "\n";
    std::cout << "migrate: " << report.applied.size() << " applied, " << report.already_applied
              << " already applied, " << report.total << " total (" << dir << ") in "
              << static_cast<int>(report.elapsed_s * 1000) << " ms\n";
  });
});

}  // namespace
}  // namespace se::app
