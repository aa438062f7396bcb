// Non-blocking PostgreSQL through libpq, driven by the io_context of the calling thread.
// One PgPool per io_context (per worker thread): connections never cross threads.
#pragma once
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

typedef struct pg_result PGresult;

namespace se::store {

// Thrown for any database failure. sqlstate is the five-character SQLSTATE ("" if none,
// e.g. connection lost), so callers can map unique violations, serialization failures...
struct PgError : std::runtime_error {
  std::string sqlstate;
  PgError(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate(std::move(sqlstate)) {}
};

// True for errors a statement's own data causes (SQLSTATE class 22, data exception, or 23,
// integrity constraint violation): store::Batcher reruns a failed batch's calls one by one on
// these, so one bad call does not fail the others.
inline bool is_data_error(const std::exception& e) {
  const auto* pe = dynamic_cast<const PgError*>(&e);
  return pe && (pe->sqlstate.rfind("22", 0) == 0 || pe->sqlstate.rfind("23", 0) == 0);
}

// Thrown by PgPool::acquire when no connection frees up within the acquire timeout,
// or when the server cannot be reached.
struct PgUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A text-format result; owns the PGresult.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* res);
  PgResult(PgResult&&) noexcept;
  PgResult& operator=(PgResult&&) noexcept;
  ~PgResult();

  [[nodiscard]] int rows() const;
  [[nodiscard]] int cols() const;
  [[nodiscard]] bool is_null(int row, int col) const;
  [[nodiscard]] std::string_view get(int row, int col) const;  // "" when null
  [[nodiscard]] int col(std::string_view name) const;          // -1 when absent
  [[nodiscard]] std::int64_t affected() const;                 // cmdTuples

 private:
  PGresult* res_ = nullptr;
};

using Param = std::optional<std::string>;  // nullopt is SQL NULL
using Params = std::vector<Param>;

class PgConnection;

// A leased connection; returns to its pool when destroyed. If a transaction is still
// open (or the connection broke) when the lease ends, the pool rolls back or discards it.
class PgLease {
 public:
  PgLease() = default;
  PgLease(std::shared_ptr<PgConnection> conn,
          std::function<void(std::shared_ptr<PgConnection>)> giveback);
  PgLease(PgLease&&) noexcept = default;
  PgLease& operator=(PgLease&&) noexcept = default;
  ~PgLease();

  // Runs one statement with text parameters ($1, $2...). Statements are prepared once per
  // connection (keyed by SQL text) and reused. Throws PgError.
  boost::asio::awaitable<PgResult> query(std::string_view sql, const Params& params = {});
  // Runs a simple-protocol statement (may contain several commands; no parameters).
  boost::asio::awaitable<void> exec(std::string_view sql);

  boost::asio::awaitable<void> begin() { co_await exec("BEGIN"); }
  boost::asio::awaitable<void> commit() { co_await exec("COMMIT"); }
  boost::asio::awaitable<void> rollback() { co_await exec("ROLLBACK"); }

  PgConnection* operator->() const { return conn_.get(); }
  explicit operator bool() const { return conn_ != nullptr; }

 private:
  std::shared_ptr<PgConnection> conn_;
  std::function<void(std::shared_ptr<PgConnection>)> giveback_;
};

struct PgPoolOptions {
  std::string conninfo;     // libpq connection string
  int max_connections = 8;  // per pool (per io_context)
  std::chrono::milliseconds acquire_timeout{2000};
  std::chrono::milliseconds statement_timeout{5000};  // SET statement_timeout on connect
  std::chrono::milliseconds connect_timeout{3000};
  // Extra session settings sent on connect ("-c name=value" each), e.g. the order path's
  // plan_cache_mode=force_generic_plan and enable_seqscan=off (see docs/operations.md).
  std::vector<std::pair<std::string, std::string>> settings;
};

// "name=value,name=value" -> PgPoolOptions::settings. Names are GUC identifiers and values
// plain words (letters, digits, _ . -), so nothing can smuggle other options into the
// connection. Throws std::invalid_argument naming the bad item.
std::vector<std::pair<std::string, std::string>> parse_pg_settings(const std::string& spec);

struct PgPoolStats {
  int open = 0;     // connections currently open
  int in_use = 0;   // leased out
  int waiting = 0;  // coroutines waiting for a connection
  std::uint64_t acquire_timeouts = 0;
};

class PgPool {
 public:
  PgPool(boost::asio::any_io_executor ex, PgPoolOptions opts);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Waits (up to acquire_timeout) for a free connection, opening a new one if below max.
  boost::asio::awaitable<PgLease> acquire();
  // Convenience: acquire, run one statement, release.
  boost::asio::awaitable<PgResult> query(std::string_view sql, const Params& params = {});
  // True if a trivial query succeeds within timeout.
  boost::asio::awaitable<bool> ping(std::chrono::milliseconds timeout);

  [[nodiscard]] PgPoolStats stats() const;
  [[nodiscard]] const PgPoolOptions& options() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace se::store
