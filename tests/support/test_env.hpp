// A private PostgreSQL (with PostGIS) and Redis for integration tests, started on free loopback
// ports in a temporary directory on first use and stopped and removed when the process exits.
// Never connects to a server someone started by hand.
#pragma once
#include <string>

namespace se::test {

class TestEnv {
 public:
  // Starts the servers on first call (initdb runs as the `postgres` user via runuser when root).
  static TestEnv& get();

  [[nodiscard]] int pg_port() const { return pg_port_; }
  [[nodiscard]] int redis_port() const { return redis_port_; }
  [[nodiscard]] std::string temp_dir() const { return dir_; }

  // Creates a new empty database with every migration applied; returns its libpq conninfo.
  std::string fresh_database(const std::string& name);

  // Stops / restarts Redis (same port) for degradation tests.
  void stop_redis();
  void start_redis();

  ~TestEnv();

 private:
  TestEnv();
  void start_all();
  std::string dir_;
  int pg_port_ = 0;
  int redis_port_ = 0;
};

// A loopback TCP port free at the time of the call, below the kernel's ephemeral range: a port
// that bind(0) hands out belongs to that range, and an outgoing connection (to PostgreSQL, Redis,
// a test server) can take it before the server it was meant for binds it.
int free_port();

// Source tree root and the built swifteats binary (from compile definitions).
std::string source_dir();
std::string swifteats_binary();

}  // namespace se::test
