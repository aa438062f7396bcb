// Pure pieces of the migration runner: file naming, ordering, checksums, discovery.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/migrate.hpp"

namespace {

namespace fs = std::filesystem;
using namespace se::store;

fs::path repo_migrations() {
  // tests/unit/migrate/<this file> -> <repo>/migrations
  return fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "migrations";
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/se-migrate-unit-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
  }
  fs::path path;
};

TEST(MigrationFiles, ParsesWellFormedNames) {
  int v = 0;
  std::string name;
  ASSERT_TRUE(parse_migration_filename("0001_extensions.sql", v, name));
  EXPECT_EQ(v, 1);
  EXPECT_EQ(name, "extensions");
  ASSERT_TRUE(parse_migration_filename("0042_add-index_2.sql", v, name));
  EXPECT_EQ(v, 42);
  EXPECT_EQ(name, "add-index_2");
  ASSERT_TRUE(parse_migration_filename("12_x.sql", v, name));
  EXPECT_EQ(v, 12);
}

TEST(MigrationFiles, RejectsMalformedNames) {
  int v = 0;
  std::string name;
  for (const char* bad :
       {"extensions.sql", "0001.sql", "0001_.sql", "0001_x.SQL", "0001_x.txt", "0000_zero.sql",
        "0001-x.sql", "0001_has space.sql", "x0001_a.sql", ".sql", "99999999999_x.sql"}) {
    EXPECT_FALSE(parse_migration_filename(bad, v, name)) << bad;
  }
}

TEST(MigrationFiles, Sha256MatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(MigrationFiles, SortsByNumberNotText) {
  std::vector<MigrationFile> files(3);
  files[0].version = 10;
  files[0].filename = "10_c.sql";
  files[1].version = 2;
  files[1].filename = "0002_b.sql";
  files[2].version = 1;
  files[2].filename = "0001_a.sql";
  sort_and_validate(files);
  EXPECT_EQ(files[0].version, 1);
  EXPECT_EQ(files[1].version, 2);
  EXPECT_EQ(files[2].version, 10);
}

TEST(MigrationFiles, DuplicateVersionsAreRejected) {
  std::vector<MigrationFile> files(2);
  files[0].version = 3;
  files[0].filename = "0003_a.sql";
  files[1].version = 3;
  files[1].filename = "003_b.sql";
  EXPECT_THROW(sort_and_validate(files), MigrationError);
}

TEST(MigrationFiles, DiscoversSqlFilesInOrderWithChecksums) {
  TempDir d;
  d.write("0002_second.sql", "SELECT 2;");
  d.write("0001_first.sql", "SELECT 1;");
  d.write("README.md", "not a migration");
  auto files = discover_migrations(d.path.string());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].filename, "0001_first.sql");
  EXPECT_EQ(files[0].sql, "SELECT 1;");
  EXPECT_EQ(files[0].checksum, sha256_hex("SELECT 1;"));
  EXPECT_EQ(files[1].name, "second");
}

TEST(MigrationFiles, MisnamedSqlFileIsAnError) {
  TempDir d;
  d.write("0001_first.sql", "SELECT 1;");
  d.write("second.sql", "SELECT 2;");
  EXPECT_THROW(discover_migrations(d.path.string()), MigrationError);
}

TEST(MigrationFiles, MissingDirectoryIsAnError) {
  EXPECT_THROW(discover_migrations("/nonexistent/migrations"), MigrationError);
}

TEST(MigrationFiles, RepositoryMigrationsAreWellFormedAndContiguous) {
  auto files = discover_migrations(repo_migrations().string());
  ASSERT_GE(files.size(), 5u);
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].version, static_cast<int>(i) + 1) << files[i].filename;
    // Each file runs inside the runner's transaction: it must not manage its own.
    EXPECT_EQ(files[i].sql.find("\nBEGIN;"), std::string::npos) << files[i].filename;
    EXPECT_EQ(files[i].sql.find("\nCOMMIT;"), std::string::npos) << files[i].filename;
    EXPECT_EQ(files[i].sql.find("CONCURRENTLY"), std::string::npos) << files[i].filename;
  }
}

}  // namespace
