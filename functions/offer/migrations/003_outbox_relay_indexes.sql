-- The relay's reads: pending rows in id order (UUIDv7, so creation order), and the pending rows
-- of the partition keys it holds, in id order. Both stay small: rows leave them once published.
-- The outbox is small, so a plain CREATE INDEX (inside the migration's transaction) is brief.
CREATE INDEX outbox_pending_idx ON offer.outbox (id)
  WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON offer.outbox (partition_key, id)
  WHERE published_at IS NULL;
-- Served no query: the relay orders by id, not created_at.
DROP INDEX offer.outbox_unpublished_idx;
