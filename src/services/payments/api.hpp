// The mock payment gateway as a real service: its own module, table (gateway_charges) and HTTP
// API, runnable alone (`swifteats serve --services payments --port 8090`). Idempotent per payment
// id: the first decision recorded for an id is final.
//
//   POST /payments/charges               {"payment_id","amount_cents","currency"?,"reference"?}
//   GET  /payments/charges/{id}          the recorded outcome, 404 if the gateway never saw it
//   POST /payments/charges/{id}/resolve  the outcome; an id never charged is recorded 'voided'
//                                        so a charge still in flight for it can no longer succeed
//   POST /payments/charges/{id}/refund   succeeded -> refunded (idempotent)
#pragma once
#include <cstdint>
#include <memory>

#include "core/router.hpp"
#include "services/payments/gateway_policy.hpp"
#include "store/batcher.hpp"
#include "store/pg.hpp"

namespace se::payments {

struct PaymentsOptions {
  GatewayPolicy policy;
  // Callers must present it in X-Internal-Key: the gateway moves money and is for the orders
  // service only, even when it shares a public port with the customer-facing routes.
  std::string internal_key;
  std::uint64_t seed = 0;  // 0 = from std::random_device
  // New charges are recorded several to a statement under load (store::Batcher).
  store::BatchLimits batch;
};

std::shared_ptr<void> register_payments(http::Router& router, boost::asio::any_io_executor ex,
                                        store::PgPool& pg, const PaymentsOptions& opts);

}  // namespace se::payments
