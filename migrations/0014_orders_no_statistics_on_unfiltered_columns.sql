-- No planner statistics for the order columns no query filters, joins or sorts on: the items
-- snapshot (jsonb), the destination (geography), the address, notes and cancel reason. Every
-- autovacuum ANALYZE of a month's orders computed them from 30,000 sampled rows; without them it
-- takes 0.22 instead of 0.53 s of CPU (bench/orders at 1,000 orders/s, where that ANALYZE ran
-- about once a minute and, on two cores, showed as a spike of that second's P99;
-- docs/benchmarks.md). Queries on these columns, should any come, will want their statistics back.
ALTER TABLE orders
  ALTER COLUMN items SET STATISTICS 0,
  ALTER COLUMN destination SET STATISTICS 0,
  ALTER COLUMN delivery_address SET STATISTICS 0,
  ALTER COLUMN notes SET STATISTICS 0,
  ALTER COLUMN cancel_reason SET STATISTICS 0;

-- ALTER TABLE reaches the partitions that exist; PostgreSQL does not copy a column's statistics
-- target to a partition created later, so create_range_partitions() now copies the parent's.
CREATE OR REPLACE FUNCTION create_range_partitions(parent text, unit text, from_ts timestamptz, to_ts timestamptz)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  step    interval;
  fmt     text;
  lo      timestamp;   -- UTC wall-clock boundaries
  hi      timestamp;
  pname   text;
  col     record;
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
        FOR col IN SELECT attname, attstattarget FROM pg_attribute
                   WHERE attrelid = parent::regclass AND attnum > 0 AND NOT attisdropped
                     AND attstattarget >= 0
        LOOP
          EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET STATISTICS %s', pname, col.attname, col.attstattarget);
        END LOOP;
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
