// SQL of staff management: staff members are the credentials with the `staff` role; their
// staff roles, invitation and disabled state live on the same row (auth.credential).
import type { Queryable, StaffRole } from '@shop/shared';
import { staffRolesOf } from './domain/staff-roles.js';

/** Where a staff member stands: invited (link not followed yet), active, or disabled. */
export type StaffStatus = 'invited' | 'active' | 'disabled';

/** A staff member as staff management shows them. */
export interface StaffMember {
  userId: string;
  email: string;
  displayName: string | null;
  locale: string | null;
  roles: StaffRole[];
  status: StaffStatus;
  createdAt: Date;
  invitedAt: Date | null;
  invitedBy: string | null;
  disabledAt: Date | null;
  /** +1 on every change of roles or state: the ETag. */
  version: number;
}

interface StaffRow {
  user_id: string;
  email: string;
  display_name: string | null;
  locale: string | null;
  roles: string[];
  created_at: Date;
  invited_at: Date | null;
  invited_by: string | null;
  email_verified_at: Date | null;
  disabled_at: Date | null;
  staff_version: number;
}

const COLUMNS = `user_id, email, display_name, locale, roles, created_at, invited_at, invited_by,
  email_verified_at, disabled_at, staff_version`;

const toMember = (row: StaffRow): StaffMember => ({
  userId: row.user_id,
  email: row.email,
  displayName: row.display_name,
  locale: row.locale,
  roles: staffRolesOf(row.roles),
  status: row.disabled_at
    ? 'disabled'
    : row.invited_at && !row.email_verified_at
      ? 'invited'
      : 'active',
  createdAt: row.created_at,
  invitedAt: row.invited_at,
  invitedBy: row.invited_by,
  disabledAt: row.disabled_at,
  version: row.staff_version,
});

/** One page of staff members in id order (UUIDv7: oldest first), after `after`. */
export async function listStaff(
  db: Queryable,
  options: { limit: number; after?: string },
): Promise<StaffMember[]> {
  const { rows } = await db.query<StaffRow>(
    `SELECT ${COLUMNS} FROM auth.credential
     WHERE 'staff' = ANY (roles) AND ($1::uuid IS NULL OR user_id > $1::uuid)
     ORDER BY user_id LIMIT $2`,
    [options.after ?? null, options.limit],
  );
  return rows.map(toMember);
}

/** A staff member by id (locked for the transaction with `lock`); undefined when not staff. */
export async function findStaffMember(
  db: Queryable,
  userId: string,
  options: { lock?: boolean } = {},
): Promise<StaffMember | undefined> {
  const { rows } = await db.query<StaffRow>(
    `SELECT ${COLUMNS} FROM auth.credential WHERE user_id = $1 AND 'staff' = ANY (roles)
     ${options.lock ? 'FOR UPDATE' : ''}`,
    [userId],
  );
  return rows[0] && toMember(rows[0]);
}

/**
 * The ids of the active administrators (accepted, not disabled), their rows locked until the
 * transaction ends: two changes that would each remove "the other" administrator run one
 * after the other, and the second sees the first.
 */
export async function lockActiveAdministrators(tx: Queryable): Promise<string[]> {
  const { rows } = await tx.query<{ user_id: string }>(
    `SELECT user_id FROM auth.credential
     WHERE 'staff' = ANY (roles) AND 'administrator' = ANY (roles)
       AND disabled_at IS NULL AND (invited_at IS NULL OR email_verified_at IS NOT NULL)
     ORDER BY user_id FOR UPDATE`,
  );
  return rows.map((row) => row.user_id);
}

/** Replaces a staff member's stored roles; the member after the change. */
export async function updateStaffRoles(
  tx: Queryable,
  userId: string,
  roles: readonly string[],
  now: Date,
): Promise<StaffMember | undefined> {
  const { rows } = await tx.query<StaffRow>(
    `UPDATE auth.credential SET roles = $2, staff_version = staff_version + 1, updated_at = $3
     WHERE user_id = $1 AND 'staff' = ANY (roles) RETURNING ${COLUMNS}`,
    [userId, roles, now],
  );
  return rows[0] && toMember(rows[0]);
}

/** Disables (with `by`) or re-enables (`by` null) a staff member; the member after it. */
export async function setStaffDisabled(
  tx: Queryable,
  userId: string,
  by: string | null,
  now: Date,
): Promise<StaffMember | undefined> {
  const { rows } = await tx.query<StaffRow>(
    `UPDATE auth.credential
     SET disabled_at = CASE WHEN $2::text IS NULL THEN NULL ELSE $3::timestamptz END,
         disabled_by = $2::text, staff_version = staff_version + 1, updated_at = $3
     WHERE user_id = $1 AND 'staff' = ANY (roles) RETURNING ${COLUMNS}`,
    [userId, by, now],
  );
  return rows[0] && toMember(rows[0]);
}

/** Marks an invitation accepted: the address is proven (the link was followed). */
export async function acceptStaffInvitation(
  tx: Queryable,
  userId: string,
  passwordHash: string,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE auth.credential
     SET password_hash = $2, email_verified_at = coalesce(email_verified_at, $3),
         staff_version = staff_version + 1, updated_at = $3
     WHERE user_id = $1 AND 'staff' = ANY (roles) AND invited_at IS NOT NULL`,
    [userId, passwordHash, now],
  );
  return rowCount === 1;
}
