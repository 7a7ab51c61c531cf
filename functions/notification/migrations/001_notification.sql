-- notification's first migration. Migrations are forward-only and never edited once applied.

-- Events recorded in the same transaction as the change they describe; the kit's relay
-- publishes them to K_SINK.
CREATE TABLE notification.outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  subject text,
  partition_key text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  -- The relay's retry state (backoff per partition key) and parking (refused for good, too
  -- large or out of attempts: staff retry it at /api/admin/events/notification/parked).
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  parked_at timestamptz,
  parked_reason text CHECK (parked_reason IN ('refused', 'too_large', 'invalid', 'exhausted')),
  traceparent text
);
-- The relay's reads: pending rows in id order, and the pending rows of a partition key.
CREATE INDEX outbox_pending_idx ON notification.outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON notification.outbox (partition_key, id)
  WHERE published_at IS NULL;
CREATE INDEX outbox_parked_idx ON notification.outbox (id) WHERE parked_at IS NOT NULL;

-- Events already handled (source + id), so a redelivery changes nothing.
CREATE TABLE notification.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);
