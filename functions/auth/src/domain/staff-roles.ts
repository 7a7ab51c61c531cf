// What a staff member's stored roles are made of, and the one rule no change may break: some
// active administrator remains.
import { isStaffRole, STAFF_ROLES, type StaffRole } from '@shop/shared';

/**
 * The roles stored for a staff member with `staffRoles`: `shopper`, `staff`, then each staff
 * role once, in {@link STAFF_ROLES} order (so equal sets compare equal).
 * @example storedStaffRoles(['marketing', 'analyst']) // ['shopper', 'staff', 'marketing', 'analyst']
 */
export function storedStaffRoles(staffRoles: Iterable<string>): string[] {
  const wanted = new Set(staffRoles);
  return ['shopper', 'staff', ...Object.keys(STAFF_ROLES).filter((role) => wanted.has(role))];
}

/** The staff role names among stored roles, in {@link STAFF_ROLES} order. */
export function staffRolesOf(roles: readonly string[]): StaffRole[] {
  const held = new Set(roles);
  return (Object.keys(STAFF_ROLES) as StaffRole[]).filter(
    (role) => held.has(role) && isStaffRole(role),
  );
}

/**
 * Whether a change leaves no active administrator: `activeAdministrators` are the ids of the
 * active (accepted, not disabled) administrators before it, and the change takes the role or
 * the account of `userId` away.
 * @example leavesNoAdministrator(['a'], 'a') // true
 */
export function leavesNoAdministrator(activeAdministrators: readonly string[], userId: string) {
  return activeAdministrators.filter((id) => id !== userId).length === 0;
}
