CREATE TABLE thing.item (id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE thing.outbox (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  subject text,
  partition_key text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  -- What every function's outbox migrations add (e.g. functions/offer 005_outbox_parking.sql).
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  parked_at timestamptz,
  parked_reason text CHECK (parked_reason IN ('refused', 'too_large', 'invalid', 'exhausted')),
  traceparent text,
  -- The request that caused it: published as the `requestid` extension (audit names it).
  request_id text
);
CREATE TABLE thing.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);
