// Private PostgreSQL + Redis for the integration tests. See test_env.hpp.
//
// Process model:
//   test process ──fork/exec──> postgres (own process group, runs as `postgres` when we are root)
//                ──fork/exec──> redis-server (own process group)
//                ──fork/exec──> /bin/sh watchdog (own session), reading a pipe from us.
// Normal exit: the singleton's destructor (registered with atexit via a function-local static)
// stops both servers, tells the watchdog "done" and removes the temp dir. Abnormal exit (crash,
// SIGKILL, Ctrl-C): the pipe's write end closes with the process, the watchdog reads EOF, kills
// the servers' process groups and removes the temp dir. Postgres is also given
// PR_SET_PDEATHSIG so it dies with the thread that started it.
#include "support/test_env.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/migrate.hpp"

namespace se::test {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";

struct State {
  pid_t owner = 0;  // the process that started the servers (not forked children)
  pid_t pg_pid = -1;
  pid_t redis_pid = -1;
  pid_t watchdog_pid = -1;
  int watchdog_fd = -1;      // write end of the watchdog pipe
  bool as_postgres = false;  // we are root: run postgres as the postgres user
  uid_t pg_uid = 0;
  gid_t pg_gid = 0;
  std::mutex mu;
  std::string template_db;  // migrated once, cloned by fresh_database
};

State& state() {
  static State s;
  return s;
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("TestEnv: " + what); }

// Binds 127.0.0.1:port (0 = any) without SO_REUSEADDR, so a port still in TIME_WAIT counts as
// taken; returns the bound port, or 0 when the bind fails.
int try_bind(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  int bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    bound = ntohs(addr.sin_port);
  }
  ::close(fd);
  return bound;
}

}  // namespace

int free_port() {
  int low = 32768;  // Linux's default ip_local_port_range starts here
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  if (int l = 0; range >> l && l > 12000) low = l;
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(10000, low - 1);
  for (int i = 0; i < 200; ++i) {
    if (const int p = try_bind(pick(rng)); p != 0) return p;
  }
  if (const int p = try_bind(0); p != 0) return p;  // the ephemeral range, as a last resort
  fail("no free loopback port");
}

namespace {

std::string tail_file(const std::string& path, std::size_t max_bytes = 4000) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

// Forks and execs argv with stdout/stderr appended to log_path, in its own process group.
// When drop_to_postgres, the child switches to the postgres user first. When called from the
// main thread the child also gets PR_SET_PDEATHSIG(SIGKILL) (set after the uid change, which
// would clear it); not from other threads, since the signal fires when the forking *thread*
// exits. The watchdog covers every case anyway.
pid_t spawn(const std::vector<std::string>& args, const std::string& log_path,
            bool drop_to_postgres) {
  auto& st = state();
  // Everything the child needs is prepared before fork (no allocation after fork).
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) fail("open " + log_path + ": " + std::strerror(errno));
  if (drop_to_postgres && ::fchown(log_fd, st.pg_uid, st.pg_gid) != 0) {
    ::close(log_fd);
    fail("chown " + log_path);
  }
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();
  const bool main_thread = ::gettid() == parent;
  pid_t pid = ::fork();
  if (pid < 0) fail("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(devnull, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (drop_to_postgres) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(st.pg_gid) != 0 || ::setuid(st.pg_uid) != 0)
        _exit(126);
    }
    if (main_thread) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) _exit(125);
    }
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(log_fd);
  if (devnull >= 0) ::close(devnull);
  ::setpgid(pid, pid);  // also from the parent, to avoid racing the child
  return pid;
}

// Waits for a process to exit; returns its wait status, or -1 on timeout.
int wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return 0;  // not our child any more
    if (Clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool process_alive(pid_t pid) {
  int status = 0;
  return pid > 0 && ::waitpid(pid, &status, WNOHANG) == 0;
}

bool tcp_ping_redis(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval tv{0, 500000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "PING\r\n";
    if (::send(fd, ping, sizeof ping - 1, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof ping - 1)) {
      char buf[16] = {};
      ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
      ok = n >= 5 && std::strncmp(buf, "+PONG", 5) == 0;
    }
  }
  ::close(fd);
  return ok;
}

std::string admin_conninfo(int port, const std::string& db = "postgres") {
  return "host=127.0.0.1 port=" + std::to_string(port) + " dbname=" + db +
         " user=postgres connect_timeout=5";
}

void ignore_notice(void*, const char*) {}

void admin_exec(int port, const std::string& sql) {
  PGconn* c = PQconnectdb(admin_conninfo(port).c_str());
  PQsetNoticeProcessor(c, ignore_notice, nullptr);
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    fail("connect: " + msg);
  }
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string msg = ok ? "" : PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  if (!ok) fail(sql + ": " + msg);
}

bool valid_db_name(const std::string& name) {
  if (name.empty() || name.size() > 60) return false;
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return !(name[0] >= '0' && name[0] <= '9');
}

