// HTTP routes of the orders service (docs/orders.md):
//   POST /orders                         place (customer; Idempotency-Key required)
//   GET  /orders                         my orders, newest first, cursor pagination (customer)
//   GET  /orders/{id}                    one order with its status history (its customer, the
//                                        restaurant's staff, its driver, admin)
//   POST /orders/{id}/status             {"status","expected_version"?,"reason"?} by the
//                                        allowed role
//   POST /orders/{id}/cancel             {"reason"?,"expected_version"?}
//   GET  /restaurants/{id}/orders        the restaurant's live queue (?status=a,b)
// and, on one worker per process, the sweeper that settles orders stuck in pending_payment and
// retries refunds, by asking the payment gateway for the outcome.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/router.hpp"
#include "store/batcher.hpp"
#include "store/pg.hpp"

namespace se::orders {

// Session settings of the order path's connections (`--orders-pg-settings` default,
// docs/orders.md): generic plans that prune partitions when the executor starts, no sequential
// scans, and durable commits, so an order is answered only once it is on disk.
inline constexpr const char* kOrdersPgSettings =
    "plan_cache_mode=force_generic_plan,enable_seqscan=off,synchronous_commit=on";

struct OrdersOptions {
  // Base URL of the payment gateway ("http://host:port"). Called on each use so it can name the
  // same process's own port, known only once the server is bound.
  std::function<std::string()> payments_url;
  std::string payments_key;                         // sent as X-Internal-Key
  std::chrono::milliseconds payment_timeout{1000};  // per attempt
  int payment_attempts = 2;
  int cas_attempts = 3;
  // Items the placement cache may hold per worker (docs/orders.md); 0 reads before every write.
  std::size_t placement_cache_items = 100000;
  std::chrono::microseconds backoff_base{1000};
  std::chrono::microseconds backoff_cap{20000};
  // Concurrent order reads and writes of one kind are coalesced into one statement
  // (store::Batcher).
  store::BatchLimits batch;
  bool run_sweeper = true;
  std::chrono::milliseconds sweep_interval{2000};
  std::chrono::milliseconds sweep_grace{10000};  // pending_payment older than this is settled
  std::uint64_t seed = 0;                        // 0 = std::random_device
};

std::shared_ptr<void> register_orders(http::Router& router, boost::asio::any_io_executor ex,
                                      store::PgPool& pg, OrdersOptions opts);

}  // namespace se::orders
