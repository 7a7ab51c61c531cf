-- The audit log: one row per consumed event, each a leaf of an RFC 6962 Merkle tree at `idx`
-- (0, 1, 2, … with no gaps). Rows are only ever inserted: the trigger below refuses UPDATE and
-- DELETE for every role, the statement trigger TRUNCATE, and the service's role has neither
-- the privilege nor ownership (see audit_writer below).
CREATE TABLE audit.entry (
  idx bigint PRIMARY KEY CHECK (idx >= 0),
  source text NOT NULL,
  event_id text NOT NULL,
  action text NOT NULL,
  actor text,
  target_type text NOT NULL,
  target_id text NOT NULL,
  before jsonb,
  after jsonb,
  request_id text,
  trace_id text,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  -- SHA-256(0x00 ‖ RFC 8785 canonical JSON of the row): what proofs are built from. verify
  -- recomputes it from the columns, and the tree from it against the published checkpoints.
  leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
  -- The same event consumed twice (a redelivery, a replay) is one entry.
  UNIQUE (source, event_id)
);
CREATE INDEX entry_actor_idx ON audit.entry (actor, idx);
CREATE INDEX entry_action_idx ON audit.entry (action, idx);
CREATE INDEX entry_target_idx ON audit.entry (target_type, target_id, idx);
CREATE INDEX entry_occurred_idx ON audit.entry (occurred_at, idx);

-- The single sequencer: appending locks this row (SELECT … FOR UPDATE) in the transaction of
-- the insert, so concurrent events take indexes one after another and cannot fork the tree.
CREATE TABLE audit.log_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  size bigint NOT NULL CHECK (size >= 0)
);
INSERT INTO audit.log_head (singleton, size) VALUES (true, 0);

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit.entry is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON audit.entry
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON audit.entry
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
-- The head only moves forward.
CREATE FUNCTION audit.refuse_shrink() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.size < OLD.size THEN
    RAISE EXCEPTION 'audit.log_head only grows' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER log_head_grows BEFORE UPDATE ON audit.log_head
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_shrink();
CREATE TRIGGER log_head_no_delete BEFORE DELETE OR TRUNCATE ON audit.log_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- The role the service runs as (the login role of DATABASE_URL is made a member of it; the
-- migration job's role owns the tables). It may read and append, never change or remove.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'audit_writer') THEN
    CREATE ROLE audit_writer NOLOGIN;
  END IF;
END;
$$;
REVOKE ALL ON audit.entry, audit.log_head FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit.entry FROM audit_writer;
REVOKE DELETE, TRUNCATE ON audit.log_head FROM audit_writer;
GRANT USAGE ON SCHEMA audit TO audit_writer;
GRANT SELECT, INSERT ON audit.entry TO audit_writer;
GRANT SELECT, UPDATE ON audit.log_head TO audit_writer;
GRANT SELECT, INSERT, DELETE ON audit.inbox TO audit_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON audit.outbox TO audit_writer;
GRANT SELECT ON audit.schema_migrations TO audit_writer;
