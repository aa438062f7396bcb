-- Orders service additions (docs/orders.md) and the mock payment gateway's own table.

-- The payment gateway (src/services/payments) is its own service: it owns this table and nothing
-- else reads it. One row per payment id, written once: the first decision for an id (a charge's
-- outcome, or 'voided' when the orders sweeper resolved an id the gateway never charged) is final,
-- which is what makes charge / resolve idempotent and race-free.
CREATE TABLE gateway_charges (
  payment_id     uuid PRIMARY KEY,
  amount_cents   int NOT NULL CHECK (amount_cents >= 0),
  currency       text NOT NULL DEFAULT 'INR',
  reference      text NOT NULL DEFAULT '',        -- the caller's reference (the order id)
  status         text NOT NULL CHECK (status IN ('succeeded', 'declined', 'voided', 'refunded')),
  decline_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  refunded_at    timestamptz
);

-- The sweeper looks for orders stuck between reserve and pay (status pending_payment past a
-- grace period) and for cancelled orders whose refund has not gone through yet.
CREATE INDEX orders_pending_payment ON orders (created_at) WHERE status = 'pending_payment';
ALTER TABLE payments ADD COLUMN refund_requested_at timestamptz;
CREATE INDEX payments_refund_due ON payments (refund_requested_at)
  WHERE status = 'captured' AND refund_requested_at IS NOT NULL;

-- Restaurant queue: active orders of a restaurant by status, oldest first.
CREATE INDEX orders_restaurant_queue ON orders (restaurant_id, status, created_at)
  WHERE status IN ('confirmed', 'accepted', 'preparing', 'ready_for_pickup', 'picked_up');

-- The payment outcome (and the sweeper) store the original response on the idempotency row of
-- the order that was placed with it.
CREATE INDEX idempotency_keys_order ON idempotency_keys (order_id) WHERE order_id IS NOT NULL;
