-- Extensions used across the schema.
--   postgis:    geography(Point,4326) columns, ST_DWithin / ST_Distance, GiST indexes
--   pg_trgm:    fuzzy name search (similarity, ILIKE) with trigram GIN indexes
--   pgcrypto:   gen_random_uuid() (also core since PG13; kept for digest()/crypt() helpers)
--   btree_gist: exclusion constraints mixing scalar and range/geo columns
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS btree_gist;
