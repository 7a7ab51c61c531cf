// Staff accounts: created by the create-staff script (or the dev seed), never by signup.
import { type Database, newId } from '@shop/shared';
import { z } from 'zod';
import { loadCommonPasswords } from './common-passwords.js';
import { checkPassword } from './domain/check-password.js';
import { normalizeEmail } from './domain/normalize-email.js';
import { recordUserEvent } from './events.js';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.js';
import { findCredentialByEmail, grantRole, insertCredential } from './store.js';

/**
 * Creates a staff user (roles shopper + staff) and records shop.user.registered; when the email
 * already has an account, grants it the staff role and leaves its password as it is.
 * @example await createStaffUser(db, { email: 'ops@example.com', name: 'Ops', password: process.env.STAFF_PASSWORD });
 */
export async function createStaffUser(
  db: Database,
  input: { email: string; name: string; password: string },
  options: { hasher?: PasswordHasher; now?: Date } = {},
): Promise<{ userId: string; created: boolean }> {
  const email = normalizeEmail(input.email);
  if (!z.email().safeParse(email).success)
    throw new Error(`${input.email} is not an email address`);
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200)
    throw new Error('the name must have 1 to 200 characters');
  const existing = await findCredentialByEmail(db, email);
  const now = options.now ?? new Date();
  if (existing) {
    await grantRole(db, existing.userId, 'staff', now);
    return { userId: existing.userId, created: false };
  }
  const weakness = checkPassword(input.password, email, loadCommonPasswords());
  if (weakness) throw new Error(`The password ${weakness}.`);
  const passwordHash = await (options.hasher ?? createPasswordHasher()).hash(input.password);
  const userId = newId();
  return db.transaction(async (tx) => {
    const inserted = await insertCredential(
      tx,
      { userId, email, passwordHash, displayName: name, roles: ['shopper', 'staff'] },
      now,
    );
    if (!inserted) throw new Error(`${email} was registered meanwhile; run again to promote it`);
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
