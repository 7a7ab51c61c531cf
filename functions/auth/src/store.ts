// SQL of the auth schema: credentials, sessions, refresh tokens.
import type { Queryable } from '@shop/shared';

export interface Credential {
  userId: string;
  email: string;
  passwordHash: string;
  displayName: string | null;
  /** `shopper`; for staff also `staff` and their staff role names. */
  roles: string[];
  /** When staff disabled the account (it cannot sign in), or null. */
  disabledAt?: Date | null;
}

interface CredentialRow {
  user_id: string;
  email: string;
  password_hash: string;
  display_name: string | null;
  roles: string[];
  disabled_at: Date | null;
}

const toCredential = (row: CredentialRow): Credential => ({
  userId: row.user_id,
  email: row.email,
  passwordHash: row.password_hash,
  displayName: row.display_name,
  roles: row.roles,
  disabledAt: row.disabled_at,
});

/** Inserts a credential; false when the email is taken. */
export async function insertCredential(
  tx: Queryable,
  credential: Credential & {
    locale?: string | null;
    emailVerified?: boolean;
    /** A staff invitation: who sent it (the account waits for its link to be followed). */
    invitedBy?: string;
  },
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO auth.credential (user_id, email, password_hash, display_name, roles, created_at, updated_at, locale, email_verified_at, invited_at, invited_by)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10) ON CONFLICT (email) DO NOTHING`,
    [
      credential.userId,
      credential.email,
      credential.passwordHash,
      credential.displayName,
      credential.roles,
      now,
      credential.locale ?? null,
      credential.emailVerified ? now : null,
      credential.invitedBy ? now : null,
      credential.invitedBy ?? null,
    ],
  );
  return rowCount === 1;
}

export async function findCredentialByEmail(
  db: Queryable,
  email: string,
): Promise<Credential | undefined> {
  const { rows } = await db.query<CredentialRow>(
    'SELECT user_id, email, password_hash, display_name, roles, disabled_at FROM auth.credential WHERE email = $1',
    [email],
  );
  return rows[0] && toCredential(rows[0]);
}

export async function findCredentialById(
  db: Queryable,
  userId: string,
): Promise<Credential | undefined> {
  const { rows } = await db.query<CredentialRow>(
    'SELECT user_id, email, password_hash, display_name, roles, disabled_at FROM auth.credential WHERE user_id = $1',
    [userId],
  );
  return rows[0] && toCredential(rows[0]);
}

/** Replaces the hash only if it is still `previousHash` (a concurrent login may have rehashed). */
export async function updatePasswordHash(
  tx: Queryable,
  userId: string,
  previousHash: string,
  newHash: string,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE auth.credential SET password_hash = $3, updated_at = $4
     WHERE user_id = $1 AND password_hash = $2`,
    [userId, previousHash, newHash, now],
  );
}

/**
 * The stored hash of a user, locked against changes until the transaction ends (a login checks
 * that the hash it verified is still the one stored before it starts a session); undefined for
 * a disabled account, so a login racing the disabling starts no session.
 */
export async function lockPasswordHash(tx: Queryable, userId: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ password_hash: string }>(
    'SELECT password_hash FROM auth.credential WHERE user_id = $1 AND disabled_at IS NULL FOR SHARE',
    [userId],
  );
  return rows[0]?.password_hash;
}

/** Replaces a user's password hash unconditionally (an operator's reset); false when gone. */
export async function resetPasswordHash(
  tx: Queryable,
  userId: string,
  newHash: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    'UPDATE auth.credential SET password_hash = $2, updated_at = $3 WHERE user_id = $1',
    [userId, newHash, now],
  );
  return rowCount === 1;
}

