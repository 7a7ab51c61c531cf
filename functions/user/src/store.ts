// SQL of the `users` schema: profiles, addresses, consent history, tombstones of erased users.
import type { Queryable } from '@shop/shared';
import type { CursorPosition } from './domain/encode-cursor.js';
import type {
  Address,
  AddressFields,
  ConsentRecord,
  Profile,
  ProfileChanges,
} from './domain/profile.js';

interface ProfileRow {
  user_id: string;
  email: string;
  display_name: string | null;
  locale: string | null;
  preferred_currency: string | null;
  marketing_consent: boolean;
  marketing_consent_at: Date | null;
  version: number;
  registered_at: Date;
  created_at: Date;
  updated_at: Date;
}

interface AddressRow {
  id: string;
  label: string | null;
  name: string;
  line1: string;
  line2: string | null;
  postal_code: string;
  city: string;
  region: string | null;
  country: string;
  phone: string | null;
  is_default_shipping: boolean;
  is_default_billing: boolean;
  created_at: Date;
  updated_at: Date;
}

const PROFILE_COLUMNS = `user_id, email, display_name, locale, preferred_currency,
  marketing_consent, marketing_consent_at, version, registered_at, created_at, updated_at`;

const ADDRESS_COLUMNS = `id, label, name, line1, line2, postal_code, city, region, country, phone,
  is_default_shipping, is_default_billing, created_at, updated_at`;

function toProfile(row: ProfileRow): Profile {
  return {
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    locale: row.locale,
    preferredCurrency: row.preferred_currency,
    marketingConsent: row.marketing_consent,
    marketingConsentAt: row.marketing_consent_at,
    version: row.version,
    registeredAt: row.registered_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    label: row.label,
    name: row.name,
    line1: row.line1,
    line2: row.line2,
    postalCode: row.postal_code,
    city: row.city,
    region: row.region,
    country: row.country,
    phone: row.phone,
    isDefaultShipping: row.is_default_shipping,
    isDefaultBilling: row.is_default_billing,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Serialises the writes that create or erase one user's record until the transaction ends, so
 * a registration and an erasure of the same user never interleave (no tombstone is missed).
 */
export async function lockUser(tx: Queryable, userId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`users:${userId}`]);
}

export async function isErased(db: Queryable, userId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM users.erased_user WHERE user_id = $1', [userId]);
  return rows.length > 0;
}

export type NewProfile = Omit<Profile, 'version' | 'preferredCurrency'>;

/** Inserts a profile unless one exists for the user; true when it was inserted. */
export async function insertProfile(tx: Queryable, profile: NewProfile): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO users.profile (user_id, email, display_name, locale, marketing_consent,
       marketing_consent_at, registered_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (user_id) DO NOTHING`,
    [
      profile.userId,
      profile.email,
      profile.displayName,
      profile.locale,
      profile.marketingConsent,
      profile.marketingConsentAt,
      profile.registeredAt,
      profile.createdAt,
      profile.updatedAt,
    ],
  );
  return rowCount > 0;
}

export async function findProfile(db: Queryable, userId: string): Promise<Profile | undefined> {
  const { rows } = await db.query<ProfileRow>(
    `SELECT ${PROFILE_COLUMNS} FROM users.profile WHERE user_id = $1`,
    [userId],
  );
  return rows[0] && toProfile(rows[0]);
}

/** The profile, locked for the rest of the transaction. */
export async function lockProfile(tx: Queryable, userId: string): Promise<Profile | undefined> {
  const { rows } = await tx.query<ProfileRow>(
    `SELECT ${PROFILE_COLUMNS} FROM users.profile WHERE user_id = $1 FOR UPDATE`,
    [userId],
  );
  return rows[0] && toProfile(rows[0]);
}

const PROFILE_CHANGE_COLUMNS = {
  displayName: 'display_name',
  locale: 'locale',
  preferredCurrency: 'preferred_currency',
  marketingConsent: 'marketing_consent',
  marketingConsentAt: 'marketing_consent_at',
} as const;

/**
 * Applies changes (possibly none: then only the version moves, as after an address change)
 * and returns the profile at its new version.
 */
export async function updateProfile(
  tx: Queryable,
  userId: string,
  changes: ProfileChanges & { marketingConsentAt?: Date | null },
  now: Date,
): Promise<Profile> {
  const sets = ['version = version + 1', 'updated_at = $2'];
  const params: unknown[] = [userId, now];
  for (const [field, column] of Object.entries(PROFILE_CHANGE_COLUMNS)) {
    const value = changes[field as keyof typeof PROFILE_CHANGE_COLUMNS];
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  const { rows } = await tx.query<ProfileRow>(
    `UPDATE users.profile SET ${sets.join(', ')} WHERE user_id = $1 RETURNING ${PROFILE_COLUMNS}`,
    params,
  );
  if (!rows[0]) throw new Error(`profile ${userId} vanished inside its transaction`);
  return toProfile(rows[0]);
}

export async function insertConsent(
  tx: Queryable,
  userId: string,
  id: string,
  record: ConsentRecord,
): Promise<void> {
  await tx.query(
    `INSERT INTO users.consent_event (id, user_id, granted, origin, recorded_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [id, userId, record.granted, record.origin, record.recordedAt],
  );
}

