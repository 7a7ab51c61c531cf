// SQL of the mailed links' tokens and of pending email changes (auth.email_token,
// auth.email_change). A token is 32 random bytes; only its SHA-256 is stored, so neither a
// leaked table nor a log holds a usable link.
import type { Queryable } from '@shop/shared';
import { hashRefreshToken, newRefreshToken } from './domain/refresh-token.js';

/** What a mailed link is for. */
export type EmailTokenPurpose =
  | 'verify_email'
  | 'reset_password'
  | 'change_email_current'
  | 'change_email_new'
  | 'accept_invitation';

/** A token's row once it was claimed (used). */
export interface ClaimedEmailToken {
  userId: string;
  purpose: EmailTokenPurpose;
  email: string;
  emailChangeId: string | null;
}

/**
 * Issues a token for a link mailed to `email`; earlier unused tokens of the same user and
 * purpose stop working (only the newest link works). Returns the token and its expiry.
 * @example const { token } = await issueEmailToken(tx, { userId, purpose: 'verify_email', email, now, ttlSeconds: 86400 });
 */
export async function issueEmailToken(
  tx: Queryable,
  input: {
    userId: string;
    purpose: EmailTokenPurpose;
    email: string;
    emailChangeId?: string;
    now: Date;
    ttlSeconds: number;
  },
): Promise<{ token: string; expiresAt: Date }> {
  // Change tokens come in pairs: a new request voids the old pair (see cancelEmailChanges).
  if (!input.emailChangeId) {
    await tx.query(
      'DELETE FROM auth.email_token WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL',
      [input.userId, input.purpose],
    );
  }
  const token = newRefreshToken();
  const expiresAt = new Date(input.now.getTime() + input.ttlSeconds * 1000);
  await tx.query(
    `INSERT INTO auth.email_token (token_hash, user_id, purpose, email, email_change_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      hashRefreshToken(token),
      input.userId,
      input.purpose,
      input.email,
      input.emailChangeId ?? null,
      input.now,
      expiresAt,
    ],
  );
  return { token, expiresAt };
}

/**
 * Spends a token of one of `purposes` if it is unused and unexpired; of concurrent claims
 * exactly one gets it. Undefined for an unknown, used, expired or other-purpose token.
 */
export async function claimEmailToken(
  tx: Queryable,
  token: string,
  purposes: readonly EmailTokenPurpose[],
  now: Date,
): Promise<ClaimedEmailToken | undefined> {
  const { rows } = await tx.query<{
    user_id: string;
    purpose: EmailTokenPurpose;
    email: string;
    email_change_id: string | null;
  }>(
    `UPDATE auth.email_token SET used_at = $2
     WHERE token_hash = $1 AND purpose = ANY ($3::text[]) AND used_at IS NULL AND expires_at > $2
     RETURNING user_id, purpose, email, email_change_id`,
    [hashRefreshToken(token), now, purposes],
  );
  const row = rows[0];
  return (
    row && {
      userId: row.user_id,
      purpose: row.purpose,
      email: row.email,
      emailChangeId: row.email_change_id,
    }
  );
}

/** Voids every unused token of a user for `purposes` (a reset spends the other reset links). */
export async function voidEmailTokens(
  tx: Queryable,
  userId: string,
  purposes: readonly EmailTokenPurpose[],
): Promise<void> {
  await tx.query(
    'DELETE FROM auth.email_token WHERE user_id = $1 AND purpose = ANY ($2::text[]) AND used_at IS NULL',
    [userId, purposes],
  );
}

/** A pending email change as stored. */
export interface EmailChange {
  id: string;
  userId: string;
  currentEmail: string;
  newEmail: string;
  currentConfirmedAt: Date | null;
  newConfirmedAt: Date | null;
  expiresAt: Date;
  completedAt: Date | null;
  cancelledAt: Date | null;
}

/** Records a new email change and cancels the user's earlier pending ones (and their links). */
export async function insertEmailChange(
  tx: Queryable,
  change: {
    id: string;
    userId: string;
    currentEmail: string;
    newEmail: string;
    now: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await cancelEmailChanges(tx, change.userId, change.now);
  await tx.query(
    `INSERT INTO auth.email_change (id, user_id, current_email, new_email, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [change.id, change.userId, change.currentEmail, change.newEmail, change.now, change.expiresAt],
  );
}

/** Cancels every pending change of a user, and voids their unused links. */
export async function cancelEmailChanges(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE auth.email_change SET cancelled_at = $2
     WHERE user_id = $1 AND completed_at IS NULL AND cancelled_at IS NULL`,
    [userId, now],
  );
  await voidEmailTokens(tx, userId, ['change_email_current', 'change_email_new']);
}

/** Locks a change row and records one address's confirmation; returns the row after it. */
export async function confirmEmailChangeSide(
  tx: Queryable,
  id: string,
  side: 'current' | 'new',
  now: Date,
): Promise<EmailChange | undefined> {
  const column = side === 'current' ? 'current_confirmed_at' : 'new_confirmed_at';
  const { rows } = await tx.query<{
    id: string;
    user_id: string;
    current_email: string;
    new_email: string;
    current_confirmed_at: Date | null;
    new_confirmed_at: Date | null;
    expires_at: Date;
    completed_at: Date | null;
    cancelled_at: Date | null;
  }>(
    `UPDATE auth.email_change SET ${column} = coalesce(${column}, $2)
     WHERE id = $1
     RETURNING id, user_id, current_email, new_email, current_confirmed_at, new_confirmed_at,
       expires_at, completed_at, cancelled_at`,
    [id, now],
  );
  const row = rows[0];
  return (
    row && {
      id: row.id,
      userId: row.user_id,
      currentEmail: row.current_email,
      newEmail: row.new_email,
      currentConfirmedAt: row.current_confirmed_at,
      newConfirmedAt: row.new_confirmed_at,
      expiresAt: row.expires_at,
      completedAt: row.completed_at,
      cancelledAt: row.cancelled_at,
    }
  );
}

/** Marks a change done. */
export async function completeEmailChange(tx: Queryable, id: string, now: Date): Promise<void> {
  await tx.query('UPDATE auth.email_change SET completed_at = $2 WHERE id = $1', [id, now]);
}
