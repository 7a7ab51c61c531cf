-- Events recorded in the same transaction as the provider event they come from; a relay
-- publishes them to K_SINK (the shared kit's createOutboxRelay).
CREATE TABLE conversion_webhook.outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  subject text,
  partition_key text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text
);

-- The relay's reads: pending rows in id order, and the pending rows of a partition key.
CREATE INDEX outbox_pending_idx ON conversion_webhook.outbox (id)
  WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON conversion_webhook.outbox (partition_key, id)
  WHERE published_at IS NULL;
