// The migration runner and the schema against a real PostgreSQL: idempotence, checksum
// protection, rollback of a failing file, concurrent runners, restaurant_is_open(), partitions,
// and the `swifteats migrate` CLI.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/migrate.hpp"
#include "support/test_env.hpp"

namespace {

namespace fs = std::filesystem;
using se::test::TestEnv;

void ignore_notice(void*, const char*) {}

struct Db {
  explicit Db(const std::string& conninfo) : c(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c));
    PQsetNoticeProcessor(c, ignore_notice, nullptr);
  }
  ~Db() { PQfinish(c); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  std::string scalar(const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error(sql + ": " + msg);
    }
    std::string out = PQgetvalue(r, 0, 0);
    PQclear(r);
    return out;
  }
  void exec(const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    auto st = PQresultStatus(r);
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + msg);
  }
  PGconn* c;
};

std::string migrations_dir() { return se::test::source_dir() + "/migrations"; }

int migration_file_count() {
  return static_cast<int>(se::store::discover_migrations(migrations_dir()).size());
}

// A copy of the repository's migrations in a temp dir, to add or alter files.
struct MigrationsCopy {
  MigrationsCopy() {
    char tmpl[] = "/tmp/se-migrations-XXXXXX";
    dir = ::mkdtemp(tmpl);
    for (const auto& e : fs::directory_iterator(migrations_dir()))
      fs::copy_file(e.path(), dir / e.path().filename());
  }
  ~MigrationsCopy() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& name, const std::string& sql) const {
    std::ofstream(dir / name) << sql;
  }
  void append(const std::string& name, const std::string& sql) const {
    std::ofstream(dir / name, std::ios::app) << sql;
  }
  fs::path dir;
};

// An empty database (no migrations), made through an admin connection.
std::string empty_database(const std::string& name) {
  auto& env = TestEnv::get();
  std::string admin =
      "host=127.0.0.1 port=" + std::to_string(env.pg_port()) + " dbname=postgres user=postgres";
  Db db(admin);
  db.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  db.exec("CREATE DATABASE " + name);
  return "host=127.0.0.1 port=" + std::to_string(env.pg_port()) + " dbname=" + name +
         " user=postgres";
}

TEST(Migrate, FreshDatabaseHasEveryMigrationAndTable) {
  Db db(TestEnv::get().fresh_database("migrate_tables"));
  EXPECT_EQ(std::stoi(db.scalar("SELECT count(*) FROM schema_migrations")), migration_file_count());
  for (const char* table :
       {"restaurants", "menu_categories", "food_items", "food_item_inventory", "customers",
        "drivers", "accounts", "restaurant_staff", "refresh_tokens", "orders", "order_items",
        "order_status_history", "idempotency_keys", "payments", "driver_location_history", "outbox",
        "processed_events"}) {
    EXPECT_EQ(db.scalar(std::string("SELECT to_regclass('") + table + "') IS NOT NULL"), "t")
        << table;
  }
  for (const char* ext : {"postgis", "pg_trgm", "pgcrypto", "btree_gist"}) {
    EXPECT_EQ(
        db.scalar(std::string("SELECT count(*) FROM pg_extension WHERE extname = '") + ext + "'"),
        "1")
        << ext;
  }
  // Customers never carry a location (privacy rule from the seed).
  EXPECT_EQ(
      db.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'customers'"
                " AND (udt_name IN ('geography', 'geometry') OR column_name ~ "
                "'(location|lat|lng|address)')"),
      "0");
}

TEST(Migrate, RerunAppliesNothing) {
  auto conninfo = TestEnv::get().fresh_database("migrate_rerun");
  auto report = se::store::migrate(conninfo, migrations_dir());
  EXPECT_TRUE(report.applied.empty());
  EXPECT_EQ(report.already_applied, migration_file_count());
  EXPECT_EQ(report.total, migration_file_count());
}

TEST(Migrate, FromEmptyDatabaseThenNewFileOnly) {
  auto conninfo = empty_database("migrate_empty");
  auto first = se::store::migrate(conninfo, migrations_dir());
  EXPECT_EQ(static_cast<int>(first.applied.size()), migration_file_count());
  MigrationsCopy copy;
  copy.write("0900_extra.sql", "CREATE TABLE extra_table (id int PRIMARY KEY);");
  auto second = se::store::migrate(conninfo, copy.dir.string());
  ASSERT_EQ(second.applied.size(), 1u);
  EXPECT_EQ(second.applied[0], "0900_extra.sql");
  Db db(conninfo);
  EXPECT_EQ(db.scalar("SELECT name FROM schema_migrations WHERE version = 900"), "extra");
  EXPECT_EQ(db.scalar("SELECT checksum FROM schema_migrations WHERE version = 900"),
            se::store::sha256_hex("CREATE TABLE extra_table (id int PRIMARY KEY);"));
  EXPECT_TRUE(se::store::migrate(conninfo, copy.dir.string()).applied.empty());
}

