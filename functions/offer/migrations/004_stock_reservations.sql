-- Stock reserved for an order at checkout: taken from offer.product.stock by a conditional
-- update in the transaction that records the reservation, put back once when it is released
-- (payment failed, order cancelled or expired), kept for good when it is committed (paid).
CREATE TABLE offer.stock_reservation (
  order_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('reserved', 'released', 'committed')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE offer.stock_reservation_line (
  order_id uuid NOT NULL REFERENCES offer.stock_reservation (order_id),
  product_id uuid NOT NULL REFERENCES offer.product (id),
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, product_id)
);
CREATE INDEX stock_reservation_line_product_idx ON offer.stock_reservation_line (product_id);
