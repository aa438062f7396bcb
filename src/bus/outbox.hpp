// Writing events into the transactional outbox, inside the caller's transaction.
#pragma once
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>

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
};

// Inserts the event in `tx` (which must be inside BEGIN). It is published after the commit, and
// never if the transaction rolls back. Takes a transaction-scoped advisory lock on the key first,
// so outbox ids of one key are allocated in commit order even when writers of that key do not
// otherwise lock each other. Returns the eventId.
boost::asio::awaitable<std::string> enqueue(store::PgLease& tx, OutboxEvent ev);

}  // namespace se::bus