TEST(Migrate, ChangedAppliedFileIsRefused) {
  auto conninfo = TestEnv::get().fresh_database("migrate_checksum");
  MigrationsCopy copy;
  copy.append("0002_catalog.sql", "\n-- edited after it was applied\n");
  copy.write("0900_extra.sql", "CREATE TABLE extra_table (id int);");
  try {
    se::store::migrate(conninfo, copy.dir.string());
    FAIL() << "expected MigrationError";
  } catch (const se::store::MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("0002_catalog.sql"), std::string::npos) << e.what();
  }
  Db db(conninfo);  // nothing else was applied either
  EXPECT_EQ(db.scalar("SELECT to_regclass('extra_table') IS NULL"), "t");
}

TEST(Migrate, FailingFileRollsBackAndIsNotRecorded) {
  auto conninfo = TestEnv::get().fresh_database("migrate_failing");
  MigrationsCopy copy;
  copy.write("0900_ok.sql", "CREATE TABLE ok_table (id int);");
  copy.write("0901_bad.sql", "CREATE TABLE half_done (id int);\nSELECT 1/0;");
  try {
    se::store::migrate(conninfo, copy.dir.string());
    FAIL() << "expected MigrationError";
  } catch (const se::store::MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("0901_bad.sql"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("division by zero"), std::string::npos) << e.what();
  }
  Db db(conninfo);
  EXPECT_EQ(db.scalar("SELECT to_regclass('ok_table') IS NOT NULL"),
            "t");  // earlier file committed
  EXPECT_EQ(db.scalar("SELECT to_regclass('half_done') IS NULL"), "t");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM schema_migrations WHERE version = 901"), "0");
}

TEST(Migrate, ConcurrentRunnersApplyEachFileOnce) {
  auto conninfo = TestEnv::get().fresh_database("migrate_concurrent");
  MigrationsCopy copy;
  // Not idempotent on purpose: a second application would fail.
  copy.write("0900_slow.sql", "SELECT pg_sleep(0.3);\nCREATE TABLE slow_table (id int);");
  se::store::MigrationReport r1, r2;
  std::string e1, e2;
  std::thread t1([&] {
    try {
      r1 = se::store::migrate(conninfo, copy.dir.string());
    } catch (const std::exception& e) {
      e1 = e.what();
    }
  });
  std::thread t2([&] {
    try {
      r2 = se::store::migrate(conninfo, copy.dir.string());
    } catch (const std::exception& e) {
      e2 = e.what();
    }
  });
  t1.join();
  t2.join();
  EXPECT_EQ(e1, "");
  EXPECT_EQ(e2, "");
  EXPECT_EQ(r1.applied.size() + r2.applied.size(), 1u);
}

TEST(Migrate, CliAppliesAndReports) {
  auto conninfo = empty_database("migrate_cli");
  std::string cmd = se::test::swifteats_binary() + " migrate --pg '" + conninfo +
                    "' --migrations '" + migrations_dir() + "' > /dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
  Db db(conninfo);
  EXPECT_EQ(std::stoi(db.scalar("SELECT count(*) FROM schema_migrations")), migration_file_count());
  // Env variables work too, and a re-run is a no-op.
  std::string cmd2 = "SWIFTEATS_PG='" + conninfo + "' SWIFTEATS_MIGRATIONS='" + migrations_dir() +
                     "' " + se::test::swifteats_binary() + " migrate > /dev/null 2>&1";
  rc = std::system(cmd2.c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd2;
  // A bad connection string fails with a non-zero status.
  std::string cmd3 = se::test::swifteats_binary() +
                     " migrate --pg 'host=127.0.0.1 port=1 dbname=x' > /dev/null 2>&1";
  rc = std::system(cmd3.c_str());
  EXPECT_FALSE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
}

// ---- schema behaviour ----

class Schema : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { conninfo_ = TestEnv::get().fresh_database("schema_behaviour"); }
  static std::string conninfo_;
};
std::string Schema::conninfo_;

