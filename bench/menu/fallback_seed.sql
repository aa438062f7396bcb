-- Fallback seeder for bench/menu, used by run.sh only when `swifteats seed` is not available in
-- the binary being benchmarked. Deterministic (setseed), plain SQL against the migrated schema.
--   psql -v restaurants=2000 -v categories=5 -v items_per_category=5 -f fallback_seed.sql
-- A demo city: restaurants scattered over ~20 km around a centre, open all day, each with
-- `categories` categories of `items_per_category` items (25 items by default), half of them
-- prepared food with stock, half made to order.
\set ON_ERROR_STOP on
SELECT setseed(0.42);

BEGIN;
CREATE TEMP TABLE seed_r ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, n,
       'Bench Kitchen ' || n AS name,
       (ARRAY['indian','chinese','italian','mexican','thai','japanese','american','middle_eastern'])[1 + n % 8] AS cuisine,
       12.9716 + (random() - 0.5) * 0.18 AS lat,
       77.5946 + (random() - 0.5) * 0.18 AS lng
FROM generate_series(1, :restaurants) AS n;

INSERT INTO restaurants (id, name, description, cuisine, tags, rating, rating_count, location, geo_key,
                         address, phone, timezone, hours, delivery_radius_m, min_order_cents,
                         delivery_fee_cents, avg_prep_minutes)
SELECT id, name, 'A neighbourhood ' || cuisine || ' kitchen serving the bench city since ' || (1990 + n % 30),
       cuisine, jsonb_build_array(cuisine, 'bench'), round((3 + random() * 2)::numeric, 1), (random() * 2000)::int,
       ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography,
       'bench:' || round(lat::numeric, 2) || ':' || round(lng::numeric, 2),
       n || ' Bench Street, Bench City', '+91 80 ' || lpad(n::text, 8, '0'), 'Asia/Kolkata',
       '{"mon":[["00:00","00:00"]],"tue":[["00:00","00:00"]],"wed":[["00:00","00:00"]],"thu":[["00:00","00:00"]],
         "fri":[["00:00","00:00"]],"sat":[["00:00","00:00"]],"sun":[["00:00","00:00"]]}'::jsonb,
       5000, 10000, 2900, 15 + n % 20
FROM seed_r;

CREATE TEMP TABLE seed_c ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, r.id AS restaurant_id, r.name AS restaurant_name, r.lat, r.lng, c AS position,
       (ARRAY['Starters','Mains','Breads','Rice & Noodles','Desserts','Drinks','Specials','Sides'])[1 + (c - 1) % 8] AS name
FROM seed_r r, generate_series(1, :categories) AS c;

INSERT INTO menu_categories (id, restaurant_id, name, position)
SELECT id, restaurant_id, name, position FROM seed_c;

CREATE TEMP TABLE seed_i ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, c.restaurant_id, c.id AS category_id, c.restaurant_name, c.lat, c.lng, i AS position,
       c.name || ' dish ' || i AS name,
       CASE WHEN (c.position + i) % 2 = 0 THEN 'prepared' ELSE 'made_to_order' END AS kind
FROM seed_c c, generate_series(1, :items_per_category) AS i;

INSERT INTO food_items (id, restaurant_id, category_id, restaurant_name, restaurant_location, name, description,
                        price_cents, kind, available, tags, picture, prep_minutes, position)
SELECT id, restaurant_id, category_id, restaurant_name, ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography, name,
       'Freshly made ' || lower(name) || ' with seasonal vegetables, house spices and a side of chutney.',
       (99 + random() * 600)::int * 100 / 100, kind, random() > 0.05,
       CASE WHEN random() < 0.3 THEN '["veg","popular"]'::jsonb ELSE '["chef-special"]'::jsonb END,
       'https://img.example.com/items/' || id || '.jpg', 5 + (random() * 25)::int, position
FROM seed_i;

INSERT INTO food_item_inventory (food_item_id, restaurant_id, item_type, available_quantity, max_prepared_quantity,
                                 preparation_time)
SELECT id, restaurant_id, kind, (random() * 40)::int, 40, 10 FROM seed_i;
COMMIT;

ANALYZE restaurants;
ANALYZE menu_categories;
ANALYZE food_items;
ANALYZE food_item_inventory;
