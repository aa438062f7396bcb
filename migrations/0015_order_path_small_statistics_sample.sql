-- Small statistics samples for the tables every order writes. ANALYZE samples 300 rows per unit
-- of the largest statistics target of a table's columns: 30,000 rows at the default 100. On the
-- order path's tables that cost about 1.1 s of CPU per autovacuum pass (idempotency keys
-- 0.29-0.41 s, orders 0.22, payments 0.13-0.23, status history 0.15, order lines 0.08, gateway
-- charges 0.07), and at 1,000 orders/s a pass came about once a minute and showed on two cores
-- as seconds of P99 above one second (docs/benchmarks.md). With a target of 10 (3,000 rows) a
-- pass analyses them in about 0.1 s. These tables are read by key (the order path's statements
-- run generic plans on their primary keys) or by columns with few distinct values (status,
-- geo_key), whose ten most common values a 3,000-row sample still finds. Columns that 0014 took
-- out of statistics (target 0) stay out.
DO $$
DECLARE
  col record;
BEGIN
  FOR col IN
    SELECT a.attrelid::regclass AS tbl, a.attname
    FROM pg_attribute a
    WHERE a.attrelid IN ('orders'::regclass, 'order_items'::regclass, 'order_status_history'::regclass,
                         'payments'::regclass, 'idempotency_keys'::regclass, 'gateway_charges'::regclass,
                         'outbox'::regclass)
      AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget <> 0
  LOOP
    -- On a partitioned table this reaches every partition that exists; create_range_partitions()
    -- (0014) copies the parent's targets to partitions made later.
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 10', col.tbl, col.attname);
  END LOOP;
END;
$$;
