#include "seed/loader.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <memory>

#include "seed/copy_text.hpp"

namespace se::seed {

namespace {

using Clock = std::chrono::steady_clock;

void quiet(void*, const char*) {}

class Conn {
 public:
  explicit Conn(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (!c_ || PQstatus(c_) != CONNECTION_OK) {
      std::string msg = c_ ? PQerrorMessage(c_) : "out of memory";
      PQfinish(c_);
      c_ = nullptr;
      throw SeedError("cannot connect to PostgreSQL: " + trim(msg));
    }
    PQsetNoticeProcessor(c_, quiet, nullptr);
  }
  ~Conn() { PQfinish(c_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }

  [[noreturn]] void fail(PGresult* r, const std::string& what) {
    std::string msg = trim(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    if (state && std::string(state) == "23505") {
      msg +=
          " (these rows already exist: seed into an empty database, pass --truncate, or use "
          "another --seed)";
    }
    if (r) PQclear(r);
    throw SeedError(what + ": " + msg);
  }

  // Runs SQL; returns rows as strings (first column..n).
  std::vector<std::vector<std::string>> exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(r, sql.substr(0, 80));
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::vector<std::string> row;
      row.reserve(static_cast<std::size_t>(PQnfields(r)));
      for (int j = 0; j < PQnfields(r); ++j) row.emplace_back(PQgetvalue(r, i, j));
      rows.push_back(std::move(row));
    }
    PQclear(r);
    return rows;
  }

  // COPY table (columns) FROM STDIN; `produce(buf)` appends rows to buf and returns false when
  // done. Data goes out in ~1 MiB chunks.
  template <typename Produce>
  void copy_in(const std::string& table_and_columns, Produce&& produce) {
    PGresult* r = PQexec(c_, ("COPY " + table_and_columns + " FROM STDIN").c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) fail(r, "COPY " + table_and_columns);
    PQclear(r);
    std::string buf;
    buf.reserve(1 << 21);
    bool more = true;
    while (more) {
      more = produce(buf);
      if (buf.size() >= (1u << 20) || (!more && !buf.empty())) {
        if (PQputCopyData(c_, buf.data(), static_cast<int>(buf.size())) != 1)
          fail(nullptr, "COPY data");
        buf.clear();
      }
    }
    if (PQputCopyEnd(c_, nullptr) != 1) fail(nullptr, "COPY end");
    PGresult* res = nullptr;
    bool ok = true;
    std::string err;
    while ((res = PQgetResult(c_)) != nullptr) {
      if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        ok = false;
        err = trim(PQresultErrorMessage(res));
        const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state && std::string(state) == "23505") {
          err +=
              " (these rows already exist: seed into an empty database, pass --truncate, or use "
              "another --seed)";
        }
      }
      PQclear(res);
    }
    if (!ok) throw SeedError("COPY " + table_and_columns + ": " + err);
  }

 private:
  PGconn* c_;
};

const char* kCatalogTables[] = {"restaurants", "menu_categories", "food_items",
                                "food_item_inventory"};

}  // namespace

