#include "bus/outbox.hpp"

#include "bus/envelope.hpp"
#include "store/args.hpp"

namespace se::bus {

boost::asio::awaitable<std::string> enqueue(store::PgLease& tx, OutboxEvent ev) {
  if (ev.event_id.empty()) ev.event_id = new_uuid();
  // 0x5E0B: the outbox's advisory-lock class, so key hashes never collide with other users.
  co_await tx.query(
      "WITH l AS (SELECT pg_advisory_xact_lock(24075, hashtext($3))) "
      "INSERT INTO outbox (event_id, topic, key, event_type, payload, version, correlation_id, traceparent) "
      "SELECT $1::uuid, $2, $3, $4, $5::jsonb, $6::bigint, $7, $8 FROM l",
      store::pg_params(ev.event_id, ev.topic, ev.key, ev.event_type, ev.payload, std::to_string(ev.version),
                       ev.correlation_id, ev.traceparent));
  co_return ev.event_id;
}

}  // namespace se::bus
