-- Catalog: restaurants, menu categories, food items and their inventory (seed: "Database Schema
-- Relationships", "Food Item Inventory Table"). food_items denormalises restaurant_name and
-- restaurant_location so unified search can answer from one table.

CREATE TABLE restaurants (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name               text NOT NULL,
  description        text NOT NULL DEFAULT '',
  cuisine            text NOT NULL,
  tags               jsonb NOT NULL DEFAULT '[]',
  pictures           jsonb NOT NULL DEFAULT '[]',
  rating             numeric(2,1) NOT NULL DEFAULT 0 CHECK (rating >= 0 AND rating <= 5),
  rating_count       int NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
  location           geography(Point,4326) NOT NULL,
  geo_key            text NOT NULL,
  address            text NOT NULL DEFAULT '',
  phone              text NOT NULL DEFAULT '',
  timezone           text NOT NULL DEFAULT 'UTC',
  -- {"mon":[["09:00","22:00"]], ..., "sun":[]}: local-time [open, close) pairs; close <= open
  -- means the interval runs past midnight into the next day. See restaurant_is_open().
  hours              jsonb NOT NULL CHECK (jsonb_typeof(hours) = 'object'),
  is_active          boolean NOT NULL DEFAULT true,
  delivery_radius_m  int NOT NULL DEFAULT 5000 CHECK (delivery_radius_m > 0),
  min_order_cents    int NOT NULL DEFAULT 0 CHECK (min_order_cents >= 0),
  delivery_fee_cents int NOT NULL DEFAULT 0 CHECK (delivery_fee_cents >= 0),
  avg_prep_minutes   int NOT NULL DEFAULT 15 CHECK (avg_prep_minutes >= 0),
  version            bigint NOT NULL DEFAULT 1,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (jsonb_typeof(tags) = 'array'),
  CHECK (jsonb_typeof(pictures) = 'array')
);

CREATE INDEX restaurants_location_gist ON restaurants USING gist (location);
CREATE INDEX restaurants_geo_key_cuisine ON restaurants (geo_key, cuisine);
CREATE INDEX restaurants_tags_gin ON restaurants USING gin (tags);
CREATE INDEX restaurants_name_trgm ON restaurants USING gin (name gin_trgm_ops);
CREATE INDEX restaurants_fts ON restaurants USING gin (to_tsvector('simple', name || ' ' || cuisine));
CREATE INDEX restaurants_cuisine ON restaurants (cuisine);

-- True when the restaurant is open at `at`, given its weekly hours and IANA time zone.
-- An interval [open, close) with close <= open runs past midnight: Monday ["22:00","02:00"]
-- covers Monday 22:00 to Tuesday 02:00. "24:00" is accepted as a close time; ["00:00","00:00"]
-- means open all day. Missing days or an empty list mean closed that day.
CREATE FUNCTION restaurant_is_open(hours jsonb, tz text, at timestamptz)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  local_ts  timestamp;
  t         time;
  today     int;
  yesterday int;
  days      constant text[] := ARRAY['mon','tue','wed','thu','fri','sat','sun'];
  iv        jsonb;
  o         time;
  c         time;
BEGIN
  IF hours IS NULL OR at IS NULL THEN
    RETURN false;
  END IF;
  local_ts  := at AT TIME ZONE coalesce(nullif(tz, ''), 'UTC');
  t         := local_ts::time;
  today     := extract(isodow FROM local_ts)::int;           -- 1 = Monday .. 7 = Sunday
  yesterday := CASE WHEN today = 1 THEN 7 ELSE today - 1 END;

  IF jsonb_typeof(hours -> days[today]) = 'array' THEN
    FOR iv IN SELECT value FROM jsonb_array_elements(hours -> days[today]) LOOP
      o := (iv ->> 0)::time;
      c := (iv ->> 1)::time;
      IF c > o THEN
        IF t >= o AND t < c THEN RETURN true; END IF;
      ELSIF t >= o THEN                                        -- runs past midnight
        RETURN true;
      END IF;
    END LOOP;
  END IF;

  -- The tail of yesterday's intervals that ran past midnight.
  IF jsonb_typeof(hours -> days[yesterday]) = 'array' THEN
    FOR iv IN SELECT value FROM jsonb_array_elements(hours -> days[yesterday]) LOOP
      o := (iv ->> 0)::time;
      c := (iv ->> 1)::time;
      IF c <= o AND t < c THEN RETURN true; END IF;
    END LOOP;
  END IF;

  RETURN false;
END;
$$;

CREATE TABLE menu_categories (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  restaurant_id uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
  name          text NOT NULL,
  position      int NOT NULL DEFAULT 0
);
CREATE INDEX menu_categories_restaurant_position ON menu_categories (restaurant_id, position);

CREATE TABLE food_items (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  restaurant_id       uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
  category_id         uuid REFERENCES menu_categories (id) ON DELETE SET NULL,
  restaurant_name     text NOT NULL,
  restaurant_location geography(Point,4326) NOT NULL,
  name                text NOT NULL,
  description         text NOT NULL DEFAULT '',
  price_cents         int NOT NULL CHECK (price_cents >= 0),
  kind                text NOT NULL CHECK (kind IN ('prepared', 'made_to_order')),
  available           boolean NOT NULL DEFAULT true,
  tags                jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(tags) = 'array'),
  picture             text NOT NULL DEFAULT '',
  prep_minutes        int NOT NULL DEFAULT 10 CHECK (prep_minutes >= 0),
  position            int NOT NULL DEFAULT 0,
  version             bigint NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX food_items_menu ON food_items (restaurant_id, category_id, position);
CREATE INDEX food_items_available ON food_items (restaurant_id) WHERE available;
CREATE INDEX food_items_kind ON food_items (kind, restaurant_id);
CREATE INDEX food_items_price ON food_items (price_cents);
CREATE INDEX food_items_name_trgm ON food_items USING gin (name gin_trgm_ops);
CREATE INDEX food_items_fts ON food_items USING gin (to_tsvector('simple', name || ' ' || description));
CREATE INDEX food_items_tags_gin ON food_items USING gin (tags);
CREATE INDEX food_items_category ON food_items (category_id);
-- No GiST on restaurant_location: "dishes near me" filters restaurants by their GiST index
-- (150k rows, not 7.5M) and joins food_items on restaurant_id; restaurant_location is carried for
-- distance computation and display without the join.

-- One row per food item. prepared: available_quantity is stock on hand (max_prepared_quantity
-- the batch size); made_to_order: available_quantity is the remaining kitchen capacity.
CREATE TABLE food_item_inventory (
  food_item_id          uuid PRIMARY KEY REFERENCES food_items (id) ON DELETE CASCADE,
  restaurant_id         uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
  item_type             text NOT NULL CHECK (item_type IN ('prepared', 'made_to_order')),
  available_quantity    int NOT NULL CHECK (available_quantity >= 0),
  max_prepared_quantity int NOT NULL DEFAULT 0 CHECK (max_prepared_quantity >= 0),
  preparation_time      int NOT NULL DEFAULT 10 CHECK (preparation_time >= 0),
  version               bigint NOT NULL DEFAULT 1,
  last_updated          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX food_item_inventory_restaurant ON food_item_inventory (restaurant_id);