LoadReport load(const std::string& conninfo, const Generator& gen, const LoadOptions& opts) {
  const auto t0 = Clock::now();
  auto log = [&](const std::string& s) {
    if (opts.log) opts.log(s);
  };
  LoadReport rep;
  auto phase_start = Clock::now();
  auto phase = [&](const std::string& name) {
    auto now = Clock::now();
    double s = std::chrono::duration<double>(now - phase_start).count();
    rep.phases.emplace_back(name, s);
    phase_start = now;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    log("seed: " + name + " (" + buf + ")");
  };

  const auto& o = gen.options();
  const long long n_items = static_cast<long long>(o.restaurants) * o.items_per_restaurant;
  rep.bulk_mode = opts.bulk_mode == 1 || (opts.bulk_mode == -1 && n_items >= 300'000);

  Conn db(conninfo);
  if (db.exec("SELECT to_regclass('restaurants') IS NOT NULL")[0][0] != "t") {
    throw SeedError("the schema is missing: run `swifteats migrate` first");
  }
  db.exec("BEGIN");
  db.exec("SET LOCAL statement_timeout = 0");
  db.exec("SET LOCAL synchronous_commit = off");
  db.exec("SET LOCAL maintenance_work_mem = '1GB'");
  db.exec("SET LOCAL max_parallel_maintenance_workers = 2");

  if (opts.truncate) {
    db.exec(
        "TRUNCATE restaurants, menu_categories, food_items, food_item_inventory, customers, "
        "drivers CASCADE");
    phase("truncated catalog, customers and drivers");
  }

  // Bulk mode: drop what makes row-by-row loading slow and rebuild it afterwards in one sorted
  // pass each: the secondary indexes of the catalog tables, and the primary keys (random UUIDs)
  // and foreign keys of the three big ones. Definitions are read from the catalog, so this stays
  // correct as migrations add indexes. All of it is inside the transaction: a failure rolls back.
  std::vector<std::pair<std::string, std::string>> dropped_idx;  // name, CREATE INDEX
  std::vector<std::pair<std::string, std::string>> dropped_pk;   // table, ALTER TABLE ... ADD
  std::vector<std::pair<std::string, std::string>> dropped_fk;   // table, ALTER TABLE ... ADD
  if (rep.bulk_mode) {
    // Foreign-key checks on the tables whose keys stay are triggers; replica mode skips them.
    db.exec("SET LOCAL session_replication_role = replica");
    std::string list;
    for (const char* t : kCatalogTables)
      list += std::string(list.empty() ? "" : ",") + "'" + t + "'::regclass";
    const std::string big =
        "'food_items'::regclass, 'food_item_inventory'::regclass, 'menu_categories'::regclass";
    auto fks = db.exec(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM "
        "pg_constraint"
        " WHERE contype = 'f' AND (conrelid IN (" +
        big + ") OR confrelid IN (" + big + ")) ORDER BY conname");
    for (auto& r : fks) {
      db.exec("ALTER TABLE " + r[0] + " DROP CONSTRAINT " + r[1]);
      dropped_fk.emplace_back(r[0], "ALTER TABLE " + r[0] + " ADD CONSTRAINT " + r[1] + " " + r[2]);
    }
    auto pks = db.exec(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM "
        "pg_constraint"
        " WHERE contype IN ('p', 'u') AND conrelid IN (" +
        big + ") ORDER BY conname");
    for (auto& r : pks) {
      db.exec("ALTER TABLE " + r[0] + " DROP CONSTRAINT " + r[1]);
      dropped_pk.emplace_back(r[0], "ALTER TABLE " + r[0] + " ADD CONSTRAINT " + r[1] + " " + r[2]);
    }
    auto rows = db.exec(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
        "pg_get_indexdef(i.indexrelid)"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = "
        "c.relnamespace"
        " WHERE i.indrelid IN (" +
        list +
        ")"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        " ORDER BY c.relname");
    for (auto& r : rows) {
      db.exec("DROP INDEX " + r[0]);
      dropped_idx.emplace_back(r[0], r[1]);
    }
    phase("bulk mode: dropped " + std::to_string(dropped_idx.size()) + " secondary indexes, " +
          std::to_string(dropped_pk.size()) + " primary keys, " +
          std::to_string(dropped_fk.size()) + " foreign keys");
  }

  const int R = o.restaurants;
  // restaurants
  {
    int i = 0;
    db.copy_in(
        "restaurants (id, name, description, cuisine, tags, pictures, rating, rating_count, "
        "location, geo_key,"
        " address, phone, timezone, hours, is_active, delivery_radius_m, min_order_cents, "
        "delivery_fee_cents,"
        " avg_prep_minutes)",
        [&](std::string& buf) {
          for (int k = 0; k < 512 && i < R; ++k, ++i) {
            auto b = gen.restaurant(i, false);
            const auto& r = b.restaurant;
            CopyRow(buf)
                .text(r.id)
                .text(r.name)
                .text(r.description)
                .text(r.cuisine)
                .text(r.tags_json)
                .text(r.pictures_json)
                .tenths(r.rating_tenths)
                .num(r.rating_count)
                .point(r.lat, r.lng)
                .text(r.geo_key)
                .text(r.address)
                .text(r.phone)
                .text(r.timezone)
                .text(r.hours_json)
                .boolean(r.is_active)
                .num(r.delivery_radius_m)
                .num(r.min_order_cents)
                .num(r.delivery_fee_cents)
                .num(r.avg_prep_minutes)
                .end();
          }
          return i < R;
        });
    rep.restaurants = R;
    phase("restaurants: " + std::to_string(R));
  }
  // menu categories
  {
    int i = 0;
    db.copy_in("menu_categories (id, restaurant_id, name, position)", [&](std::string& buf) {
      for (int k = 0; k < 512 && i < R; ++k, ++i) {
        auto b = gen.restaurant(i, false);
        for (const auto& c : b.categories) {
          CopyRow(buf).text(c.id).text(c.restaurant_id).text(c.name).num(c.position).end();
          ++rep.categories;
        }
      }
      return i < R;
    });
    phase("menu categories: " + std::to_string(rep.categories));
  }
  // food items (with the restaurant's name and location denormalised)
  {
    int i = 0;
    int next_report = R / 10;
    db.copy_in(
        "food_items (id, restaurant_id, category_id, restaurant_name, restaurant_location, name, "
        "description,"
        " price_cents, kind, available, tags, picture, prep_minutes, position)",
        [&](std::string& buf) {
          for (int k = 0; k < 64 && i < R; ++k, ++i) {
            auto b = gen.restaurant(i, true);
            const auto& r = b.restaurant;
            std::string loc;
            ewkb_point_hex(loc, r.lat, r.lng);
            for (const auto& it : b.items) {
              CopyRow(buf)
                  .text(it.id)
                  .text(it.restaurant_id)
                  .text(it.category_id)
                  .text(r.name)
                  .text(loc)
                  .text(it.name)
                  .text(it.description)
                  .num(it.price_cents)
                  .text(it.kind())
                  .boolean(it.available)
                  .text(it.tags_json)
                  .text(it.picture)
                  .num(it.prep_minutes)
                  .num(it.position)
                  .end();
              ++rep.food_items;
            }
          }
          if (R >= 20'000 && i >= next_report && i < R) {
            log("seed:   food items " + std::to_string(rep.food_items) + " (" +
                std::to_string(i * 100LL / R) + "%)");
            next_report += R / 10;
          }
          return i < R;
        });
    phase("food items: " + std::to_string(rep.food_items));
  }
  // inventory: one row per food item
  {
    int i = 0;
    db.copy_in(
        "food_item_inventory (food_item_id, restaurant_id, item_type, available_quantity, "
        "max_prepared_quantity,"
        " preparation_time)",
        [&](std::string& buf) {
          for (int k = 0; k < 64 && i < R; ++k, ++i) {
            auto b = gen.restaurant(i, true);
            for (const auto& it : b.items) {
              CopyRow(buf)
                  .text(it.id)
                  .text(it.restaurant_id)
                  .text(it.kind())
                  .num(it.available_quantity)
                  .num(it.max_prepared_quantity)
                  .num(it.preparation_time)
                  .end();
              ++rep.inventory;
            }
          }
          return i < R;
        });
    phase("inventory rows: " + std::to_string(rep.inventory));
  }
  // customers and drivers
  {
    int i = 0;
    db.copy_in("customers (id, name, email, phone, geo_key, rating)", [&](std::string& buf) {
      for (; i < o.customers; ++i) {
        auto c = gen.customer(i);
        CopyRow(buf)
            .text(c.id)
            .text(c.name)
            .text(c.email)
            .text(c.phone)
            .text(c.geo_key)
            .tenths(c.rating_tenths)
            .end();
      }
      return false;
    });
    rep.customers = o.customers;
    int j = 0;
    db.copy_in(
        "drivers (id, name, phone, email, vehicle, license_plate, status, last_location, geo_key, "
        "rating,"
        " rating_count, completed_deliveries)",
        [&](std::string& buf) {
          for (; j < o.drivers; ++j) {
            auto d = gen.driver(j);
            CopyRow(buf)
                .text(d.id)
                .text(d.name)
                .text(d.phone)
                .text(d.email)
                .text(d.vehicle)
                .text(d.license_plate)
                .text(d.status)
                .point(d.lat, d.lng)
                .text(d.geo_key)
                .tenths(d.rating_tenths)
                .num(d.rating_count)
                .num(d.completed_deliveries)
                .end();
          }
          return false;
        });
    db.exec(
        "UPDATE drivers SET last_location_at = now() WHERE last_location IS NOT NULL AND "
        "last_location_at IS NULL");
    rep.drivers = o.drivers;
    phase("customers: " + std::to_string(o.customers) + ", drivers: " + std::to_string(o.drivers));
  }

  if (rep.bulk_mode) {
    for (const auto& [table, def] : dropped_pk) db.exec(def);
    phase("rebuilt " + std::to_string(dropped_pk.size()) + " primary keys");
    db.exec("SET LOCAL session_replication_role = DEFAULT");
    for (const auto& [table, def] : dropped_fk) db.exec(def);  // re-adding validates every row
    phase("re-added and validated " + std::to_string(dropped_fk.size()) + " foreign keys");
    for (const auto& [name, def] : dropped_idx) db.exec(def);
    phase("rebuilt " + std::to_string(dropped_idx.size()) + " secondary indexes");
  }
  db.exec("COMMIT");
  phase("committed");
  db.exec(
      "ANALYZE restaurants, menu_categories, food_items, food_item_inventory, customers, drivers");
  phase("analyzed");
  rep.elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
  return rep;
}

}  // namespace se::seed
