-- A reservation is held until expires_at: one a checkout left behind (cart crashed between
-- reserving and recording its order, or never settled it) is released by offer's own sweep, so
-- no unit stays taken forever. Holds outlast cart's pending-order time, which settles first.
ALTER TABLE offer.stock_reservation ADD COLUMN expires_at timestamptz;
ALTER TABLE offer.stock_reservation ADD COLUMN release_reason text
  CHECK (release_reason IN ('requested', 'expired'));
UPDATE offer.stock_reservation SET expires_at = created_at + interval '90 minutes';
ALTER TABLE offer.stock_reservation ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX stock_reservation_hold_idx ON offer.stock_reservation (expires_at)
  WHERE status = 'reserved';
