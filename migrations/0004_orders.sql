-- Orders (seed: "Orders Table", "Data Retention & Archival"): partitioned by month on created_at
-- so old months can be detached and archived. Every table keyed by an order carries the order's
-- created_at (the partition key) so lookups prune to one partition and foreign keys work.

-- Creates one range partition of `parent` per `unit` ('month' or 'day', UTC boundaries) covering
-- [from_ts, to_ts), named <parent>_pYYYYMM or <parent>_pYYYYMMDD. Existing partitions are
-- skipped; a range whose rows already sit in the default partition is skipped with a warning.
-- Returns the number of partitions created.
CREATE FUNCTION create_range_partitions(parent text, unit text, from_ts timestamptz, to_ts timestamptz)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  step    interval;
  fmt     text;
  lo      timestamp;   -- UTC wall-clock boundaries
  hi      timestamp;
  pname   text;
  created int := 0;
BEGIN
  IF unit = 'month' THEN
    step := interval '1 month'; fmt := 'YYYYMM';
  ELSIF unit = 'day' THEN
    step := interval '1 day'; fmt := 'YYYYMMDD';
  ELSE
    RAISE EXCEPTION 'create_range_partitions: unit must be month or day, got %', unit;
  END IF;
  lo := date_trunc(unit, from_ts AT TIME ZONE 'UTC');
  WHILE lo < (to_ts AT TIME ZONE 'UTC') LOOP
    hi := lo + step;
    pname := parent || '_p' || to_char(lo, fmt);
    IF to_regclass(pname) IS NULL THEN
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       pname, parent, (lo AT TIME ZONE 'UTC'), (hi AT TIME ZONE 'UTC'));
        created := created + 1;
      EXCEPTION WHEN check_violation OR invalid_object_definition THEN
        RAISE WARNING 'create_range_partitions: cannot create % (%): rows for that range are in the default partition',
          pname, SQLERRM;
      END;
    END IF;
    lo := hi;
  END LOOP;
  RETURN created;
END;
$$;

CREATE TABLE orders (
  id                   uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at           timestamptz NOT NULL DEFAULT now(),
  customer_id          uuid NOT NULL REFERENCES customers (id),
  restaurant_id        uuid NOT NULL REFERENCES restaurants (id),
  driver_id            uuid REFERENCES drivers (id),
  status               text NOT NULL DEFAULT 'pending_payment' CHECK (status IN (
                         'pending_payment', 'confirmed', 'accepted', 'preparing', 'ready_for_pickup',
                         'picked_up', 'delivered', 'cancelled', 'failed')),
  version              bigint NOT NULL DEFAULT 1,
  subtotal_cents       int NOT NULL CHECK (subtotal_cents >= 0),
  delivery_fee_cents   int NOT NULL DEFAULT 0 CHECK (delivery_fee_cents >= 0),
  total_cents          int NOT NULL CHECK (total_cents >= 0),
  currency             text NOT NULL DEFAULT 'INR',
  -- Snapshot of what was ordered: [{"food_item_id","name","unit_price_cents","quantity","kind"}].
  items                jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(items) = 'array'),
  -- Where to deliver this order. Kept with the order (needed to deliver and for disputes); it is
  -- never copied onto the customer's row.
  delivery_address     text NOT NULL DEFAULT '',
  destination          geography(Point,4326) NOT NULL,
  geo_key              text NOT NULL,
  idempotency_key      text,
  payment_id           uuid,
  notes                text NOT NULL DEFAULT '',
  estimated_ready_at   timestamptz,
  estimated_delivery_at timestamptz,
  confirmed_at         timestamptz,
  accepted_at          timestamptz,
  ready_at             timestamptz,
  picked_up_at         timestamptz,
  delivered_at         timestamptz,
  cancelled_at         timestamptz,
  cancel_reason        text,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE orders_default PARTITION OF orders DEFAULT;