/** Adds a role (idempotent). */
export async function grantRole(
  tx: Queryable,
  userId: string,
  role: string,
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE auth.credential SET roles = array_append(roles, $2::text), updated_at = $3
     WHERE user_id = $1 AND NOT ($2::text = ANY (roles))`,
    [userId, role, now],
  );
}

/** Deletes a user's credential; its sessions and refresh tokens go with it (cascade). */
export async function deleteCredential(tx: Queryable, userId: string, now: Date): Promise<boolean> {
  // Its sessions go with it (cascade); the feed must still name them until their tokens expire.
  await revokeUserSessions(tx, userId, 'erased', now);
  const { rowCount } = await tx.query('DELETE FROM auth.credential WHERE user_id = $1', [userId]);
  return rowCount > 0;
}

export async function insertSession(
  tx: Queryable,
  session: { id: string; userId: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await tx.query(
    'INSERT INTO auth.session (id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
    [session.id, session.userId, session.createdAt, session.expiresAt],
  );
}

export async function insertRefreshToken(
  tx: Queryable,
  token: { hash: string; sessionId: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await tx.query(
    `INSERT INTO auth.refresh_token (token_hash, session_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4)`,
    [token.hash, token.sessionId, token.createdAt, token.expiresAt],
  );
}

/**
 * Marks a live refresh token used, if it still is unused, unexpired and its session live. Of
 * concurrent calls for one token exactly one gets the row (the UPDATE re-checks `used_at` after
 * the row lock).
 */
export async function claimRefreshToken(
  tx: Queryable,
  hash: string,
  now: Date,
): Promise<{ sessionId: string; userId: string; sessionExpiresAt: Date } | undefined> {
  const { rows } = await tx.query<{ session_id: string; user_id: string; expires_at: Date }>(
    `UPDATE auth.refresh_token t SET used_at = $2
     FROM auth.session s
     WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2
       AND s.id = t.session_id AND s.revoked_at IS NULL AND s.expires_at > $2
     RETURNING t.session_id, s.user_id, s.expires_at`,
    [hash, now],
  );
  const row = rows[0];
  return (
    row && { sessionId: row.session_id, userId: row.user_id, sessionExpiresAt: row.expires_at }
  );
}

/** A refresh token and its session as stored, locking the session row. */
export async function lockRefreshToken(
  tx: Queryable,
  hash: string,
): Promise<
  | { sessionId: string; userId: string; usedAt: Date | null; sessionRevokedAt: Date | null }
  | undefined
> {
  const { rows } = await tx.query<{
    session_id: string;
    user_id: string;
    used_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT t.session_id, s.user_id, t.used_at, s.revoked_at
     FROM auth.refresh_token t JOIN auth.session s ON s.id = t.session_id
     WHERE t.token_hash = $1 FOR UPDATE OF s`,
    [hash],
  );
  const row = rows[0];
  return (
    row && {
      sessionId: row.session_id,
      userId: row.user_id,
      usedAt: row.used_at,
      sessionRevokedAt: row.revoked_at,
    }
  );
}

/** Why a session ended (auth.session.revoked_reason). */
export type RevokedReason =
  | 'logout'
  | 'reuse'
  | 'erased'
  | 'password_reset'
  | 'email_changed'
  | 'roles_changed'
  | 'disabled';

/**
 * Revokes a session (idempotent): returns how many of its refresh tokens were still live, or
 * null when it was already revoked or does not exist.
 */
export async function revokeSession(
  tx: Queryable,
  sessionId: string,
  reason: RevokedReason,
  now: Date,
  userId?: string,
): Promise<number | null> {
  const { rowCount } = await tx.query(
    `WITH revoked AS (
       UPDATE auth.session SET revoked_at = $2, revoked_reason = $3
       WHERE id = $1 AND revoked_at IS NULL AND ($4::uuid IS NULL OR user_id = $4::uuid)
       RETURNING id
     )
     INSERT INTO auth.revoked_session (session_id, revoked_at, reason)
     SELECT id, $2, $3 FROM revoked ON CONFLICT (session_id) DO NOTHING`,
    [sessionId, now, reason, userId ?? null],
  );
  await forgetOldRevocations(tx, now);
  if (rowCount === 0) return null;
  const { rows } = await tx.query<{ live: number }>(
    `SELECT count(*)::int AS live FROM auth.refresh_token
     WHERE session_id = $1 AND used_at IS NULL AND expires_at > $2`,
    [sessionId, now],
  );
  return rows[0]?.live ?? 0;
}

/**
 * Revokes every live session (token family) of a user, as reuse detection does for one: their
 * refresh tokens stop working at once. Returns how many sessions were revoked.
 */
export async function revokeUserSessions(
  tx: Queryable,
  userId: string,
  reason: RevokedReason,
  now: Date,
): Promise<number> {
  const { rowCount } = await tx.query(
    `WITH revoked AS (
       UPDATE auth.session SET revoked_at = $2, revoked_reason = $3
       WHERE user_id = $1 AND revoked_at IS NULL
       RETURNING id
     )
     INSERT INTO auth.revoked_session (session_id, revoked_at, reason)
     SELECT id, $2, $3 FROM revoked ON CONFLICT (session_id) DO NOTHING`,
    [userId, now, reason],
  );
  await forgetOldRevocations(tx, now);
  return rowCount;
}

