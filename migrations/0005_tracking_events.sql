-- GPS history, the transactional outbox, consumer de-duplication, and partition maintenance.

-- Every accepted GPS fix (seed: "driver_location_history with time-based partitioning"), one
-- partition per UTC day so retention is DROP TABLE. The live position lives in Redis.
CREATE TABLE driver_location_history (
  driver_id    uuid NOT NULL,
  recorded_at  timestamptz NOT NULL,                 -- device time of the fix
  received_at  timestamptz NOT NULL DEFAULT now(),
  location     geography(Point,4326) NOT NULL,
  geo_key      text NOT NULL DEFAULT '',
  speed_mps    real,
  heading_deg  real,
  accuracy_m   real,
  order_id     uuid,
  status       text NOT NULL DEFAULT '',
  PRIMARY KEY (driver_id, recorded_at)                -- a repeated fix is a no-op (ON CONFLICT DO NOTHING)
) PARTITION BY RANGE (recorded_at);
CREATE TABLE driver_location_history_default PARTITION OF driver_location_history DEFAULT;
CREATE INDEX driver_location_history_order ON driver_location_history (order_id, recorded_at)
  WHERE order_id IS NOT NULL;
CREATE INDEX driver_location_history_recorded_brin ON driver_location_history USING brin (recorded_at);

-- Transactional outbox: a state change and the events it causes commit together; a relay
-- publishes unpublished rows in id order and stamps published_at.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  event_id     uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  topic        text NOT NULL,
  key          text NOT NULL DEFAULT '',
  event_type   text NOT NULL,
  payload      jsonb NOT NULL,
  headers      jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts     int NOT NULL DEFAULT 0,
  last_error   text
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- At-least-once consumers record each handled eventId in the same transaction as its effect.
CREATE TABLE processed_events (
  consumer     text NOT NULL,
  event_id     uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);

-- Creates every missing partition for [from_ts, to_ts): monthly for orders, order_items and
-- order_status_history; daily for driver_location_history. Returns how many were created.
-- The server calls ensure_partitions(now() - interval '1 month', now() + interval '3 months') at
-- start-up (and may call it daily); cheap when nothing is missing.
CREATE FUNCTION ensure_partitions(from_ts timestamptz, to_ts timestamptz)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  n int := 0;
BEGIN
  n := n + create_range_partitions('orders', 'month', from_ts, to_ts);
  n := n + create_range_partitions('order_items', 'month', from_ts, to_ts);
  n := n + create_range_partitions('order_status_history', 'month', from_ts, to_ts);
  n := n + create_range_partitions('driver_location_history', 'day',
                                   greatest(from_ts, now() - interval '7 days'),
                                   least(to_ts, now() + interval '30 days'));
  RETURN n;
END;
$$;

-- The default window: orders from 2 months back to 6 months ahead; GPS history for the last
-- 2 days to 14 days ahead.
CREATE FUNCTION ensure_partitions()
RETURNS int
LANGUAGE sql AS $$
  SELECT create_range_partitions('orders', 'month', now() - interval '2 months', now() + interval '6 months')
       + create_range_partitions('order_items', 'month', now() - interval '2 months', now() + interval '6 months')
       + create_range_partitions('order_status_history', 'month', now() - interval '2 months', now() + interval '6 months')
       + create_range_partitions('driver_location_history', 'day', now() - interval '2 days', now() + interval '14 days');
$$;

SELECT ensure_partitions();