std::string is_open(Db& db, const std::string& hours, const std::string& tz,
                    const std::string& at) {
  return db.scalar("SELECT restaurant_is_open('" + hours + "'::jsonb, '" + tz + "', '" + at +
                   "'::timestamptz)");
}

TEST_F(Schema, RestaurantIsOpenSameDayIntervals) {
  Db db(conninfo_);
  // 2024-01-01 was a Monday.
  const std::string h =
      R"({"mon":[["09:00","14:00"],["18:00","22:00"]],"tue":[],"wed":[["10:00","20:00"]]})";
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 08:59:59+00"), "f");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 09:00:00+00"), "t");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 13:59:00+00"), "t");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 14:00:00+00"), "f");  // close is exclusive
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 16:00:00+00"), "f");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 21:30:00+00"), "t");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-02 12:00:00+00"), "f");  // Tuesday: closed
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-03 12:00:00+00"), "t");  // Wednesday
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-04 12:00:00+00"), "f");  // Thursday: missing key
  EXPECT_EQ(is_open(db, "{}", "UTC", "2024-01-01 12:00:00+00"), "f");
}

TEST_F(Schema, RestaurantIsOpenPastMidnight) {
  Db db(conninfo_);
  const std::string h =
      R"({"mon":[["22:00","02:00"]],"tue":[["09:00","17:00"]],"sun":[["20:00","03:00"]]})";
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 21:59:00+00"), "f");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 22:00:00+00"), "t");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 23:59:00+00"), "t");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-02 01:00:00+00"), "t");  // Tuesday 01:00, from Monday
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-02 02:00:00+00"), "f");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-02 08:00:00+00"), "f");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 02:30:00+00"), "t");  // Monday 02:30, from Sunday
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-01 03:00:00+00"), "f");
  EXPECT_EQ(is_open(db, h, "UTC", "2024-01-03 01:00:00+00"),
            "f");  // Wednesday: Tuesday closes 17:00
}

TEST_F(Schema, RestaurantIsOpenUsesLocalTimeZoneAndAllDay) {
  Db db(conninfo_);
  const std::string h = R"({"mon":[["09:00","10:00"]]})";
  EXPECT_EQ(is_open(db, h, "Asia/Kolkata", "2024-01-01 03:45:00+00"), "t");         // 09:15 IST
  EXPECT_EQ(is_open(db, h, "Asia/Kolkata", "2024-01-01 09:15:00+00"), "f");         // 14:45 IST
  EXPECT_EQ(is_open(db, h, "America/Los_Angeles", "2024-01-01 17:30:00+00"), "t");  // 09:30 PST
  EXPECT_EQ(is_open(db, R"({"sat":[["00:00","24:00"]]})", "UTC", "2024-01-06 23:59:59+00"), "t");
  EXPECT_EQ(is_open(db, R"({"sat":[["00:00","00:00"]]})", "UTC", "2024-01-06 00:00:00+00"), "t");
}

