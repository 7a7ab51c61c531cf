-- Flags in flagd's definition format, one row per flag and environment (dev, staging, prod).
-- Forward-only; never edited once applied.

-- Each environment's flag set: its shared `$evaluators`, set-level metadata, and a revision
-- bumped by every change, which instances compare to know their copy is current.
CREATE TABLE feature_flag.flag_set (
  environment text PRIMARY KEY CHECK (environment IN ('dev', 'staging', 'prod')),
  evaluators jsonb NOT NULL DEFAULT '{}'::jsonb,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  revision bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feature_flag.flag (
  environment text NOT NULL REFERENCES feature_flag.flag_set (environment),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 128),
  -- The flagd flag object as staff wrote it (state, variants, defaultVariant, targeting, metadata).
  definition jsonb NOT NULL,
  version int NOT NULL DEFAULT 1 CHECK (version > 0),
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,
  PRIMARY KEY (environment, key)
);

-- Every change of a flag: before and after, the differences, who (the verified staff subject,
-- or `schedule:<id>` for a scheduled step) and when. Kept for ever: it is the flag's audit trail.
CREATE TABLE feature_flag.flag_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  environment text NOT NULL,
  key text NOT NULL,
  version int NOT NULL,
  change text NOT NULL CHECK (change IN ('created', 'updated', 'archived', 'imported')),
  before jsonb,
  after jsonb,
  diff jsonb NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX flag_history_flag_idx ON feature_flag.flag_history (environment, key, id);

-- Changes staff scheduled (a rollout that steps 10 % -> 50 % -> 100 %); every instance applies
-- the due ones, each exactly once (FOR UPDATE SKIP LOCKED, applied_at).
CREATE TABLE feature_flag.scheduled_change (
  id uuid PRIMARY KEY,
  environment text NOT NULL,
  key text NOT NULL,
  run_at timestamptz NOT NULL,
  -- {"rolloutPercent": 50} or {"state": "ENABLED"}
  change jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  cancelled_at timestamptz,
  outcome text,
  FOREIGN KEY (environment, key) REFERENCES feature_flag.flag (environment, key)
);
CREATE INDEX scheduled_change_due_idx ON feature_flag.scheduled_change (run_at)
  WHERE applied_at IS NULL AND cancelled_at IS NULL;

INSERT INTO feature_flag.flag_set (environment) VALUES ('dev'), ('staging'), ('prod');
