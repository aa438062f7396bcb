-- Every index entry an order writes is paid on every order: a placement and its confirmation
-- write about 40 of them, and bench/orders measured index maintenance as the largest share of
-- PostgreSQL's CPU per order. This drops the entries nothing reads and merges the ones that
-- duplicate a primary key (docs/orders.md, "Write path"):
--  * order_items and order_status_history are only ever read by order (stock restoration, the
--    order's history): their primary keys now lead with the order, which replaces the separate
--    (order_id, order_created_at[, at]) indexes; the history is sorted by version when read.
--    order_items_food_item served no query.
--  * idempotency_keys_order served no query (keys are found by (scope, key) and the order by the
--    key it carries); expiry is by expires_at, which grows with insertion order, so a BRIN
--    index (a few pages, updated once per range) serves a clean-up as well as the B-tree did.
--  * payments.idempotency_key is the payment id as text (one payment per id already, by the
--    primary key): its unique index only duplicated the primary key.
--  * orders_restaurant (restaurant_id, created_at DESC) served no query: the restaurant's live
--    queue reads orders_restaurant_queue. Every status change of an order wrote an entry to it.
ALTER TABLE order_items DROP CONSTRAINT order_items_pkey;
ALTER TABLE order_items ADD PRIMARY KEY (order_id, order_created_at, id);
DROP INDEX order_items_order;
DROP INDEX order_items_food_item;

ALTER TABLE order_status_history DROP CONSTRAINT order_status_history_pkey;
ALTER TABLE order_status_history ADD PRIMARY KEY (order_id, order_created_at, id);
DROP INDEX order_status_history_order;

DROP INDEX idempotency_keys_order;
DROP INDEX idempotency_keys_expires;
CREATE INDEX idempotency_keys_expires ON idempotency_keys USING brin (expires_at);

ALTER TABLE payments DROP CONSTRAINT payments_idempotency_key_key;

DROP INDEX orders_restaurant;
