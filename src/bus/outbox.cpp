#include "bus/outbox.hpp"

#include "bus/envelope.hpp"
#include "store/args.hpp"

namespace se::bus {

namespace {
// One element of a PostgreSQL array literal, quoted.
void append_element(std::string& out, const std::string& v) {
  if (out.size() > 1) out += ',';
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}
}  // namespace

boost::asio::awaitable<std::string> enqueue(store::PgLease& tx, OutboxEvent ev) {
  if (ev.event_id.empty()) ev.event_id = new_uuid();
  if (ev.lock_key) {
    // 24075 (0x5E0B): the outbox's advisory-lock class, so key hashes never collide with other
    // users.
    co_await tx.query("SELECT pg_advisory_xact_lock(24075, hashtext($1))",
                      store::pg_params(ev.key));
  }
  co_await tx.query(
      "INSERT INTO outbox (event_id, topic, key, event_type, payload, version, correlation_id, "
      "traceparent) "
      "VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6::bigint, $7, $8)",
      store::pg_params(ev.event_id, ev.topic, ev.key, ev.event_type, ev.payload,
                       std::to_string(ev.version), ev.correlation_id, ev.traceparent));
  co_return ev.event_id;
}

boost::asio::awaitable<std::vector<std::string>> enqueue_many(store::PgLease& tx,
                                                              std::vector<OutboxEvent> events) {
  std::vector<std::string> ids;
  if (events.empty()) co_return ids;
  std::string cols[8];
  for (auto& c : cols) c.assign(1, '{');  // not = "{": GCC 12 -O3 warns falsely (-Wrestrict)
  for (auto& ev : events) {
    if (ev.event_id.empty()) ev.event_id = new_uuid();
    if (ev.lock_key)
      co_await tx.query("SELECT pg_advisory_xact_lock(24075, hashtext($1))",
                        store::pg_params(ev.key));
    append_element(cols[0], ev.event_id);
    append_element(cols[1], ev.topic);
    append_element(cols[2], ev.key);
    append_element(cols[3], ev.event_type);
    append_element(cols[4], ev.payload);
    append_element(cols[5], std::to_string(ev.version));
    append_element(cols[6], ev.correlation_id);
    append_element(cols[7], ev.traceparent);
    ids.push_back(ev.event_id);
  }
  for (auto& c : cols) c += '}';
  // unnest ... WITH ORDINALITY keeps the given order for the bigserial ids.
  co_await tx.query(
      "INSERT INTO outbox (event_id, topic, key, event_type, payload, version, correlation_id, "
      "traceparent) "
      "SELECT e::uuid, t, k, ty, p::jsonb, v::bigint, c, tp FROM unnest($1::text[], $2::text[], "
      "$3::text[], "
      "$4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS u(e, t, k, "
      "ty, p, v, c, tp, n) "
      "ORDER BY n",
      store::pg_params(cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7]));
  co_return ids;
}

}  // namespace se::bus