void write_watchdog(const std::string& line) {
  auto& st = state();
  if (st.watchdog_fd < 0) return;
  std::string l = line + "\n";
  [[maybe_unused]] auto n = ::write(st.watchdog_fd, l.data(), l.size());
}

}  // namespace

std::string source_dir() { return SWIFTEATS_SOURCE_DIR; }
std::string swifteats_binary() { return SWIFTEATS_BINARY; }

namespace {
TestEnv* g_env = nullptr;
std::string g_env_error;
}  // namespace

TestEnv& TestEnv::get() {
  // Constructed once; a failed start-up is remembered so later tests fail fast with the same
  // message instead of starting another pair of servers. Stopped at exit via atexit.
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      g_env = new TestEnv();
      std::atexit([] {
        delete g_env;
        g_env = nullptr;
      });
    } catch (const std::exception& ex) {
      g_env_error = ex.what();
    }
  });
  if (!g_env)
    throw std::runtime_error(g_env_error.empty() ? "TestEnv: already stopped" : g_env_error);
  return *g_env;
}

namespace {

// Stops everything this process started and removes the temp dir. Safe to call twice.
void shutdown_all(const std::string& dir) {
  auto& st = state();
  if (::getpid() != st.owner) return;  // a forked child exiting must not stop our servers
  if (st.redis_pid > 0) {
    ::kill(st.redis_pid, SIGTERM);
    if (wait_for_exit(st.redis_pid, std::chrono::seconds(5)) == -1) ::kill(-st.redis_pid, SIGKILL);
    ::kill(-st.redis_pid, SIGKILL);
    st.redis_pid = -1;
  }
  if (st.pg_pid > 0) {
    ::kill(st.pg_pid, SIGQUIT);  // immediate shutdown: the data is thrown away anyway
    if (wait_for_exit(st.pg_pid, std::chrono::seconds(10)) == -1) {
      ::kill(-st.pg_pid, SIGKILL);
      wait_for_exit(st.pg_pid, std::chrono::seconds(5));
    }
    ::kill(-st.pg_pid, SIGKILL);  // stray backends, if any
    st.pg_pid = -1;
  }
  write_watchdog("done");
  if (st.watchdog_fd >= 0) ::close(st.watchdog_fd);
  st.watchdog_fd = -1;
  if (st.watchdog_pid > 0) wait_for_exit(st.watchdog_pid, std::chrono::seconds(2));
  st.watchdog_pid = -1;
  if (!dir.empty()) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
}

}  // namespace

TestEnv::TestEnv() {
  try {
    start_all();
  } catch (...) {
    shutdown_all(dir_);
    throw;
  }
}

