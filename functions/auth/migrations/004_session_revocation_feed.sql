-- Revoked sessions, as the revocation feed (GET /internal/sessions/revocations) lists them to
-- every verifier of access tokens. Kept apart from auth.session because erasure deletes those
-- rows; a row here names only the session and is forgotten a day later (tokens live 15 min).
CREATE TABLE auth.revoked_session (
  session_id uuid PRIMARY KEY,
  revoked_at timestamptz NOT NULL,
  reason text NOT NULL
);
CREATE INDEX revoked_session_revoked_at ON auth.revoked_session (revoked_at);
INSERT INTO auth.revoked_session (session_id, revoked_at, reason)
  SELECT id, revoked_at, revoked_reason FROM auth.session WHERE revoked_at IS NOT NULL;
