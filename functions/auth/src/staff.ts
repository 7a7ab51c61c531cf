// Staff accounts: created by the create-staff script (or the dev seed), never by signup.
import {
  type Database,
  isStaffRole,
  newId,
  type Queryable,
  STAFF_ROLES,
  type StaffRole,
} from '@shop/shared';
import { z } from 'zod';
import { loadCommonPasswords } from './common-passwords.js';
import { checkPassword } from './domain/check-password.js';
import { normalizeEmail } from './domain/normalize-email.js';
import { storedStaffRoles } from './domain/staff-roles.js';
import { recordUserEvent } from './events.js';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.js';
import {
  findCredentialByEmail,
  findMailProfile,
  insertCredential,
  resetPasswordHash,
  revokeUserSessions,
} from './store.js';

/**
 * The email already has an account that this call did not create. It is not promoted: whoever
 * signed it up knows its password (issue 10, point 5). `promoteExisting` takes it over.
 */
export class StaffAccountExistsError extends Error {
  override name = 'StaffAccountExistsError';
  constructor(readonly email: string) {
    super(
      `${email} already has an account, which create-staff did not create; it was left as it ` +
        'is, because whoever signed it up knows its password. If that account is to become ' +
        'staff, run create-staff again with --promote-existing: it grants the staff role, sets ' +
        'the password given here and ends every session of the account.',
    );
  }
}

/**
 * The email has an account whose address was never verified: it cannot be made staff (nobody
 * proved the mailbox is the operator's). Verify it first, or create staff for another address.
 */
export class StaffAccountUnverifiedError extends Error {
  override name = 'StaffAccountUnverifiedError';
  constructor(readonly email: string) {
    super(
      `${email} has an account whose address is not verified; unverified accounts are never ` +
        'made staff. Follow the verification link mailed to it (POST ' +
        '/api/auth/email-verification mails a new one), then run create-staff again.',
    );
  }
}

/** What {@link createStaffUser} did. */
export type StaffUserResult =
  | { userId: string; created: true }
  | { userId: string; created: false; promoted: true; revokedSessions: number };

/**
 * Creates a staff user (roles shopper + staff + `roles`, default administrator; address
 * verified) and records
 * shop.user.registered. An email that already has an account is refused
 * ({@link StaffAccountExistsError}) unless `promoteExisting`, and an unverified one always
 * ({@link StaffAccountUnverifiedError}); with `promoteExisting`
 * the account gets the staff role and the given password (argon2id), and every session of
 * it is revoked, so whoever held the old password or a refresh token is out.
 * @example await createStaffUser(db, { email: 'ops@example.com', name: 'Ops', password: process.env.STAFF_PASSWORD });
 */
export async function createStaffUser(
  db: Database,
  input: { email: string; name: string; password: string; roles?: readonly string[] },
  options: { hasher?: PasswordHasher; now?: Date; promoteExisting?: boolean } = {},
): Promise<StaffUserResult> {
  const staffRoles: readonly string[] = input.roles?.length ? input.roles : ['administrator'];
  const unknown = staffRoles.filter((role) => !isStaffRole(role));
  if (unknown.length > 0) {
    throw new Error(
      `${unknown.join(', ')} is not a staff role; the roles are ${Object.keys(STAFF_ROLES).join(', ')}`,
    );
  }
  const roles = storedStaffRoles(staffRoles as StaffRole[]);
  const email = normalizeEmail(input.email);
  if (!z.email().safeParse(email).success)
    throw new Error(`${input.email} is not an email address`);
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200)
    throw new Error('the name must have 1 to 200 characters');
  const existing = await findCredentialByEmail(db, email);
  if (existing && !options.promoteExisting) throw new StaffAccountExistsError(email);
  if (existing && !(await findMailProfile(db, existing.userId))?.emailVerifiedAt) {
    throw new StaffAccountUnverifiedError(email);
  }
  const weakness = checkPassword(input.password, email, loadCommonPasswords());
  if (weakness) throw new Error(`The password ${weakness}.`);
  const passwordHash = await (options.hasher ?? createPasswordHasher()).hash(input.password);
  const now = options.now ?? new Date();
  if (existing) {
    const { userId } = existing;
    return db.transaction(async (tx) => {
      // The UPDATE locks the credential first: a login that verified the old hash and has not
      // started its session yet waits, then sees the new hash and refuses (see sessions.ts).
      if (!(await resetPasswordHash(tx, userId, passwordHash, now))) {
        throw new Error(`${email} was erased meanwhile; run again to create it`);
      }
      await grantStaffRoles(tx, userId, roles, now);
      const revokedSessions = await revokeUserSessions(tx, userId, 'password_reset', now);
      return { userId, created: false, promoted: true, revokedSessions };
    });
  }
  const userId = newId();
  return db.transaction(async (tx) => {
    const inserted = await insertCredential(
      tx,
      // The operator chose the address: it counts as verified.
      {
        userId,
        email,
        passwordHash,
        displayName: name,
        roles,
        emailVerified: true,
      },
      now,
    );
    if (!inserted) throw new StaffAccountExistsError(email);
    await recordUserEvent(tx, 'shop.user.registered', {
      userId,
      email,
      displayName: name,
      locale: null,
      marketingConsent: false,
      registeredAt: now.toISOString(),
    });
    return { userId, created: true };
  });
}

/** Makes an account staff with exactly `roles` (stored form), enabled, its staff version +1. */
async function grantStaffRoles(
  tx: Queryable,
  userId: string,
  roles: readonly string[],
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE auth.credential
     SET roles = $2, disabled_at = NULL, disabled_by = NULL, staff_version = staff_version + 1,
         updated_at = $3
     WHERE user_id = $1`,
    [userId, roles, now],
  );
}