/** How long the revocation feed remembers a session: far past any access token it had. */
const REVOCATION_MEMORY = '1 day';

/** Forgets revocations older than {@link REVOCATION_MEMORY} (bounded by the index). */
async function forgetOldRevocations(tx: Queryable, now: Date): Promise<void> {
  await tx.query(
    `DELETE FROM auth.revoked_session WHERE revoked_at < $1::timestamptz - interval '${REVOCATION_MEMORY}'`,
    [now],
  );
}

/** Sessions revoked after `since`, oldest first: the revocation feed's page. */
export async function listRevokedSessions(
  db: Queryable,
  since: Date,
): Promise<{ sid: string; revokedAt: Date }[]> {
  const { rows } = await db.query<{ session_id: string; revoked_at: Date }>(
    `SELECT session_id, revoked_at FROM auth.revoked_session
     WHERE revoked_at > $1 ORDER BY revoked_at, session_id`,
    [since],
  );
  return rows.map((row) => ({ sid: row.session_id, revokedAt: row.revoked_at }));
}

/** Whether a session is revoked, or unknown (erased with its user, or never issued). */
export async function isSessionRevoked(db: Queryable, sessionId: string): Promise<boolean> {
  const { rows } = await db.query<{ revoked: boolean }>(
    `SELECT revoked_at IS NOT NULL AS revoked FROM auth.session WHERE id = $1`,
    [sessionId],
  );
  return rows[0]?.revoked ?? true;
}

/** What auth's mails need to know of an account. */
export interface MailProfile {
  userId: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  emailVerifiedAt: Date | null;
}

interface MailProfileRow {
  user_id: string;
  email: string;
  display_name: string | null;
  locale: string | null;
  email_verified_at: Date | null;
}

const toMailProfile = (row: MailProfileRow): MailProfile => ({
  userId: row.user_id,
  email: row.email,
  displayName: row.display_name,
  locale: row.locale,
  emailVerifiedAt: row.email_verified_at,
});

const MAIL_PROFILE_COLUMNS = 'user_id, email, display_name, locale, email_verified_at';

/** An account's address, name, locale and verification, by id (optionally locked). */
export async function findMailProfile(
  db: Queryable,
  userId: string,
  options: { lock?: boolean } = {},
): Promise<MailProfile | undefined> {
  const { rows } = await db.query<MailProfileRow>(
    `SELECT ${MAIL_PROFILE_COLUMNS} FROM auth.credential WHERE user_id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [userId],
  );
  return rows[0] && toMailProfile(rows[0]);
}

/** An account's mail profile by (normalized) address. */
export async function findMailProfileByEmail(
  db: Queryable,
  email: string,
): Promise<MailProfile | undefined> {
  const { rows } = await db.query<MailProfileRow>(
    `SELECT ${MAIL_PROFILE_COLUMNS} FROM auth.credential WHERE email = $1`,
    [email],
  );
  return rows[0] && toMailProfile(rows[0]);
}

/** Marks the account's address verified if it still is `email` (idempotent). */
export async function markEmailVerified(
  tx: Queryable,
  userId: string,
  email: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE auth.credential SET email_verified_at = coalesce(email_verified_at, $3), updated_at = $3
     WHERE user_id = $1 AND email = $2`,
    [userId, email, now],
  );
  return rowCount === 1;
}

/**
 * Moves an account to a new, verified address if it still has `from`: false when the account
 * changed meanwhile; throws the unique violation (23505) when the new address was taken.
 */
export async function changeEmail(
  tx: Queryable,
  userId: string,
  from: string,
  to: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE auth.credential SET email = $3, email_verified_at = $4, updated_at = $4
     WHERE user_id = $1 AND email = $2`,
    [userId, from, to, now],
  );
  return rowCount === 1;
}

/**
 * Claims up to `limit` accounts created before `createdBefore` that are unverified and were not
 * reminded yet, marking them reminded (SKIP LOCKED: replicas share the work).
 */
export async function claimUnverifiedForReminder(
  tx: Queryable,
  createdBefore: Date,
  now: Date,
  limit: number,
): Promise<MailProfile[]> {
  const { rows } = await tx.query<MailProfileRow>(
    `UPDATE auth.credential SET verification_reminded_at = $2
     WHERE user_id IN (
       SELECT user_id FROM auth.credential
       WHERE email_verified_at IS NULL AND verification_reminded_at IS NULL AND created_at <= $1
       ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     RETURNING ${MAIL_PROFILE_COLUMNS}`,
    [createdBefore, now, limit],
  );
  return rows.map(toMailProfile);
}
