// A test issuer standing in for auth: tokens signed with a key made for this test process,
// accepted only by a verifier that is handed `testVerifyToken` (never by the kit's default).
import { generateKeyPairSync, type JsonWebKey, randomUUID, sign } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { Identity } from '../identity/index.js';
import { permissionsOf, type StaffRole } from '../identity/permissions.js';
import { createTokenVerifier, type TokenVerifier } from '../identity/verify-token.js';

/** The `iss` and `aud` of test tokens. */
export const TEST_ISSUER = 'https://auth.test';
export const TEST_AUDIENCE = 'shop';
const KID = 'test-signing-key';

const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The test issuer's public keys. */
export const testJwks: JSONWebKeySet = {
  keys: [
    {
      ...(keyPair.publicKey.export({ format: 'jwk' }) as JsonWebKey),
      kid: KID,
      alg: 'ES256',
      use: 'sig',
    } as JSONWebKeySet['keys'][number],
  ],
};

const revokedSessions = new Set<string>();

/** Revokes a test session: tokens naming it are refused from now on. */
export function revokeTestSession(sessionId: string): void {
  revokedSessions.add(sessionId);
}

/** Verifies tokens of the test issuer, with the revocations of {@link revokeTestSession}. */
export const testVerifyToken: TokenVerifier = createTokenVerifier({
  jwks: testJwks,
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  revocations: async (sid) => (revokedSessions.has(sid) ? 'revoked' : 'active'),
});

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * The staff roles and permissions a test token carries, as auth would issue them: the roles'
 * names join `roles` and their permissions are `perms`. A staff identity that names neither
 * is an administrator (what the migration made of every staff account), so tests that only
 * say `roles: ['staff']` may do everything; `permissions` overrides (`[]`: none at all).
 */
function staffClaims(identity: Identity): { roles: string[]; perms?: string[] } {
  if (!identity.roles.includes('staff')) {
    // Permissions on a non-staff token: auth never issues one; tests show they count for nothing.
    return {
      roles: [...identity.roles],
      ...(identity.permissions && { perms: [...identity.permissions] }),
    };
  }
  const staffRoles =
    identity.staffRoles ?? (identity.permissions ? [] : (['administrator'] as const));
  return {
    roles: [...identity.roles, ...staffRoles],
    perms: [...(identity.permissions ?? permissionsOf(staffRoles))],
  };
}

/**
 * An ES256 access token for `identity`, shaped like auth's (`sub`, `roles`, `perms`, `sid`,
 * `email`), signed by the test issuer; a session id is made up when the identity has none.
 * @example const token = testAccessToken({ userId, roles: ['staff'], staffRoles: ['marketing'] });
 */
export function testAccessToken(
  identity: Identity,
  options: { ttlSeconds?: number; issuer?: string; audience?: string; now?: Date } = {},
): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header = { alg: 'ES256', kid: KID, typ: 'at+jwt' };
  const claims = {
    iss: options.issuer ?? TEST_ISSUER,
    aud: options.audience ?? TEST_AUDIENCE,
    sub: identity.userId,
    ...staffClaims(identity),
    sid: identity.sessionId ?? randomUUID(),
    ...(identity.email ? { email: identity.email } : {}),
    jti: randomUUID(),
    iat,
    exp: iat + (options.ttlSeconds ?? 900),
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: keyPair.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${base64url(signature)}`;
}

/**
 * The `Authorization` header a caller signed in as `identity` sends, for functions started
 * (or apps built) with {@link testVerifyToken}; staff as in {@link testAccessToken}.
 * @example await app.request('/api/cart', { headers: identityHeaders({ userId, roles: ['shopper'] }) });
 * @example identityHeaders({ userId, roles: ['staff'], staffRoles: ['auditor'] }) // an auditor
 */
export function identityHeaders(identity: Identity): { authorization: string } {
  return { authorization: `Bearer ${testAccessToken(identity)}` };
}

/**
 * The `Authorization` header of a staff member holding exactly `staffRoles` (and their
 * permissions), for apps built with {@link testVerifyToken}.
 * @example await app.request('/api/admin/offers', { method: 'POST', headers: staffRoleHeaders('marketing') });
 */
export function staffRoleHeaders(
  staffRoles: StaffRole | readonly StaffRole[],
  userId = 'staff-test',
): { authorization: string } {
  const roles = typeof staffRoles === 'string' ? [staffRoles] : staffRoles;
  return identityHeaders({ userId, roles: ['staff'], staffRoles: roles });
}