CREATE INDEX orders_customer ON orders (customer_id, created_at DESC);
CREATE INDEX orders_restaurant ON orders (restaurant_id, created_at DESC);
CREATE INDEX orders_driver ON orders (driver_id, created_at DESC) WHERE driver_id IS NOT NULL;
CREATE INDEX orders_id ON orders (id);
-- Active orders (everything not yet delivered/cancelled/failed): dispatch and tracking scans.
CREATE INDEX orders_active ON orders (geo_key, status, created_at)
  WHERE status NOT IN ('delivered', 'cancelled', 'failed');
CREATE INDEX orders_restaurant_active ON orders (restaurant_id, status)
  WHERE status NOT IN ('delivered', 'cancelled', 'failed');

CREATE TABLE order_items (
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  order_id         uuid NOT NULL,
  order_created_at timestamptz NOT NULL,
  food_item_id     uuid NOT NULL,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('prepared', 'made_to_order')),
  unit_price_cents int NOT NULL CHECK (unit_price_cents >= 0),
  quantity         int NOT NULL CHECK (quantity > 0),
  line_total_cents int NOT NULL CHECK (line_total_cents >= 0),
  PRIMARY KEY (id, order_created_at),
  FOREIGN KEY (order_id, order_created_at) REFERENCES orders (id, created_at) ON DELETE CASCADE
) PARTITION BY RANGE (order_created_at);
CREATE TABLE order_items_default PARTITION OF order_items DEFAULT;
CREATE INDEX order_items_order ON order_items (order_id, order_created_at);
CREATE INDEX order_items_food_item ON order_items (food_item_id);

CREATE TABLE order_status_history (
  id               bigint GENERATED ALWAYS AS IDENTITY,
  order_id         uuid NOT NULL,
  order_created_at timestamptz NOT NULL,
  from_status      text,
  to_status        text NOT NULL,
  actor            text NOT NULL DEFAULT 'system',   -- 'customer:<id>', 'restaurant:<id>', 'driver:<id>', 'system'
  reason           text NOT NULL DEFAULT '',
  version          bigint NOT NULL DEFAULT 1,        -- the order's version after the change
  at               timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, order_created_at),
  FOREIGN KEY (order_id, order_created_at) REFERENCES orders (id, created_at) ON DELETE CASCADE
) PARTITION BY RANGE (order_created_at);
CREATE TABLE order_status_history_default PARTITION OF order_status_history DEFAULT;
CREATE INDEX order_status_history_order ON order_status_history (order_id, order_created_at, at);

-- Idempotent order placement (POST /orders with Idempotency-Key). A unique key on a
-- partitioned table must include the partition key, so global uniqueness lives here.
CREATE TABLE idempotency_keys (
  key              text NOT NULL,
  scope            text NOT NULL DEFAULT 'orders',  -- e.g. 'orders', 'payments'
  owner_id         uuid,                            -- the account/customer the key belongs to
  request_hash     text NOT NULL DEFAULT '',        -- SHA-256 of the request body: reuse with another body is a 422
  order_id         uuid,
  order_created_at timestamptz,
  response_status  int,
  response_body    jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL DEFAULT now() + interval '24 hours',
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- Mocked payment gateway attempts (seed: "Payment Processing (Mocked)").
CREATE TABLE payments (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id         uuid NOT NULL,
  order_created_at timestamptz NOT NULL,
  amount_cents     int NOT NULL CHECK (amount_cents >= 0),
  currency         text NOT NULL DEFAULT 'INR',
  status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'authorized', 'captured', 'failed', 'refunded')),
  provider         text NOT NULL DEFAULT 'mock',
  provider_ref     text NOT NULL DEFAULT '',
  method           text NOT NULL DEFAULT 'card',
  attempt          int NOT NULL DEFAULT 1,
  failure_reason   text,
  idempotency_key  text UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (order_id, order_created_at) REFERENCES orders (id, created_at) ON DELETE CASCADE
);
CREATE INDEX payments_order ON payments (order_id);