export async function listConsents(db: Queryable, userId: string): Promise<ConsentRecord[]> {
  const { rows } = await db.query<{
    granted: boolean;
    origin: ConsentRecord['origin'];
    recorded_at: Date;
  }>(
    `SELECT granted, origin, recorded_at FROM users.consent_event
      WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
  return rows.map((row) => ({
    granted: row.granted,
    origin: row.origin,
    recordedAt: row.recorded_at,
  }));
}

export async function listAddresses(db: Queryable, userId: string): Promise<Address[]> {
  const { rows } = await db.query<AddressRow>(
    `SELECT ${ADDRESS_COLUMNS} FROM users.address WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
  return rows.map(toAddress);
}

export async function countAddresses(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM users.address WHERE user_id = $1',
    [userId],
  );
  return rows[0]?.n ?? 0;
}

/** One address of one user; another user's address is simply not found. */
export async function findAddress(
  db: Queryable,
  userId: string,
  id: string,
): Promise<Address | undefined> {
  const { rows } = await db.query<AddressRow>(
    `SELECT ${ADDRESS_COLUMNS} FROM users.address WHERE user_id = $1 AND id = $2`,
    [userId, id],
  );
  return rows[0] && toAddress(rows[0]);
}

/** Drops the default flag of the user's other addresses before one becomes the default. */
export async function clearDefault(
  tx: Queryable,
  userId: string,
  kind: 'shipping' | 'billing',
  exceptId: string,
): Promise<void> {
  const column = kind === 'shipping' ? 'is_default_shipping' : 'is_default_billing';
  await tx.query(
    `UPDATE users.address SET ${column} = false WHERE user_id = $1 AND id <> $2 AND ${column}`,
    [userId, exceptId],
  );
}

export async function insertAddress(
  tx: Queryable,
  userId: string,
  id: string,
  fields: AddressFields,
  now: Date,
): Promise<Address> {
  const { rows } = await tx.query<AddressRow>(
    `INSERT INTO users.address (id, user_id, label, name, line1, line2, postal_code, city, region,
       country, phone, is_default_shipping, is_default_billing, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
     RETURNING ${ADDRESS_COLUMNS}`,
    [
      id,
      userId,
      fields.label,
      fields.name,
      fields.line1,
      fields.line2,
      fields.postalCode,
      fields.city,
      fields.region,
      fields.country,
      fields.phone,
      fields.isDefaultShipping,
      fields.isDefaultBilling,
      now,
    ],
  );
  if (!rows[0]) throw new Error('address insert returned no row');
  return toAddress(rows[0]);
}

/** Overwrites the fields of the user's address; undefined when the user has no such address. */
export async function updateAddress(
  tx: Queryable,
  userId: string,
  id: string,
  fields: AddressFields,
  now: Date,
): Promise<Address | undefined> {
  const { rows } = await tx.query<AddressRow>(
    `UPDATE users.address SET label = $3, name = $4, line1 = $5, line2 = $6, postal_code = $7,
       city = $8, region = $9, country = $10, phone = $11, is_default_shipping = $12,
       is_default_billing = $13, updated_at = $14
     WHERE user_id = $1 AND id = $2
     RETURNING ${ADDRESS_COLUMNS}`,
    [
      userId,
      id,
      fields.label,
      fields.name,
      fields.line1,
      fields.line2,
      fields.postalCode,
      fields.city,
      fields.region,
      fields.country,
      fields.phone,
      fields.isDefaultShipping,
      fields.isDefaultBilling,
      now,
    ],
  );
  return rows[0] && toAddress(rows[0]);
}

/** Deletes the user's address; false when the user has no such address. */
export async function deleteAddress(tx: Queryable, userId: string, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('DELETE FROM users.address WHERE user_id = $1 AND id = $2', [
    userId,
    id,
  ]);
  return rowCount > 0;
}

/**
 * Deletes everything personal about the user (consent history, addresses, profile) and keeps
 * only a tombstone with the id. `firstErasure` is false when a tombstone was already there.
 */
export async function eraseUser(
  tx: Queryable,
  userId: string,
  now: Date,
): Promise<{ firstErasure: boolean; hadProfile: boolean }> {
  await tx.query('DELETE FROM users.consent_event WHERE user_id = $1', [userId]);
  await tx.query('DELETE FROM users.address WHERE user_id = $1', [userId]);
  const deleted = await tx.query('DELETE FROM users.profile WHERE user_id = $1', [userId]);
  const tombstone = await tx.query(
    `INSERT INTO users.erased_user (user_id, erased_at) VALUES ($1, $2)
     ON CONFLICT (user_id) DO NOTHING`,
    [userId, now],
  );
  return { firstErasure: tombstone.rowCount > 0, hadProfile: deleted.rowCount > 0 };
}

/** Escapes LIKE wildcards so search text matches literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/**
 * A page of profiles, newest first: with `q`, those whose email starts with it or whose display
 * name contains it (both case-insensitive). Fetches `limit + 1` so the caller knows if more follow.
 */
export async function listProfiles(
  db: Queryable,
  options: { q?: string; limit: number; after?: CursorPosition },
): Promise<Profile[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (options.q) {
    const needle = likeLiteral(options.q.toLowerCase());
    params.push(`${needle}%`, `%${needle}%`);
    where.push(
      `(lower(email) COLLATE "C" LIKE $${params.length - 1} ESCAPE '\\'
        OR lower(display_name) LIKE $${params.length} ESCAPE '\\')`,
    );
  }
  if (options.after) {
    params.push(options.after.createdAt, options.after.userId);
    where.push(`(created_at, user_id) < ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(options.limit + 1);
  const { rows } = await db.query<ProfileRow>(
    `SELECT ${PROFILE_COLUMNS} FROM users.profile
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, user_id DESC
      LIMIT $${params.length}`,
    params,
  );
  return rows.map(toProfile);
}
