// Who a signed-in user is to the back office, read from the access token auth answered: its
// subject, email, roles and the permissions (`perms`) it carries. The token is read without
// verifying it here — it came from auth over our own call — and every function verifies it
// again on every admin route, so what this decides is only which screens the menu offers.
import { isPermission, PERMISSIONS, type Permission } from '@shop/shared/permissions';

export interface StaffAccess {
  userId: string;
  email: string;
  roles: string[];
  /** Whether the token has the `staff` role at all (anyone else may not sign in here). */
  staff: boolean;
  permissions: Permission[];
}

interface AccessClaims {
  sub?: unknown;
  email?: unknown;
  roles?: unknown;
  perms?: unknown;
}

/** The payload of a JWT, or null when it is not one. */
function payloadOf(accessToken: string): AccessClaims | null {
  const payload = accessToken.split('.')[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as AccessClaims) : null;
  } catch {
    return null;
  }
}

/**
 * LEGACY (delete once auth issues `perms` for every staff token): a token of the old shape —
 * the `staff` role and no `perms` claim at all — was the only staff there was, allowed
 * everything, so it is treated as an administrator. A token with a `perms` claim, even an
 * empty one, is read as it says.
 */
function legacyStaffPermissions(claims: AccessClaims, roles: string[]): Permission[] | null {
  if (claims.perms === undefined && roles.includes('staff')) return [...PERMISSIONS];
  return null;
}

/**
 * What the token lets its holder see: permissions from `perms` (unknown names dropped), in the
 * catalog's order; none for a token without the `staff` role.
 * @example staffAccessOf(accessToken) // { userId, email, roles: ['staff', 'auditor'], staff: true, permissions: ['audit:read', …] }
 */
export function staffAccessOf(accessToken: string): StaffAccess | null {
  const claims = payloadOf(accessToken);
  if (!claims || typeof claims.sub !== 'string') return null;
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((role): role is string => typeof role === 'string')
    : [];
  const staff = roles.includes('staff');
  const granted = new Set<string>(
    Array.isArray(claims.perms) ? claims.perms.filter((perm) => isPermission(perm)) : [],
  );
  const legacy = staff ? legacyStaffPermissions(claims, roles) : null;
  return {
    userId: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : '',
    roles,
    staff,
    permissions: !staff ? [] : (legacy ?? PERMISSIONS.filter((perm) => granted.has(perm))),
  };
}