void TestEnv::start_all() {
  auto& st = state();
  st.owner = ::getpid();
  ::signal(SIGPIPE, SIG_IGN);

  char tmpl[] = "/tmp/swifteats-test-XXXXXX";
  if (!::mkdtemp(tmpl)) fail("mkdtemp: " + std::string(std::strerror(errno)));
  dir_ = tmpl;
  ::chmod(dir_.c_str(), 0755);  // the postgres user must reach its data dir and socket dir

  st.as_postgres = ::geteuid() == 0;
  if (st.as_postgres) {
    passwd* pw = ::getpwnam("postgres");
    if (!pw) fail("running as root but there is no 'postgres' user: run scripts/setup.sh");
    st.pg_uid = pw->pw_uid;
    st.pg_gid = pw->pw_gid;
  }

  // Watchdog: cleans up if we die without running destructors.
  {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe2");
    const std::string script =
        "pgids=''; "
        "while read -r kind arg; do "
        "  case \"$kind\" in "
        "    pgid) pgids=\"$pgids $arg\" ;; "
        "    done) exit 0 ;; "
        "  esac; "
        "done; "
        "for g in $pgids; do kill -9 -$g 2>/dev/null; done; "
        "sleep 0.2; rm -rf -- \"$1\"";
    std::vector<std::string> args = {"/bin/sh", "-c", script, "swifteats-test-watchdog", dir_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t pid = ::fork();
    if (pid < 0) fail("fork watchdog");
    if (pid == 0) {
      ::setsid();  // survives a terminal Ctrl-C aimed at our process group
      ::dup2(fds[0], 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      ::execv(argv[0], argv.data());
      _exit(127);
    }
    ::close(fds[0]);
    ::close(devnull);
    st.watchdog_fd = fds[1];
    st.watchdog_pid = pid;
  }

  // ---- PostgreSQL ----
  const std::string pgdata = dir_ + "/pg";
  const std::string pgsock = dir_ + "/pgsock";
  ::mkdir(pgdata.c_str(), 0700);
  ::mkdir(pgsock.c_str(), 0755);
  if (st.as_postgres && (::chown(pgdata.c_str(), st.pg_uid, st.pg_gid) != 0 ||
                         ::chown(pgsock.c_str(), st.pg_uid, st.pg_gid) != 0)) {
    fail("chown " + pgdata);
  }
  {
    pid_t pid =
        spawn({std::string(kPgBin) + "/initdb", "-D", pgdata, "-U", "postgres", "-A", "trust", "-E",
               "UTF8", "--locale=C.UTF-8", "--lc-collate=C", "--no-sync", "--no-instructions"},
              dir_ + "/initdb.log", st.as_postgres);
    int status = wait_for_exit(pid, std::chrono::seconds(120));
    if (status == -1) {
      ::kill(-pid, SIGKILL);
      fail("initdb timed out");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      fail("initdb failed:\n" + tail_file(dir_ + "/initdb.log"));
  }

  for (int attempt = 0;; ++attempt) {
    pg_port_ = free_port();
    st.pg_pid = spawn({std::string(kPgBin) + "/postgres",
                       "-D",
                       pgdata,
                       "-p",
                       std::to_string(pg_port_),
                       "-k",
                       pgsock,
                       "-c",
                       "listen_addresses=127.0.0.1",
                       "-c",
                       "fsync=off",
                       "-c",
                       "synchronous_commit=off",
                       "-c",
                       "full_page_writes=off",
                       "-c",
                       "max_connections=200",
                       "-c",
                       "shared_buffers=128MB",
                       "-c",
                       "log_min_messages=warning",
                       "-c",
                       "log_min_error_statement=panic"},
                      dir_ + "/postgres.log", st.as_postgres);
    write_watchdog("pgid " + std::to_string(st.pg_pid));
    auto deadline = Clock::now() + std::chrono::seconds(60);
    bool up = false;
    std::string ci = admin_conninfo(pg_port_);
    while (Clock::now() < deadline) {
      if (PQping(ci.c_str()) == PQPING_OK) {
        up = true;
        break;
      }
      if (!process_alive(st.pg_pid)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (up) break;
    ::kill(-st.pg_pid, SIGKILL);
    wait_for_exit(st.pg_pid, std::chrono::seconds(5));
    st.pg_pid = -1;
    if (attempt >= 2) fail("PostgreSQL did not start:\n" + tail_file(dir_ + "/postgres.log"));
  }

  // ---- Redis ----
  redis_port_ = free_port();
  start_redis();
}

void TestEnv::start_redis() {
  auto& st = state();
  std::lock_guard lock(st.mu);
  if (st.redis_pid > 0 && process_alive(st.redis_pid)) return;
  const std::string rdir = dir_ + "/redis";
  ::mkdir(rdir.c_str(), 0755);
  for (int attempt = 0;; ++attempt) {
    st.redis_pid = spawn({"/usr/bin/redis-server", "--port", std::to_string(redis_port_), "--bind",
                          "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", rdir,
                          "--daemonize", "no", "--loglevel", "warning"},
                         dir_ + "/redis.log", false);
    write_watchdog("pgid " + std::to_string(st.redis_pid));
    auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      if (tcp_ping_redis(redis_port_)) return;
      if (!process_alive(st.redis_pid)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(-st.redis_pid, SIGKILL);
    wait_for_exit(st.redis_pid, std::chrono::seconds(5));
    st.redis_pid = -1;
    // The port can be briefly unavailable after stop_redis; retry on the same port.
    if (attempt >= 50)
      fail("Redis did not start on port " + std::to_string(redis_port_) + ":\n" +
           tail_file(dir_ + "/redis.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void TestEnv::stop_redis() {
  auto& st = state();
  std::lock_guard lock(st.mu);
  if (st.redis_pid <= 0) return;
  ::kill(st.redis_pid, SIGTERM);
  if (wait_for_exit(st.redis_pid, std::chrono::seconds(10)) == -1) {
    ::kill(-st.redis_pid, SIGKILL);
    wait_for_exit(st.redis_pid, std::chrono::seconds(5));
  }
  st.redis_pid = -1;
  // Redis closes its listening socket before exiting; make sure nothing answers any more.
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (tcp_ping_redis(redis_port_) && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

std::string TestEnv::fresh_database(const std::string& name) {
  if (!valid_db_name(name)) fail("database name must match [a-z_][a-z0-9_]*: " + name);
  auto& st = state();
  std::lock_guard lock(st.mu);
  // Migrations run once through the real runner into a template database; each fresh database
  // is a copy of it (CREATE DATABASE ... TEMPLATE is a file copy: ~50 ms instead of seconds).
  if (st.template_db.empty()) {
    const std::string tmpl = "swifteats_template";
    admin_exec(pg_port_, "CREATE DATABASE " + tmpl);
    auto report = se::store::migrate(admin_conninfo(pg_port_, tmpl), source_dir() + "/migrations");
    (void)report;
    admin_exec(pg_port_, "ALTER DATABASE " + tmpl + " WITH ALLOW_CONNECTIONS false");
    st.template_db = tmpl;
  }
  admin_exec(pg_port_, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  admin_exec(pg_port_,
             "CREATE DATABASE " + name + " TEMPLATE " + st.template_db + " STRATEGY FILE_COPY");
  return "host=127.0.0.1 port=" + std::to_string(pg_port_) + " dbname=" + name + " user=postgres";
}

TestEnv::~TestEnv() { shutdown_all(dir_); }

}  // namespace se::test
