-- The flows that need mail: email verification (with a reminder), password reset, email change
-- confirmed at both addresses. Links carry a 256-bit random token; only its SHA-256 is stored.
ALTER TABLE auth.credential
  ADD COLUMN email_verified_at timestamptz,
  -- The locale the account signed up with, so auth's mails are in the user's language.
  ADD COLUMN locale text CHECK (length(locale) BETWEEN 2 AND 35),
  -- When the one reminder to verify went out (unverified accounts get one).
  ADD COLUMN verification_reminded_at timestamptz;
-- Staff accounts made so far were created by an operator for an address they chose.
UPDATE auth.credential SET email_verified_at = created_at WHERE 'staff' = ANY (roles);
CREATE INDEX credential_unverified_idx ON auth.credential (created_at)
  WHERE email_verified_at IS NULL AND verification_reminded_at IS NULL;

-- An email change waiting for both addresses to confirm it.
CREATE TABLE auth.email_change (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.credential (user_id) ON DELETE CASCADE,
  current_email text NOT NULL,
  new_email text NOT NULL CHECK (length(new_email) BETWEEN 3 AND 320),
  current_confirmed_at timestamptz,
  new_confirmed_at timestamptz,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  completed_at timestamptz,
  -- A newer request, or the change itself, ends the others.
  cancelled_at timestamptz
);
CREATE INDEX email_change_user_idx ON auth.email_change (user_id);

-- Single-use, expiring tokens of the mailed links.
CREATE TABLE auth.email_token (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.credential (user_id) ON DELETE CASCADE,
  purpose text NOT NULL
    CHECK (purpose IN ('verify_email', 'reset_password', 'change_email_current', 'change_email_new')),
  -- The address the link was mailed to: a token for an address the account no longer has is void.
  email text NOT NULL,
  email_change_id uuid REFERENCES auth.email_change (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX email_token_user_idx ON auth.email_token (user_id, purpose);
CREATE INDEX email_token_expires_idx ON auth.email_token (expires_at);

-- A confirmed email change ends every session: their access tokens name the old address.
ALTER TABLE auth.session DROP CONSTRAINT session_revoked_reason_check;
ALTER TABLE auth.session ADD CONSTRAINT session_revoked_reason_check
  CHECK (revoked_reason IN ('logout', 'reuse', 'erased', 'password_reset', 'email_changed'));
