-- The stock an order holds at offer: reserved at checkout, then released (payment failed, order
-- cancelled or expired) or committed (paid). `*_due` rows are waiting for offer to confirm; the
-- order sweep retries them. Orders from before reservations hold none.
ALTER TABLE cart."order" ADD COLUMN stock_status text NOT NULL DEFAULT 'none'
  CHECK (stock_status IN ('none', 'reserved', 'release_due', 'released', 'commit_due',
    'committed', 'commit_refused'));
CREATE INDEX order_stock_due_idx ON cart."order" (updated_at)
  WHERE stock_status IN ('release_due', 'commit_due');
CREATE INDEX order_pending_payment_idx ON cart."order" (created_at)
  WHERE status = 'pending_payment';
