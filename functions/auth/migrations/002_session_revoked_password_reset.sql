-- create-staff --promote-existing replaces the password of an account it did not create and ends
-- every session of it: the reason is recorded as 'password_reset'.
ALTER TABLE auth.session DROP CONSTRAINT session_revoked_reason_check;
ALTER TABLE auth.session ADD CONSTRAINT session_revoked_reason_check
  CHECK (revoked_reason IN ('logout', 'reuse', 'erased', 'password_reset'));
