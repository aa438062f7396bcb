// Proves the integration-test harness: private PostgreSQL with PostGIS and the migrated schema,
// a private Redis that can be stopped and restarted on the same port.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "support/test_env.hpp"

namespace {

using se::test::TestEnv;

struct PgConn {
  explicit PgConn(const std::string& conninfo) : c(PQconnectdb(conninfo.c_str())) {}
  ~PgConn() { PQfinish(c); }
  // First column of the first row of a one-row result, or throws with the server's message.
  std::string scalar(const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    std::string out;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
      std::string msg = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error(sql + ": " + msg);
    }
    out = PQgetvalue(r, 0, 0);
    PQclear(r);
    return out;
  }
  bool ok() const { return PQstatus(c) == CONNECTION_OK; }
  PGconn* c;
};

// Sends PING over a raw socket; "" when unreachable.
std::string redis_ping(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char cmd[] = "PING\r\n";
    if (::send(fd, cmd, sizeof cmd - 1, MSG_NOSIGNAL) > 0) {
      char buf[64] = {};
      ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
      if (n > 0) reply.assign(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return reply;
}

TEST(TestEnv, PostgisUsableInFreshDatabase) {
  auto& env = TestEnv::get();
  EXPECT_GT(env.pg_port(), 0);
  PgConn db(env.fresh_database("harness_postgis"));
  ASSERT_TRUE(db.ok()) << PQerrorMessage(db.c);
  EXPECT_FALSE(db.scalar("SELECT postgis_version()").empty());
  // ~1.1 km between two points in Bengaluru.
  double d =
      std::stod(db.scalar("SELECT ST_Distance('SRID=4326;POINT(77.5946 12.9716)'::geography,"
                          " 'SRID=4326;POINT(77.6046 12.9716)'::geography)"));
  EXPECT_NEAR(d, 1085, 10);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM restaurants"), "0");
  EXPECT_EQ(db.scalar("SELECT count(*) > 0 FROM schema_migrations"), "t");
}

TEST(TestEnv, FreshDatabasesAreIsolated) {
  auto& env = TestEnv::get();
  PgConn a(env.fresh_database("harness_iso_a"));
  PgConn b(env.fresh_database("harness_iso_b"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  a.scalar("INSERT INTO customers(name) VALUES ('x') RETURNING id");
  EXPECT_EQ(a.scalar("SELECT count(*) FROM customers"), "1");
  EXPECT_EQ(b.scalar("SELECT count(*) FROM customers"), "0");
  // Re-creating a database by name gives an empty one again.
  PgConn a2(env.fresh_database("harness_iso_c"));
  EXPECT_EQ(a2.scalar("SELECT count(*) FROM customers"), "0");
}

TEST(TestEnv, RedisAnswersAndRestartsOnSamePort) {
  auto& env = TestEnv::get();
  const int port = env.redis_port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(redis_ping(port), "+PONG\r\n");
  env.stop_redis();
  EXPECT_EQ(redis_ping(port), "");
  env.start_redis();
  EXPECT_EQ(env.redis_port(), port);
  EXPECT_EQ(redis_ping(port), "+PONG\r\n");
}

TEST(TestEnv, PathsFromBuild) {
  EXPECT_FALSE(se::test::source_dir().empty());
  EXPECT_EQ(::access((se::test::source_dir() + "/migrations").c_str(), R_OK), 0);
  EXPECT_EQ(::access(se::test::swifteats_binary().c_str(), X_OK), 0);
}

}  // namespace
