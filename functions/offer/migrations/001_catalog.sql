-- The catalog: categories and the products in them.
CREATE TABLE offer.category (
  slug text PRIMARY KEY
    CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE offer.product (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE
    CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 100),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  category text NOT NULL REFERENCES offer.category (slug),
  -- Money is integer minor units (cents) with an ISO 4217 currency.
  price_amount bigint NOT NULL CHECK (price_amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  images text[] NOT NULL DEFAULT '{}',
  stock integer NOT NULL CHECK (stock >= 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  -- Optimistic concurrency: every change increments it; If-Match names it.
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Built-in full-text search (no extensions, so it runs on PGlite too).
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', name), 'A')
    || setweight(to_tsvector('english', replace(category, '-', ' ')), 'B')
    || setweight(to_tsvector('english', description), 'C')
  ) STORED
);

CREATE INDEX product_search_idx ON offer.product USING gin (search);
CREATE INDEX product_category_idx ON offer.product (category);
-- One index per keyset sort order of the public listing (ties broken by id).
CREATE INDEX product_newest_idx ON offer.product (created_at DESC, id DESC)
  WHERE status = 'active';
CREATE INDEX product_price_idx ON offer.product (price_amount, id)
  WHERE status = 'active';
CREATE INDEX product_name_idx ON offer.product ((lower(name) COLLATE "C"), id)
  WHERE status = 'active';
