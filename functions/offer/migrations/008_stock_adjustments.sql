-- Every change of a product's stock count made by staff, with its reason: a relative
-- adjustment (POST …/stock-adjustments) or a count set by a PATCH (reason 'correction').
-- Reservations for orders are not adjustments and are not recorded here.
-- idempotency_key makes a retried POST return the adjustment it made instead of adjusting twice.
CREATE TABLE offer.stock_adjustment (
  id uuid PRIMARY KEY,
  product_id uuid NOT NULL REFERENCES offer.product (id),
  change integer NOT NULL CHECK (change <> 0),
  stock_after integer NOT NULL CHECK (stock_after >= 0),
  reason text NOT NULL
    CHECK (reason IN ('received', 'returned', 'damaged', 'lost', 'correction', 'other')),
  note text,
  adjusted_by text,
  idempotency_key text,
  request_hash text,
  created_at timestamptz NOT NULL
);
CREATE INDEX stock_adjustment_product_idx ON offer.stock_adjustment (product_id, id DESC);
CREATE UNIQUE INDEX stock_adjustment_idempotency_idx
  ON offer.stock_adjustment (product_id, adjusted_by, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
