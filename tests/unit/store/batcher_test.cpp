// store::Batcher on a real io_context: calls coalesce only while a batch is running, results go
// back to their own callers, conflicting inputs never share a batch, and a failed batch fails
// each of its calls (and no other).
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/batcher.hpp"

namespace {
namespace asio = boost::asio;
using Batches = std::vector<std::vector<int>>;

asio::awaitable<void> turns(int n) {
  for (int k = 0; k < n; ++k)
    co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
}

// A "statement" that takes three turns of the event loop (as a database round trip would) and
// answers each input times ten; it fails when an input is negative.
asio::awaitable<std::vector<int>> times_ten(const std::vector<int>& in, Batches& seen) {
  seen.push_back(in);
  co_await turns(3);
  std::vector<int> out;
  for (int v : in) {
    if (v < 0) throw std::runtime_error("negative input");
    out.push_back(v * 10);
  }
  co_return out;
}

struct Results {
  std::vector<int> value;
  std::vector<std::string> error;
};

// Submits input i from its own coroutine after i turns of the loop (one call per turn, as
// requests arrive) and runs the loop to completion.
Results run_all(const std::vector<int>& inputs, std::size_t max_batch, std::size_t in_flight,
                Batches& seen, se::store::Batcher<int, int>::Conflicts conflicts = {},
                se::store::Batcher<int, int>::Isolate isolate = {}) {
  asio::io_context io;
  se::store::Batcher<int, int> b(
      "test", io.get_executor(), se::store::BatchLimits{max_batch, in_flight},
      [&seen](const std::vector<int>& in) { return times_ten(in, seen); }, std::move(conflicts),
      std::move(isolate));
  Results r;
  r.value.assign(inputs.size(), 0);
  r.error.assign(inputs.size(), "");
  for (std::size_t i = 0; i < inputs.size(); ++i)
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          try {
            co_await turns(static_cast<int>(i));
            r.value[i] = co_await b.submit(inputs[i]);
          } catch (const std::exception& e) {
            r.error[i] = e.what();
          }
        },
        asio::detached);
  io.run();
  return r;
}

TEST(Batcher, TheFirstCallRunsAloneAndTheRestShareBatchesInOrder) {
  Batches seen;
  auto r = run_all({1, 2, 3, 4, 5, 6, 7}, 4, 1, seen);
  EXPECT_EQ(r.value, (std::vector<int>{10, 20, 30, 40, 50, 60, 70}));
  // Nothing waits for company: the first call starts a batch of one, the others queue behind it.
  EXPECT_EQ(seen, (Batches{{1}, {2, 3, 4}, {5, 6, 7}}));
}

TEST(Batcher, SeveralBatchesInFlightMeanSmallerBatches) {
  Batches seen;
  auto r = run_all({1, 2, 3, 4, 5}, 8, 2, seen);
  EXPECT_EQ(r.value, (std::vector<int>{10, 20, 30, 40, 50}));
  EXPECT_EQ(seen, (Batches{{1}, {2}, {3, 4}, {5}}));
}

TEST(Batcher, ConflictingInputsNeverShareABatch) {
  Batches seen;
  // Inputs conflict when equal modulo 3.
  auto r = run_all({1, 2, 4, 3, 5, 7, 6}, 8, 1, seen, [](int a, int b) { return a % 3 == b % 3; });
  EXPECT_EQ(r.value, (std::vector<int>{10, 20, 40, 30, 50, 70, 60}));
  for (const auto& batch : seen)
    for (std::size_t i = 0; i < batch.size(); ++i)
      for (std::size_t j = i + 1; j < batch.size(); ++j) EXPECT_NE(batch[i] % 3, batch[j] % 3);
  // A deferred input keeps its place: it goes in the next batch, ahead of later arrivals.
  EXPECT_EQ(seen, (Batches{{1}, {2, 4, 3}, {5, 7, 6}}));
}

TEST(Batcher, AFailedBatchFailsItsOwnCallsOnly) {
  Batches seen;
  auto r = run_all({1, 2, -3, 4, 5, 6}, 3, 1, seen);
  EXPECT_EQ(seen, (Batches{{1}, {2, -3, 4}, {5, 6}}));
  EXPECT_EQ(r.value[0], 10);
  for (int i : {1, 2, 3}) EXPECT_EQ(r.error[i], "negative input") << i;
  EXPECT_EQ(r.value[4], 50);
  EXPECT_EQ(r.value[5], 60);
  EXPECT_TRUE(r.error[0].empty() && r.error[4].empty() && r.error[5].empty());
}

TEST(Batcher, ADataErrorIsRetriedCallByCallSoOnlyTheCulpritFails) {
  Batches seen;
  auto r = run_all({1, 2, -3, 4, 5, 6}, 3, 1, seen, {}, [](const std::exception& e) {
    return std::string(e.what()) == "negative input";
  });
  // The failed batch {2, -3, 4} is run again one call at a time.
  EXPECT_EQ(seen, (Batches{{1}, {2, -3, 4}, {2}, {-3}, {4}, {5, 6}}));
  EXPECT_EQ(r.value, (std::vector<int>{10, 20, 0, 40, 50, 60}));
  EXPECT_EQ(r.error, (std::vector<std::string>{"", "", "negative input", "", "", ""}));
}

// Observations so far of histogram `name`{statement="test"} (its _count line).
std::uint64_t observed(const std::string& name) {
  std::string text;
  se::metrics::Registry::global().histogram(name, {{"statement", "test"}}).render("h", "", text);
  const auto at = text.find("h_count ");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + 8));
}

TEST(Batcher, CountsBatchesAndCalls) {
  auto& reg = se::metrics::Registry::global();
  const auto b0 = reg.counter("db_batches_total", {{"statement", "test"}}).load();
  const auto c0 = reg.counter("db_batched_calls_total", {{"statement", "test"}}).load();
  Batches seen;
  run_all({1, 2, 3, 4}, 8, 1, seen);
  EXPECT_EQ(reg.counter("db_batches_total", {{"statement", "test"}}).load() - b0, 2u);
  EXPECT_EQ(reg.counter("db_batched_calls_total", {{"statement", "test"}}).load() - c0, 4u);
}

TEST(Batcher, TimesEachCallsWaitAndEachBatchsRun) {
  const auto w0 = observed("db_batch_wait_seconds");
  const auto r0 = observed("db_batch_run_seconds");
  Batches seen;
  run_all({1, 2, 3, 4, 5}, 3, 1, seen);  // batches {1}, {2, 3, 4}, {5}
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(observed("db_batch_wait_seconds") - w0, 5u);
  EXPECT_EQ(observed("db_batch_run_seconds") - r0, 3u);
}

}  // namespace
