-- Event backbone (docs/events.md): envelope columns on the outbox, relay wake-ups through
-- LISTEN/NOTIFY, relay shard leases, and the per-key versions consumers have applied.

ALTER TABLE outbox
  ADD COLUMN version        bigint NOT NULL DEFAULT 0,
  ADD COLUMN correlation_id text NOT NULL DEFAULT '',
  ADD COLUMN traceparent    text NOT NULL DEFAULT '',
  -- Relays split the outbox into 16 shards by key; one relay at a time holds a shard's lease,
  -- so the events of one key are published by one relay, in id (= commit, see enqueue) order.
  ADD COLUMN shard          int GENERATED ALWAYS AS ((hashtext(key) & 2147483647) % 16) STORED;

-- Relays alive (heartbeat every third of the lease); each holds at most 16 / live relays shards.
CREATE TABLE outbox_relays (
  owner   text PRIMARY KEY,
  seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbox_relay_leases (
  shard      int PRIMARY KEY CHECK (shard >= 0 AND shard < 16),
  owner      text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- One notification per committing transaction that wrote events (NOTIFY is delivered at
-- commit, and identical notifications of one transaction fold into one).
CREATE FUNCTION outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END;
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Newest version of each key a consumer has applied: older or equal versions are stale.
CREATE TABLE consumer_versions (
  consumer   text NOT NULL,
  key        text NOT NULL,
  version    bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, key)
);

-- The relay's read: the oldest unpublished rows of some shards, in id order. Forced to walk the
-- partial index in order (no bitmap scan + sort), so index entries of rows already published are
-- marked dead on the way and later scans skip them: the read stays cheap while vacuum catches up.
CREATE FUNCTION outbox_next(shards int[], n int) RETURNS SETOF outbox
LANGUAGE sql STABLE
SET enable_bitmapscan = off SET enable_sort = off SET enable_seqscan = off
AS $$
  SELECT * FROM outbox WHERE published_at IS NULL AND shard = ANY(shards) ORDER BY id LIMIT n
$$;

-- Rows are updated (published_at) and deleted (after a day) at the event rate: vacuum often.
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
                        autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.02);
