// Writing events into the transactional outbox, inside the caller's transaction.
#pragma once
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "store/pg.hpp"

namespace se::bus {

struct OutboxEvent {
  std::string topic;
  std::string key;  // ordering key: orderId / driverId / restaurantId
  std::string event_type;
  std::string payload = "{}";  // JSON object text
  std::int64_t version = 0;    // per-key version of the state (0 = unversioned)
  std::string correlation_id;
  std::string traceparent;
  std::string event_id;  // generated when empty
  // Take a transaction-scoped advisory lock on the key before inserting, so outbox ids of one
  // key follow commit order even when its writers do not otherwise lock each other. Not needed
  // (and off by default) when the transaction already locked the key's aggregate row before
  // enqueueing, as catalog and orders writes do; never mix keys in different orders with it on
  // (deadlocks).
  bool lock_key = false;
};

// Inserts the event in `tx` (which must be inside BEGIN). It is published after the commit, and
// never if the transaction rolls back. Per-key order: the relay publishes a key's events in
// outbox id order, which is commit order when the transaction locked the key's aggregate row
// first (or lock_key is set). Returns the eventId.
boost::asio::awaitable<std::string> enqueue(store::PgLease& tx, OutboxEvent ev);
// Several events in one statement (one round trip), in the given order. Returns the eventIds.
boost::asio::awaitable<std::vector<std::string>> enqueue_many(store::PgLease& tx,
                                                              std::vector<OutboxEvent> events);

}  // namespace se::bus
