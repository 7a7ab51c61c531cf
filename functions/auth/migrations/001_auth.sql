-- Credentials, sessions (refresh token families), refresh tokens and signing keys.
CREATE TABLE auth.credential (
  user_id uuid PRIMARY KEY,
  -- Normalized: trimmed, NFC, lowercase.
  email text NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 320),
  -- argon2id PHC string; its parameters say when a login should rehash it.
  password_hash text NOT NULL,
  display_name text CHECK (length(display_name) BETWEEN 1 AND 200),
  roles text[] NOT NULL DEFAULT '{shopper}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One session per password login: the family of refresh tokens rotated from it. Its id is the
-- access token's `sid`.
CREATE TABLE auth.session (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.credential (user_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  -- Absolute lifetime: no rotation extends it.
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse', 'erased'))
);
CREATE INDEX session_user_idx ON auth.session (user_id);

-- Refresh tokens are opaque; only their SHA-256 (base64url) is stored.
CREATE TABLE auth.refresh_token (
  token_hash text PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES auth.session (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  -- Idle lifetime, capped by the session's absolute one.
  expires_at timestamptz NOT NULL,
  -- Set when the token was rotated; presenting it again revokes the session.
  used_at timestamptz
);
CREATE INDEX refresh_token_session_idx ON auth.refresh_token (session_id);

-- ES256 signing keys. The private JWK is encrypted with AES-256-GCM under the key-encryption key.
CREATE TABLE auth.signing_key (
  kid text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('current', 'previous', 'retired')),
  public_jwk jsonb NOT NULL,
  private_jwk_encrypted text NOT NULL,
  created_at timestamptz NOT NULL,
  demoted_at timestamptz,
  retired_at timestamptz
);
CREATE UNIQUE INDEX signing_key_one_current_idx ON auth.signing_key (state)
  WHERE state = 'current';

-- Events recorded in the same transaction as the change they describe; a relay publishes them.
CREATE TABLE auth.outbox (
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
CREATE INDEX outbox_pending_idx ON auth.outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON auth.outbox (partition_key, id) WHERE published_at IS NULL;

-- Events handled (shop.user.erased), recorded with the handler's writes.
CREATE TABLE auth.inbox (
  source text NOT NULL,
  id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, id)
);
