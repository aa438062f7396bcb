-- outbox_next() as PL/pgSQL instead of SQL. A SQL function with SET options is neither inlined
-- nor keeps its plan: the relay's every call parsed and planned the query again (at 1,000 orders/s
-- about 125 calls a second, ~5 % of PostgreSQL's CPU on the order path, pg_stat_statements:
-- plans = calls). PL/pgSQL prepares the query once per connection and keeps the plan; the SET
-- options still apply when it is planned, so it remains the in-order walk of outbox_unpublished
-- (docs/events.md) that never sorts the backlog.
CREATE OR REPLACE FUNCTION outbox_next(shards int[], n int) RETURNS SETOF outbox
LANGUAGE plpgsql STABLE
SET enable_bitmapscan = off SET enable_sort = off SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY SELECT * FROM outbox WHERE published_at IS NULL AND shard = ANY(shards) ORDER BY id LIMIT n;
END
$$;
