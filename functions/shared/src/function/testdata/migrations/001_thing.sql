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
  last_error text
);
CREATE TABLE thing.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);
