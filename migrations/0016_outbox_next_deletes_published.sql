-- outbox_next(shards, n, done): the relay's round in one statement. It first deletes `done`, the
-- rows of its previous round that the bus has confirmed, then reads the next rows as
-- outbox_next(shards, n) does. A round used to be two statements, the read and then
-- `DELETE FROM outbox WHERE id = ANY($1)`, and that delete was planned again on every call (its
-- custom plan, which knows the array's length, always looked cheaper than the generic one;
-- pg_stat_statements at 1,000 orders/s: plans = calls, ~0.5 rounds per order). Deleting a round's
-- rows at the start of the next keeps the guarantee (a row is deleted only after the bus
-- confirmed it); a crash in between publishes them again, with the same event id, which
-- consumers drop. The two-argument function stays for binaries of the previous release.
CREATE OR REPLACE FUNCTION outbox_next(shards int[], n int, done bigint[]) RETURNS SETOF outbox
LANGUAGE plpgsql VOLATILE
SET enable_bitmapscan = off SET enable_sort = off SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  IF cardinality(done) > 0 THEN
    DELETE FROM outbox WHERE id = ANY(done);
  END IF;
  RETURN QUERY SELECT * FROM outbox WHERE published_at IS NULL AND shard = ANY(shards) ORDER BY id LIMIT n;
END
$$;
