-- People and identity: customers, drivers, accounts (auth), restaurant staff, refresh tokens.
-- Privacy (seed, "Customers Table"): a customer's location is NEVER stored. customers carries only
-- a coarse geo_key (a ~20-40 km geohash cell, for shard routing), never coordinates or an address.

CREATE TABLE customers (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL,
  email        text NOT NULL DEFAULT '',
  phone        text NOT NULL DEFAULT '',
  geo_key      text NOT NULL DEFAULT '',
  rating       numeric(2,1) NOT NULL DEFAULT 5.0 CHECK (rating >= 0 AND rating <= 5),
  rating_count int NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
  is_active    boolean NOT NULL DEFAULT true,
  version      bigint NOT NULL DEFAULT 1,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_geo_key ON customers (geo_key);
CREATE INDEX customers_email ON customers (lower(email)) WHERE email <> '';

-- status: offline (not working), available (online, no order), busy (carrying an order).
-- Assignment is a compare-and-set on (status, version) (seed: "Optimistic Concurrency on drivers").
CREATE TABLE drivers (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL,
  phone               text NOT NULL DEFAULT '',
  email               text NOT NULL DEFAULT '',
  vehicle             text NOT NULL DEFAULT 'scooter'
                        CHECK (vehicle IN ('bicycle', 'scooter', 'motorcycle', 'car', 'walking')),
  license_plate       text NOT NULL DEFAULT '',
  status              text NOT NULL DEFAULT 'offline' CHECK (status IN ('offline', 'available', 'busy')),
  current_order_id    uuid,
  last_location       geography(Point,4326),
  last_location_at    timestamptz,
  geo_key             text NOT NULL DEFAULT '',
  rating              numeric(2,1) NOT NULL DEFAULT 5.0 CHECK (rating >= 0 AND rating <= 5),
  rating_count        int NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
  completed_deliveries int NOT NULL DEFAULT 0,
  is_active           boolean NOT NULL DEFAULT true,
  version             bigint NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'busy' OR current_order_id IS NOT NULL)
);
CREATE INDEX drivers_location_gist ON drivers USING gist (last_location);
CREATE INDEX drivers_geo_key_status ON drivers (geo_key, status);
CREATE INDEX drivers_available ON drivers (geo_key) WHERE status = 'available';
-- At most one driver per order.
CREATE UNIQUE INDEX drivers_current_order ON drivers (current_order_id) WHERE current_order_id IS NOT NULL;

CREATE TABLE accounts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('customer', 'restaurant_staff', 'driver', 'admin')),
  display_name  text NOT NULL DEFAULT '',
  customer_id   uuid REFERENCES customers (id) ON DELETE CASCADE,
  driver_id     uuid REFERENCES drivers (id) ON DELETE CASCADE,
  is_active     boolean NOT NULL DEFAULT true,
  version       bigint NOT NULL DEFAULT 1,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz,
  CHECK (role <> 'customer' OR customer_id IS NOT NULL),
  CHECK (role <> 'driver' OR driver_id IS NOT NULL)
);
CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));
CREATE UNIQUE INDEX accounts_customer ON accounts (customer_id) WHERE customer_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_driver ON accounts (driver_id) WHERE driver_id IS NOT NULL;

CREATE TABLE restaurant_staff (
  account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  restaurant_id uuid NOT NULL REFERENCES restaurants (id) ON DELETE CASCADE,
  role          text NOT NULL DEFAULT 'manager' CHECK (role IN ('owner', 'manager', 'staff')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, restaurant_id)
);
CREATE INDEX restaurant_staff_restaurant ON restaurant_staff (restaurant_id);

-- Opaque refresh tokens are stored only as a hash. Rotation: each use revokes the token and
-- records its successor; reuse of a revoked token revokes the whole family.
CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  family_id   uuid NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  issued_at   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  replaced_by uuid,
  user_agent  text NOT NULL DEFAULT '',
  ip          text NOT NULL DEFAULT ''
);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
