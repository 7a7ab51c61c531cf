// What staff may do. A staff role is a named set of `resource:action` permissions; auth puts
// the permissions of a user's roles into the access token (`perms`), each function checks the
// one an admin route needs, and the admin app shows exactly the screens a token allows. This
// file is the one list of both, shared by the functions and the sites.

/** Every permission an admin route can ask for, as `resource:action`. */
export const PERMISSIONS = [
  'catalog:read',
  'catalog:write',
  'stock:adjust',
  'orders:read',
  'orders:refund',
  'orders:cancel',
  'payments:review',
  'customers:read',
  'customers:erase',
  'links:read',
  'links:write',
  'flags:read',
  'flags:write',
  'analytics:read',
  'analytics:keys',
  'attribution:read',
  'attribution:rescore',
  'attribution:rates',
  'attribution:payouts',
  'reports:read',
  'audit:read',
  'audit:checkpoint',
  'notifications:read',
  'notifications:resend',
  'staff:read',
  'staff:manage',
  'keys:rotate',
  'events:read',
  'events:replay',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const KNOWN = new Set<string>(PERMISSIONS);

/** Whether `value` names a permission of {@link PERMISSIONS}. */
export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && KNOWN.has(value);
}

/** The staff roles and what each may do. `administrator` may do everything. */
export const STAFF_ROLES = {
  'catalog-manager': ['catalog:read', 'catalog:write', 'stock:adjust', 'reports:read'],
  'order-support': [
    'orders:read',
    'orders:refund',
    'orders:cancel',
    'payments:review',
    'customers:read',
    'catalog:read',
    'notifications:read',
    'notifications:resend',
  ],
  marketing: [
    'links:read',
    'links:write',
    'flags:read',
    'flags:write',
    'analytics:read',
    'attribution:read',
    'reports:read',
    'catalog:read',
  ],
  analyst: [
    'reports:read',
    'analytics:read',
    'attribution:read',
    'links:read',
    'flags:read',
    'catalog:read',
    'orders:read',
  ],
  auditor: ['audit:read', 'reports:read', 'staff:read', 'events:read'],
  administrator: PERMISSIONS,
} as const satisfies Record<string, readonly Permission[]>;

export type StaffRole = keyof typeof STAFF_ROLES;

/** Whether `value` names a role of {@link STAFF_ROLES}. */
export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && Object.hasOwn(STAFF_ROLES, value);
}

/**
 * The permissions of a set of roles, each once, in {@link PERMISSIONS} order; names that are
 * not staff roles (`shopper`, an unknown one) add nothing.
 * @example permissionsOf(['shopper', 'marketing']) // ['catalog:read', 'links:read', …]
 */
export function permissionsOf(roles: Iterable<string>): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles) {
    if (isStaffRole(role)) for (const permission of STAFF_ROLES[role]) granted.add(permission);
  }
  return PERMISSIONS.filter((permission) => granted.has(permission));
}
