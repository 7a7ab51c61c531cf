-- redirect's first migration. Migrations are forward-only and never edited once applied.

-- Events recorded in the same transaction as the change they describe; the kit's relay
-- publishes them to K_SINK.
CREATE TABLE redirect.outbox (
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
  -- large or out of attempts: staff retry it at /api/admin/events/redirect/parked).
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  parked_at timestamptz,
  parked_reason text CHECK (parked_reason IN ('refused', 'too_large', 'invalid', 'exhausted')),
  traceparent text
);
-- The relay's reads: pending rows in id order, and the pending rows of a partition key.
CREATE INDEX outbox_pending_idx ON redirect.outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON redirect.outbox (partition_key, id)
  WHERE published_at IS NULL;
CREATE INDEX outbox_parked_idx ON redirect.outbox (id) WHERE parked_at IS NOT NULL;

-- Events already handled (source + id), so a redelivery changes nothing.
CREATE TABLE redirect.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);

-- Tracked links /r/:code. `code_key` is what a request is matched on: the code itself for a
-- case-sensitive link, else its lower case; unique, so two links never answer one code.
CREATE TABLE redirect.link (
  id uuid PRIMARY KEY,
  code text NOT NULL CHECK (char_length(code) BETWEEN 1 AND 64),
  code_key text NOT NULL UNIQUE,
  case_sensitive boolean NOT NULL DEFAULT false,
  destination_url text NOT NULL CHECK (char_length(destination_url) <= 2048),
  affiliate_id text,
  campaign text,
  utm jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  redirect_status smallint NOT NULL DEFAULT 302 CHECK (redirect_status IN (301, 302)),
  expires_at timestamptz,
  expired_url text,
  rules jsonb NOT NULL DEFAULT '[]',
  variants jsonb NOT NULL DEFAULT '[]',
  -- argon2id PHC string, never the password.
  password_hash text,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  created_by text
);
-- The admin listing: newest first, cursor on (created_at, id).
CREATE INDEX link_created_idx ON redirect.link (created_at DESC, id DESC);

-- Clicks counted per link and UTC day, from the batches the click pipeline sent to Kafka
-- (repeat clicks within the hour are not in them); the admin's per-link stats.
CREATE TABLE redirect.link_daily_clicks (
  link_id uuid NOT NULL REFERENCES redirect.link (id),
  day date NOT NULL,
  clicks bigint NOT NULL DEFAULT 0,
  bot_clicks bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (link_id, day)
);
