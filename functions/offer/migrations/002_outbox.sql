-- Events recorded in the same transaction as the change they describe; a relay publishes them.
CREATE TABLE offer.outbox (
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

CREATE INDEX outbox_unpublished_idx ON offer.outbox (created_at, id)
  WHERE published_at IS NULL;
