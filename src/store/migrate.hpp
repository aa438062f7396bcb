// Schema migrations: numbered SQL files (migrations/0001_name.sql, ...) applied in order, each in
// its own transaction, recorded in schema_migrations with a SHA-256 checksum. Synchronous libpq:
// meant for the CLI (`swifteats migrate`) and test set-up, never for an io thread.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace se::store {

struct MigrationError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct MigrationFile {
  int version = 0;       // the numeric prefix: 0001_init.sql -> 1
  std::string name;      // file name without the numeric prefix and ".sql": "init"
  std::string filename;  // "0001_init.sql"
  std::string path;      // full path
  std::string sql;       // file contents
  std::string checksum;  // lowercase hex SHA-256 of sql
};

struct MigrationReport {
  std::vector<std::string> applied;  // file names applied by this run, in order
  int already_applied = 0;           // files that were applied before this run
  int total = 0;                     // migration files found
  double elapsed_s = 0;
};

// ---- pure pieces (unit-tested) ----

// Parses "0001_create_catalog.sql" -> version 1, name "create_catalog". False if the name does
// not follow NNNN_name.sql (digits, underscore, a non-empty name, ".sql").
bool parse_migration_filename(std::string_view filename, int& version, std::string& name);

// Lowercase hex SHA-256 (libsodium).
std::string sha256_hex(std::string_view data);

// Orders files by version; throws MigrationError on a duplicate version.
void sort_and_validate(std::vector<MigrationFile>& files);

// Reads every *.sql file in dir (non-recursive), sorted by version. Throws MigrationError if the
// directory is missing, a .sql file is misnamed, or two files share a version.
std::vector<MigrationFile> discover_migrations(const std::string& dir);

// ---- the runner ----

// Connects with conninfo, takes an advisory lock (so concurrent runners serialise), creates
// schema_migrations if needed, verifies the checksum of every applied file (throws
// MigrationError naming the file if one changed) and applies the pending ones in order, each in
// its own transaction. Re-running applies nothing.
MigrationReport migrate(const std::string& conninfo, const std::string& migrations_dir);

}  // namespace se::store
