-- Order placement in one statement (services/orders/repo.cpp): the idempotency key, the
-- inventory compare-and-set, the order, its lines, payment row, history and outbox event are
-- written by a single INSERT ... WITH statement, so placing an order costs one read and one write
-- round trip. When the compare-and-set loses on any line, the statement must undo the lines it
-- did take: raising an error is the only way a single statement can roll itself back.
CREATE FUNCTION swifteats_abort_if(cond boolean, sqlstate text, message text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF cond THEN
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
  END IF;
  RETURN true;
END
$$;
