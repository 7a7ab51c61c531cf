import type { Context } from 'hono';
import { Problem } from './problem.js';

/**
 * Headers in which api-gateway passes the verified identity of a request to the functions.
 * The gateway strips any incoming header of these names, so a client can never set them; the
 * functions are reachable only from inside the mesh (Istio AuthorizationPolicy).
 */
export const IDENTITY_HEADERS = {
  userId: 'x-shop-user-id',
  roles: 'x-shop-roles',
  email: 'x-shop-email',
  sessionId: 'x-shop-session-id',
} as const;

export type Role = 'shopper' | 'staff';

/** Who is calling, as the gateway verified it from the access token. */
export interface Identity {
  userId: string;
  roles: Role[];
  email?: string;
  sessionId?: string;
}

const ROLES = new Set<Role>(['shopper', 'staff']);

/**
 * Reads the identity the gateway passed on, or null for an anonymous request.
 * @example const who = readIdentity(c); if (!who) throw new Problem(401);
 */
export function readIdentity(c: Context): Identity | null {
  const userId = c.req.header(IDENTITY_HEADERS.userId);
  if (!userId) return null;
  const roles = (c.req.header(IDENTITY_HEADERS.roles) ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter((role): role is Role => ROLES.has(role as Role));
  const email = c.req.header(IDENTITY_HEADERS.email);
  const sessionId = c.req.header(IDENTITY_HEADERS.sessionId);
  return {
    userId,
    roles,
    ...(email ? { email } : {}),
    ...(sessionId ? { sessionId } : {}),
  };
}

/**
 * The caller's identity, or a 401 problem; with `role`, a 403 problem when it lacks that role.
 * @example const staff = requireIdentity(c, 'staff');
 */
export function requireIdentity(c: Context, role?: Role): Identity {
  const identity = readIdentity(c);
  if (!identity) {
    throw new Problem(401, 'Sign in first.', {}, { 'www-authenticate': 'Bearer' });
  }
  if (role && !identity.roles.includes(role)) {
    throw new Problem(403, `This needs the ${role} role.`);
  }
  return identity;
}

/** The header set that passes `identity` on to a function (gateway and tests). */
export function identityHeaders(identity: Identity): Record<string, string> {
  return {
    [IDENTITY_HEADERS.userId]: identity.userId,
    [IDENTITY_HEADERS.roles]: identity.roles.join(','),
    ...(identity.email ? { [IDENTITY_HEADERS.email]: identity.email } : {}),
    ...(identity.sessionId ? { [IDENTITY_HEADERS.sessionId]: identity.sessionId } : {}),
  };
}
