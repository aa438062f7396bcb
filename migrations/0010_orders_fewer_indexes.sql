-- Every status change of an order is a non-HOT update (status is indexed), so it writes an entry
-- into every index of orders whose predicate the new row matches: each index costs on every
-- step of every order. Two duplicate others:
--  * orders_id (id) is the leading column of the primary key (id, created_at), which serves
--    lookups by id alone just as well;
--  * orders_restaurant_active (restaurant_id, status) over non-terminal orders is covered by
--    orders_restaurant_queue (restaurant_id, status, created_at) for the restaurant's live queue,
--    and by orders_restaurant (restaurant_id, created_at DESC) for everything else.
DROP INDEX orders_id;
DROP INDEX orders_restaurant_active;
