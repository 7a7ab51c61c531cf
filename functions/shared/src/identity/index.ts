// Who is calling. Every function verifies the caller's access token itself (the gateway
// forwards it untouched): an identity is proven by auth's signature, never asserted by a header.
import type { Context, MiddlewareHandler } from 'hono';
import type { ServiceEnv } from '../app.js';
import { headerValue, requestHeaders } from '../http/request-headers.js';
import { Problem } from '../problem.js';
import type { Permission, StaffRole } from './permissions.js';
import { TokenRejected, type TokenVerifier } from './verify-token.js';

export type Role = 'shopper' | 'staff';

/** Who is calling, as verified from the access token. */
export interface Identity {
  userId: string;
  roles: Role[];
  /** The staff roles the token names (`marketing`, …); none for shoppers. */
  staffRoles?: readonly StaffRole[];
  /**
   * What the caller may do on staff routes: the token's `perms` (auth fills it from the staff
   * roles), names that are not permissions dropped; none without the `staff` role.
   */
  permissions?: readonly Permission[];
  email?: string;
  sessionId?: string;
}

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

/** The bearer token of `Authorization`, `undefined` without one, `null` when it is malformed. */
export function bearerToken(authorization: string | undefined): string | null | undefined {
  if (!authorization) return undefined;
  const bearer = authorization.match(BEARER);
  if (bearer?.[1]) return bearer[1];
  return /^Bearer\b/i.test(authorization) ? null : undefined;
}

/**
 * Verifies the `Authorization: Bearer` access token of every request with `verifyToken` and sets
 * `identity` (null without a token, or without a verifier: then nobody is signed in). A token
 * that does not verify, or names a revoked session, is a 401; keys or the revocation list that
 * cannot be read, a 503. Headers such as `x-shop-user-id` or `x-user-id` mean nothing.
 * @example app.use(identify(verifyToken));
 */
export function identify(verifyToken: TokenVerifier | null): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    let identity: Identity | null = null;
    const token = verifyToken
      ? bearerToken(headerValue(requestHeaders(c), 'authorization'))
      : undefined;
    if (token === null) throw invalidToken('The bearer token is malformed.');
    if (token !== undefined && verifyToken) {
      try {
        identity = await verifyToken(token);
      } catch (error) {
        if (!(error instanceof TokenRejected)) throw error;
        if (error.reason === 'keys-unavailable') {
          throw new Problem(
            503,
            'Sign-ins cannot be checked right now; try again shortly.',
            {},
            {
              'retry-after': '5',
            },
          );
        }
        throw invalidToken(`The access token was refused: ${error.message}.`);
      }
    }
    c.set('identity', identity);
    await next();
  };
}

function invalidToken(detail: string): Problem {
  return new Problem(401, detail, {}, { 'www-authenticate': 'Bearer error="invalid_token"' });
}

/**
 * The verified identity of the request, or null for an anonymous one.
 * @example const who = readIdentity(c); if (!who) throw new Problem(401);
 */
export function readIdentity(c: Context): Identity | null {
  return (c.get('identity') as Identity | null | undefined) ?? null;
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

/**
 * The caller's identity when it holds `permission` (a staff role grants it): a 401 problem
 * without a verified token, a 403 problem naming the missing permission otherwise. Call it
 * first in every staff route, with the permission that route needs.
 * @example const staff = requirePermission(c, 'catalog:write');
 */
export function requirePermission(c: Context, permission: Permission): Identity {
  const identity = requireIdentity(c);
  if (!identity.roles.includes('staff') || !identity.permissions?.includes(permission)) {
    throw new Problem(403, `This needs the ${permission} permission, which your roles lack.`, {
      type: 'https://shop.example/problems/missing-permission',
      title: 'Missing permission',
      permission,
    });
  }
  return identity;
}

export {
  isPermission,
  isStaffRole,
  PERMISSIONS,
  type Permission,
  permissionsOf,
  STAFF_ROLES,
  type StaffRole,
} from './permissions.js';
export {
  createRevocationFeed,
  type RevocationCheck,
  type RevocationFeed,
  type RevocationFeedOptions,
  type RevocationFeedPage,
  type RevocationVerdict,
} from './revocations.js';
export {
  createTokenVerifier,
  TokenRejected,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './verify-token.js';
