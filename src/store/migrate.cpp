#include "store/migrate.hpp"

#include <libpq-fe.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace se::store {

namespace fs = std::filesystem;

bool parse_migration_filename(std::string_view filename, int& version, std::string& name) {
  constexpr std::string_view ext = ".sql";
  if (filename.size() <= ext.size() || filename.substr(filename.size() - ext.size()) != ext)
    return false;
  std::string_view stem = filename.substr(0, filename.size() - ext.size());
  std::size_t i = 0;
  long v = 0;
  while (i < stem.size() && stem[i] >= '0' && stem[i] <= '9') {
    v = v * 10 + (stem[i] - '0');
    if (v > 1'000'000'000) return false;
    ++i;
  }
  if (i == 0 || i >= stem.size() || stem[i] != '_' || i + 1 >= stem.size()) return false;
  for (std::size_t j = i + 1; j < stem.size(); ++j) {
    char c = stem[j];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  if (v <= 0) return false;
  version = static_cast<int>(v);
  name = std::string(stem.substr(i + 1));
  return true;
}

std::string sha256_hex(std::string_view data) {
  if (sodium_init() < 0) throw MigrationError("libsodium initialisation failed");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(sizeof digest * 2);
  for (unsigned char b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 0xf]);
  }
  return out;
}

void sort_and_validate(std::vector<MigrationFile>& files) {
  std::sort(files.begin(), files.end(), [](const MigrationFile& a, const MigrationFile& b) {
    return a.version != b.version ? a.version < b.version : a.filename < b.filename;
  });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) {
      throw MigrationError("two migrations share version " + std::to_string(files[i].version) +
                           ": " + files[i - 1].filename + " and " + files[i].filename);
    }
  }
}

std::vector<MigrationFile> discover_migrations(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw MigrationError("migrations directory not found: " + dir);
  std::vector<MigrationFile> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string filename = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    MigrationFile f;
    if (!parse_migration_filename(filename, f.version, f.name)) {
      throw MigrationError("badly named migration file (expected NNNN_name.sql): " +
                           entry.path().string());
    }
    f.filename = filename;
    f.path = entry.path().string();
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) throw MigrationError("cannot read " + f.path);
    std::ostringstream ss;
    ss << in.rdbuf();
    f.sql = ss.str();
    f.checksum = sha256_hex(f.sql);
    files.push_back(std::move(f));
  }
  sort_and_validate(files);
  return files;
}

namespace {

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Result = std::unique_ptr<PGresult, ResultCloser>;

// Any fixed 64-bit key; "swifteats migrate" in ASCII, truncated.
constexpr const char* kLockKey = "7237468956741232";

void quiet_notices(void*, const char*) {}

Result exec(PGconn* c, const std::string& sql, const std::string& what) {
  Result r(PQexec(c, sql.c_str()));
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r.get());
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw MigrationError(what + ": " + msg);
  }
  return r;
}

Result exec_params(PGconn* c, const char* sql, const std::vector<std::string>& params,
                   const std::string& what) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  Result r(PQexecParams(c, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, 0));
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    throw MigrationError(what + ": " + PQresultErrorMessage(r.get()));
  }
  return r;
}

}  // namespace

MigrationReport migrate(const std::string& conninfo, const std::string& migrations_dir) {
  auto t0 = std::chrono::steady_clock::now();
  MigrationReport report;
  auto files = discover_migrations(migrations_dir);
  report.total = static_cast<int>(files.size());

  Conn conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string msg = conn ? PQerrorMessage(conn.get()) : "out of memory";
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw MigrationError("cannot connect to PostgreSQL: " + msg);
  }
  PGconn* c = conn.get();
  PQsetNoticeProcessor(c, quiet_notices, nullptr);
  exec(c, "SET client_min_messages = warning", "set client_min_messages");
  // Session-level lock: held across the per-file transactions; released on disconnect.
  exec(c, std::string("SELECT pg_advisory_lock(") + kLockKey + ")", "advisory lock");
  exec(c,
       "CREATE TABLE IF NOT EXISTS schema_migrations ("
       " version int PRIMARY KEY,"
       " name text NOT NULL,"
       " checksum text NOT NULL,"
       " applied_at timestamptz NOT NULL DEFAULT now())",
       "create schema_migrations");

  std::map<int, std::pair<std::string, std::string>> applied;  // version -> (name, checksum)
  {
    auto r = exec(c, "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
                  "read schema_migrations");
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      applied[std::atoi(PQgetvalue(r.get(), i, 0))] = {PQgetvalue(r.get(), i, 1),
                                                       PQgetvalue(r.get(), i, 2)};
    }
  }

  for (const auto& f : files) {
    auto it = applied.find(f.version);
    if (it == applied.end()) continue;
    if (it->second.second != f.checksum) {
      throw MigrationError(
          "migration " + f.filename + " was changed after it was applied (checksum " +
          it->second.second.substr(0, 12) + "... in the database, " + f.checksum.substr(0, 12) +
          "... on disk); never edit an applied migration: add a new one");
    }
    ++report.already_applied;
  }

  for (const auto& f : files) {
    if (applied.count(f.version)) continue;
    exec(c, "BEGIN", "begin " + f.filename);
    try {
      exec(c, f.sql, "migration " + f.filename + " failed");
      exec_params(c,
                  "INSERT INTO schema_migrations(version, name, checksum) VALUES ($1::int, $2, $3)",
                  {std::to_string(f.version), f.name, f.checksum}, "record " + f.filename);
      exec(c, "COMMIT", "commit " + f.filename);
    } catch (...) {
      Result r(PQexec(c, "ROLLBACK"));
      throw;
    }
    report.applied.push_back(f.filename);
  }
  exec(c, std::string("SELECT pg_advisory_unlock(") + kLockKey + ")", "advisory unlock");
  report.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace se::store