TEST_F(Schema, CatalogConstraintsHold) {
  Db db(conninfo_);
  db.exec("BEGIN");
  std::string rid = db.scalar(
      "INSERT INTO restaurants(name, cuisine, location, geo_key, hours)"
      " VALUES ('R', 'Indian', 'SRID=4326;POINT(77.59 12.97)', 'tdr1', '{}') RETURNING id");
  EXPECT_EQ(
      db.scalar("SELECT rating = 0 AND version = 1 AND is_active FROM restaurants WHERE id = '" +
                rid + "'"),
      "t");
  std::string iid = db.scalar(
      "INSERT INTO food_items(restaurant_id, restaurant_name, restaurant_location, name, "
      "price_cents, kind)"
      " VALUES ('" +
      rid + "', 'R', 'SRID=4326;POINT(77.59 12.97)', 'Dosa', 12000, 'made_to_order') RETURNING id");
  db.scalar(
      "INSERT INTO food_item_inventory(food_item_id, restaurant_id, item_type, available_quantity)"
      " VALUES ('" +
      iid + "', '" + rid + "', 'made_to_order', 5) RETURNING 1");
  db.exec("COMMIT");
  EXPECT_THROW(db.exec("UPDATE food_item_inventory SET available_quantity = -1"),
               std::runtime_error);
  EXPECT_THROW(db.exec("UPDATE food_items SET kind = 'frozen'"), std::runtime_error);
  EXPECT_THROW(db.exec("UPDATE restaurants SET rating = 5.5"), std::runtime_error);
  db.exec("DELETE FROM restaurants WHERE id = '" + rid + "'");  // cascades
  EXPECT_EQ(db.scalar("SELECT count(*) FROM food_items"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM food_item_inventory"), "0");
}

TEST_F(Schema, OrdersLandInMonthlyPartitionsAndEnsurePartitionsIsIdempotent) {
  Db db(conninfo_);
  EXPECT_EQ(db.scalar("SELECT ensure_partitions()"), "0");  // the migration already made them
  EXPECT_EQ(db.scalar("SELECT to_regclass('orders_p' || to_char(now() AT TIME ZONE 'UTC', "
                      "'YYYYMM')) IS NOT NULL"),
            "t");
  EXPECT_EQ(
      db.scalar(
          "SELECT to_regclass('driver_location_history_p' || to_char(now() AT TIME ZONE 'UTC', "
          "'YYYYMMDD')) IS NOT NULL"),
      "t");
  // A window in the future creates exactly the missing months, once.
  EXPECT_EQ(db.scalar("SELECT create_range_partitions('orders', 'month', '2031-03-01 00:00+00', "
                      "'2031-05-01 00:00+00')"),
            "2");
  EXPECT_EQ(db.scalar("SELECT create_range_partitions('orders', 'month', '2031-03-15 00:00+00', "
                      "'2031-05-01 00:00+00')"),
            "0");
  EXPECT_EQ(db.scalar("SELECT to_regclass('orders_p203104') IS NOT NULL"), "t");
  // Columns no query filters on have no statistics, in the partitions that existed at the
  // migration and in those made later; the others sample small (target 10: 3,000 rows).
  const auto target = [&](const std::string& table, const std::string& column) {
    return db.scalar("SELECT attstattarget FROM pg_attribute WHERE attrelid = '" + table +
                     "'::regclass AND attname = '" + column + "'");
  };
  const std::vector<std::string> tables{
      "orders_p203104", "orders_default",
      db.scalar("SELECT 'orders_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')")};
  for (const std::string& table : tables) {
    for (const char* column :
         {"items", "destination", "delivery_address", "notes", "cancel_reason"})
      EXPECT_EQ(target(table, column), "0") << table << "." << column;
    EXPECT_EQ(target(table, "customer_id"), "10") << table;
    EXPECT_EQ(target(table, "status"), "10") << table;
  }
  EXPECT_EQ(db.scalar("SELECT create_range_partitions('order_status_history', 'month', "
                      "'2031-03-01 00:00+00', '2031-04-01 00:00+00')"),
            "1");
  EXPECT_EQ(target("order_status_history_p203103", "actor"), "10");
  // The other tables every order writes sample small too; a table off the order path keeps the
  // default (-1).
  const auto range_of_targets = [&](const std::string& table) {
    const std::string sql =
        "SELECT min(attstattarget) || '/' || max(attstattarget) FROM pg_attribute "
        "WHERE attnum > 0 AND NOT attisdropped AND attrelid = '" +
        table + "'::regclass";
    return db.scalar(sql);
  };
  for (const char* table : {"payments", "idempotency_keys", "gateway_charges", "outbox"})
    EXPECT_EQ(range_of_targets(table), "10/10") << table;
  EXPECT_EQ(target("restaurants", "name"), "-1");
  // A partitioned parent without such targets: its new partition keeps the defaults.
  EXPECT_EQ(db.scalar("SELECT create_range_partitions('driver_location_history', 'day', "
                      "'2031-03-01 00:00+00', '2031-03-02 00:00+00')"),
            "1");
  EXPECT_EQ(target("driver_location_history_p20310301", "geo_key"), "-1");

  db.exec("BEGIN");
  std::string rid = db.scalar(
      "INSERT INTO restaurants(name, cuisine, location, geo_key, hours)"
      " VALUES ('R', 'Indian', 'SRID=4326;POINT(77.59 12.97)', 'tdr1', '{}') RETURNING id");
  std::string cid = db.scalar("INSERT INTO customers(name) VALUES ('C') RETURNING id");
  std::string oid = db.scalar(
      "INSERT INTO orders(customer_id, restaurant_id, subtotal_cents, total_cents, destination, "
      "geo_key)"
      " VALUES ('" +
      cid + "', '" + rid + "', 1000, 1200, 'SRID=4326;POINT(77.6 12.98)', 'tdr1') RETURNING id");
  EXPECT_EQ(db.scalar("SELECT tableoid::regclass::text FROM orders WHERE id = '" + oid + "'"),
            db.scalar("SELECT 'orders_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')"));
  db.scalar(
      "INSERT INTO order_status_history(order_id, order_created_at, from_status, to_status)"
      " SELECT id, created_at, NULL, 'pending_payment' FROM orders WHERE id = '" +
      oid + "' RETURNING 1");
  EXPECT_THROW(db.exec("UPDATE orders SET status = 'teleported' WHERE id = '" + oid + "'"),
               std::runtime_error);
  db.exec("ROLLBACK");

  // Outbox: event ids are unique, unpublished rows are found by the partial index's predicate.
  db.exec(
      "INSERT INTO outbox(topic, key, event_type, payload) VALUES ('order_updates', 'k', "
      "'OrderCreated', '{}')");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL"), "1");
  db.exec("INSERT INTO processed_events(consumer, event_id) SELECT 'c', event_id FROM outbox");
  EXPECT_THROW(
      db.exec("INSERT INTO processed_events(consumer, event_id) SELECT 'c', event_id FROM outbox"),
      std::runtime_error);
}

// Order lines are the order's items snapshot (migration 0017): the view shows one row per line,
// in order, and the lines the previous release still inserts are accepted and dropped (they are in
// the snapshot already), so an order never shows a line twice.
TEST_F(Schema, OrderLinesAreTheOrdersItemsSnapshot) {
  Db db(conninfo_);
  db.exec("BEGIN");
  const std::string rid = db.scalar(
      "INSERT INTO restaurants(name, cuisine, location, geo_key, hours)"
      " VALUES ('R', 'Indian', 'SRID=4326;POINT(77.59 12.97)', 'tdr1', '{}') RETURNING id");
  const std::string cid = db.scalar("INSERT INTO customers(name) VALUES ('C') RETURNING id");
  const std::string item1 = "11111111-1111-4111-8111-111111111111";
  const std::string item2 = "22222222-2222-4222-8222-222222222222";
  const std::string oid = db.scalar(
      "INSERT INTO orders(customer_id, restaurant_id, subtotal_cents, total_cents, destination, "
      "geo_key, items) VALUES ('" +
      cid + "', '" + rid + "', 1000, 1200, 'SRID=4326;POINT(77.6 12.98)', 'tdr1', '[" +
      "{\"food_item_id\": \"" + item1 +
      "\", \"name\": \"Dosa\", \"kind\": \"prepared\", \"unit_price_cents\": 300, "
      "\"quantity\": 2, \"line_total_cents\": 600}, {\"food_item_id\": \"" +
      item2 +
      "\", \"name\": \"Tea\", \"kind\": \"made_to_order\", \"unit_price_cents\": 400, "
      "\"quantity\": 1, \"line_total_cents\": 400}]') RETURNING id");
  const std::string lines =
      "SELECT string_agg(line || ':' || food_item_id || ':' || name || ':' || kind || ':' || "
      "unit_price_cents || 'x' || quantity || '=' || line_total_cents, ' ' ORDER BY line) "
      "FROM order_items WHERE order_id = '" +
      oid + "'";
  const std::string expected =
      "1:" + item1 + ":Dosa:prepared:300x2=600 2:" + item2 + ":Tea:made_to_order:400x1=400";
  EXPECT_EQ(db.scalar(lines), expected);
  // The previous release's placement statement inserted the lines it read from the snapshot.
  EXPECT_EQ(db.scalar("WITH o AS (SELECT id, created_at, items FROM orders WHERE id = '" + oid +
                      "'), it AS (INSERT INTO order_items (order_id, order_created_at, "
                      "food_item_id, name, kind, unit_price_cents, quantity, line_total_cents) "
                      "SELECT o.id, o.created_at, x.food_item_id, x.name, x.kind, "
                      "x.unit_price_cents, x.quantity, x.line_total_cents FROM o, "
                      "jsonb_to_recordset(o.items) AS x(food_item_id uuid, name text, kind text, "
                      "unit_price_cents int, quantity int, line_total_cents int) RETURNING 1) "
                      "SELECT count(*) FROM it"),
            "2");
  EXPECT_EQ(db.scalar(lines), expected);
  db.exec("ROLLBACK");
}

}  // namespace

// ---- swifteats seed against a migrated database ----

namespace seedcli {

int run(const std::string& args) {
  std::string cmd = se::test::swifteats_binary() + " seed " + args + " > /dev/null 2>&1";
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string fingerprint(Db& db) {
  return db.scalar(
             "SELECT md5(string_agg(id::text || name || price_cents || kind || category_id::text, "
             "',' ORDER BY id))"
             " FROM food_items") +
         db.scalar(
             "SELECT md5(string_agg(id::text || name || hours::text || geo_key, ',' ORDER BY id)) "
             "FROM restaurants") +
         db.scalar("SELECT md5(string_agg(id::text || name, ',' ORDER BY id)) FROM drivers");
}

const char* kSmall =
    " --seed 3 --restaurants 60 --items-per-restaurant 12 --customers 7 --drivers 9";

TEST(SeedCli, LoadsAConsistentDeterministicCity) {
  auto a = TestEnv::get().fresh_database("seed_a");
  auto b = TestEnv::get().fresh_database("seed_b");
  ASSERT_EQ(run("--pg '" + a + "'" + kSmall), 0);
  ASSERT_EQ(run("--pg '" + b + "'" + kSmall + " --bulk on"), 0);  // bulk path: same rows
  Db da(a), dbb(b);
  EXPECT_EQ(da.scalar("SELECT count(*) FROM restaurants"), "60");
  EXPECT_EQ(da.scalar("SELECT count(*) FROM food_items"), "720");
  EXPECT_EQ(da.scalar("SELECT count(*) FROM food_item_inventory"), "720");
  EXPECT_EQ(da.scalar("SELECT count(*) FROM customers"), "7");
  EXPECT_EQ(da.scalar("SELECT count(*) FROM drivers"), "9");
  EXPECT_EQ(fingerprint(da), fingerprint(dbb));
  // The bulk path rebuilt every index it dropped.
  EXPECT_EQ(da.scalar("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"),
            dbb.scalar("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"));

  // Denormalised and derived columns agree with their sources.
  EXPECT_EQ(
      da.scalar("SELECT count(*) FROM food_items f JOIN restaurants r ON r.id = f.restaurant_id"
                " WHERE f.restaurant_name <> r.name OR NOT "
                "ST_Equals(f.restaurant_location::geometry, r.location::geometry)"),
      "0");
  EXPECT_EQ(
      da.scalar(
          "SELECT count(*) FROM food_items f JOIN food_item_inventory i ON i.food_item_id = f.id"
          " WHERE i.item_type <> f.kind OR i.restaurant_id <> f.restaurant_id"),
      "0");
  EXPECT_EQ(
      da.scalar("SELECT count(*) FROM food_items f JOIN menu_categories c ON c.id = f.category_id"
                " WHERE c.restaurant_id <> f.restaurant_id"),
      "0");
  EXPECT_EQ(
      da.scalar(
          "SELECT count(*) FROM restaurants WHERE geo_key <> ST_GeoHash(location::geometry, 4)"),
      "0");
  EXPECT_EQ(
      da.scalar(
          "SELECT count(*) FROM drivers WHERE geo_key <> ST_GeoHash(last_location::geometry, 4)"),
      "0");
  // Within ~12 km of Bengaluru's centre.
  EXPECT_EQ(da.scalar("SELECT count(*) FROM restaurants WHERE NOT ST_DWithin(location,"
                      " 'SRID=4326;POINT(77.5946 12.9716)'::geography, 12100)"),
            "0");
  // Every hours value is understood by restaurant_is_open, and some places are open at noon local.
  EXPECT_NE(da.scalar("SELECT count(*) FILTER (WHERE restaurant_is_open(hours, timezone,"
                      " (date_trunc('day', now() AT TIME ZONE timezone) + interval '12 hours') AT "
                      "TIME ZONE timezone))"
                      " FROM restaurants"),
            "0");
  EXPECT_EQ(da.scalar("SELECT count(DISTINCT timezone) FROM restaurants"), "1");
  EXPECT_EQ(da.scalar("SELECT min(timezone) FROM restaurants"), "Asia/Kolkata");
}

TEST(SeedCli, RefusesDuplicatesUnlessTruncating) {
  auto a = TestEnv::get().fresh_database("seed_truncate");
  ASSERT_EQ(run("--pg '" + a + "'" + kSmall), 0);
  Db db(a);
  std::string before = fingerprint(db);
  EXPECT_NE(run("--pg '" + a + "'" + kSmall), 0);  // same UUIDs again: refused, nothing changed
  EXPECT_EQ(fingerprint(db), before);
  ASSERT_EQ(run("--pg '" + a + "'" + kSmall + " --truncate"), 0);
  EXPECT_EQ(fingerprint(db), before);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM food_items"), "720");
  EXPECT_NE(run("--pg '" + a + "' --city atlantis"), 0);
}

}  // namespace seedcli
