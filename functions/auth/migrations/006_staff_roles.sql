-- Staff roles made of permissions (@shop/shared/permissions): `roles` keeps `shopper`, `staff`
-- and the staff role names. Every staff account so far could do everything: an administrator.
UPDATE auth.credential SET roles = array_append(roles, 'administrator')
  WHERE 'staff' = ANY (roles)
    AND NOT (roles && ARRAY['catalog-manager', 'order-support', 'marketing', 'analyst', 'auditor',
      'administrator']::text[]);

ALTER TABLE auth.credential
  -- +1 on every change of a staff member's roles or state: their ETag (If-Match).
  ADD COLUMN staff_version integer NOT NULL DEFAULT 1,
  -- An invitation: the account has no usable password until the mailed link is followed.
  ADD COLUMN invited_at timestamptz,
  ADD COLUMN invited_by text CHECK (length(invited_by) <= 200),
  -- A disabled account cannot sign in; its sessions were revoked when it was disabled.
  ADD COLUMN disabled_at timestamptz,
  ADD COLUMN disabled_by text CHECK (length(disabled_by) <= 200);
CREATE INDEX credential_staff_idx ON auth.credential (user_id) WHERE 'staff' = ANY (roles);

-- The invitation's link: single use, expiring, like the other mailed links.
ALTER TABLE auth.email_token DROP CONSTRAINT email_token_purpose_check;
ALTER TABLE auth.email_token ADD CONSTRAINT email_token_purpose_check
  CHECK (purpose IN ('verify_email', 'reset_password', 'change_email_current', 'change_email_new',
    'accept_invitation'));

-- A role change or a disabled account ends every session of the staff member at once.
ALTER TABLE auth.session DROP CONSTRAINT session_revoked_reason_check;
ALTER TABLE auth.session ADD CONSTRAINT session_revoked_reason_check
  CHECK (revoked_reason IN ('logout', 'reuse', 'erased', 'password_reset', 'email_changed',
    'roles_changed', 'disabled'));
