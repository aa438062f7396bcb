// Coalesces concurrent calls of one statement into one multi-row statement: the database pays
// its per-statement costs (executor start, locks on every partition, commit, a round trip) once
// per batch instead of once per call.
//
// No call waits for a batch to fill: while fewer than `max_in_flight` batches are running, a call
// starts one at once (alone, when the worker is quiet); calls arriving meanwhile queue, and the
// next free slot takes up to `max_batch` of them. Batches therefore grow only with load.
//
// One Batcher per worker (io_context): it is not thread-safe, like the pool it feeds.
#pragma once
#include <utility>  // must precede asio's awaitable headers on Boost 1.74

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/metrics.hpp"

namespace se::store {

// How far a Batcher coalesces (--db-batch-max, --db-batch-in-flight).
struct BatchLimits {
  std::size_t max_batch = 32;     // calls per statement
  std::size_t max_in_flight = 1;  // statements of this kind running at once
};

template <class In, class Out>
class Batcher {
 public:
  // Runs one batch; must return exactly one result per input, in input order, or throw (then
  // every call of the batch sees the exception).
  using Run = std::function<boost::asio::awaitable<std::vector<Out>>(const std::vector<In>&)>;
  // Inputs that must not share a batch (e.g. two orders taking the same stock): a conflicting
  // call waits for a later batch.
  using Conflicts = std::function<bool(const In&, const In&)>;
  // Errors that one call's data can cause (a constraint it breaks): when a batch of several fails
  // with one, each of its calls is run again alone, so only the culprit fails. Other errors (the
  // database is down, a timeout) fail the whole batch at once.
  using Isolate = std::function<bool(const std::exception&)>;

  // `name` labels the metrics {statement=name}: db_batches_total, db_batched_calls_total,
  // db_batch_wait_seconds (a call's time queued behind the batch in flight) and
  // db_batch_run_seconds (one batch's statement, as its callers wait for it).
  Batcher(std::string name, boost::asio::any_io_executor ex, BatchLimits limits, Run run,
          Conflicts conflicts = {}, Isolate isolate = {})
      : batches_(metrics::Registry::global().counter("db_batches_total", {{"statement", name}})),
        calls_(
            metrics::Registry::global().counter("db_batched_calls_total", {{"statement", name}})),
        wait_(
            metrics::Registry::global().histogram("db_batch_wait_seconds", {{"statement", name}})),
        run_time_(
            metrics::Registry::global().histogram("db_batch_run_seconds", {{"statement", name}})),
        ex_(std::move(ex)),
        max_batch_(limits.max_batch ? limits.max_batch : 1),
        max_in_flight_(limits.max_in_flight ? limits.max_in_flight : 1),
        run_(std::move(run)),
        conflicts_(std::move(conflicts)),
        isolate_(std::move(isolate)) {}

  [[nodiscard]] const boost::asio::any_io_executor& executor() const { return ex_; }

  boost::asio::awaitable<Out> submit(In in) {
    auto call = std::make_shared<Call>(ex_, std::move(in));
    queue_.push_back(call);
    if (in_flight_ < max_in_flight_) {
      ++in_flight_;
      boost::asio::co_spawn(ex_, drain(), boost::asio::detached);
    }
    // Single-threaded: nothing can complete the call between this check and the wait.
    if (!call->done) {
      boost::system::error_code ec;
      co_await call->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (call->error) std::rethrow_exception(call->error);
    if (!call->out) throw std::logic_error("batch returned no result for a call");
    co_return std::move(*call->out);
  }

  [[nodiscard]] std::size_t queued() const { return queue_.size(); }

 private:
  struct Call {
    Call(const boost::asio::any_io_executor& ex, In i) : wake(ex), in(std::move(i)) {
      wake.expires_at(boost::asio::steady_timer::time_point::max());
    }
    boost::asio::steady_timer wake;
    std::chrono::steady_clock::time_point queued_at = std::chrono::steady_clock::now();
    In in;
    std::optional<Out> out;
    std::exception_ptr error;
    bool done = false;
  };
  using CallPtr = std::shared_ptr<Call>;

  std::vector<CallPtr> take() {
    std::vector<CallPtr> batch;
    for (auto it = queue_.begin(); it != queue_.end() && batch.size() < max_batch_;) {
      bool clash = false;
      if (conflicts_)
        for (const auto& b : batch)
          if (conflicts_(b->in, (*it)->in)) {
            clash = true;
            break;
          }
      if (clash) {
        ++it;
        continue;
      }
      batch.push_back(*it);
      it = queue_.erase(it);
    }
    return batch;
  }

  // run_, checked to answer once per input; its results, or what it threw.
  boost::asio::awaitable<std::pair<std::vector<Out>, std::exception_ptr>> attempt(
      std::vector<In> ins) {
    std::pair<std::vector<Out>, std::exception_ptr> result;
    try {
      result.first = co_await run_(ins);
      if (result.first.size() != ins.size())
        throw std::logic_error("batch returned the wrong number of results");
    } catch (...) {
      result.second = std::current_exception();
    }
    co_return result;
  }

  bool isolatable(const std::exception_ptr& error) const {
    if (!isolate_) return false;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      return isolate_(e);
    } catch (...) {
      return false;
    }
  }

  static void finish(Call& c, const std::exception_ptr& error, std::vector<Out>& out) {
    if (error)
      c.error = error;
    else
      c.out = std::move(out.front());
    c.done = true;
    c.wake.cancel();
  }

  boost::asio::awaitable<void> drain() {
    while (!queue_.empty()) {
      auto batch = take();
      ++batches_;
      calls_ += batch.size();
      std::vector<In> ins;
      ins.reserve(batch.size());
      const auto started = std::chrono::steady_clock::now();
      for (const auto& c : batch) {
        ins.push_back(c->in);
        wait_.observe(std::chrono::duration<double>(started - c->queued_at).count());
      }
      auto all = co_await attempt(std::move(ins));
      run_time_.observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (all.second && batch.size() > 1 && isolatable(all.second)) {
        // A call's own data broke the statement: each call alone, so the others still succeed.
        for (const auto& c : batch) {
          std::vector<In> one;  // named, not braced inside co_await (GCC 12 coroutines)
          one.push_back(c->in);
          auto alone = co_await attempt(std::move(one));
          finish(*c, alone.second, alone.first);
        }
        continue;
      }
      for (std::size_t i = 0; i < batch.size(); ++i) {
        std::vector<Out> out;
        if (!all.second) out.push_back(std::move(all.first[i]));
        finish(*batch[i], all.second, out);
      }
    }
    --in_flight_;
  }

  std::atomic<std::uint64_t>& batches_;
  std::atomic<std::uint64_t>& calls_;
  metrics::Histogram& wait_;
  metrics::Histogram& run_time_;
  boost::asio::any_io_executor ex_;
  std::size_t max_batch_, max_in_flight_;
  Run run_;
  Conflicts conflicts_;
  Isolate isolate_;
  std::deque<CallPtr> queue_;
  std::size_t in_flight_ = 0;
};

}  // namespace se::store
