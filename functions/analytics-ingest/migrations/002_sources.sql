-- Analytics sources: one per site or app that sends Segment calls, each with its own write key.
-- The key itself is never stored: only its HMAC (ANALYTICS_WRITE_KEY_SECRET) and a hint.
CREATE TABLE analytics_ingest.source (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  site text CHECK (site IS NULL OR length(site) BETWEEN 1 AND 200),
  key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  key_hint text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text,
  revoked_at timestamptz,
  revoked_by text
);
-- One live source per name: a site gets a new key by revoking the old source first.
CREATE UNIQUE INDEX source_live_name_idx ON analytics_ingest.source (lower(name))
  WHERE revoked_at IS NULL;

-- What became of each source's events, added up by the ingest about every second: accepted,
-- deduped (a messageId seen within the day), rejected with its reason.
CREATE TABLE analytics_ingest.source_counter (
  source_id uuid NOT NULL REFERENCES analytics_ingest.source (id),
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'deduped', 'rejected')),
  reason text NOT NULL DEFAULT '',
  count bigint NOT NULL CHECK (count >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source_id, outcome, reason)
);
