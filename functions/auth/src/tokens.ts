// Access tokens: ES256 JWTs; `verifyAccessToken` is what a resource server (and the tests) run.
import {
  createTokenVerifier,
  type Permission,
  permissionsOf,
  type Queryable,
  type TokenVerifier,
} from '@shop/shared';
import {
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { SigningKey, SigningKeys } from './signing-keys.js';
import { isSessionRevoked } from './store.js';

/** The default `iss` and `aud` (AUTH_ISSUER, AUTH_AUDIENCE). */
export const DEFAULT_ISSUER = 'http://127.0.0.1:8080';
export const DEFAULT_AUDIENCE = 'shop';

/** The claims of an access token. */
export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  /** `shopper`, and for staff `staff` and their staff role names (`marketing`, …). */
  roles: string[];
  /** What the staff roles allow (`permissionsOf(roles)`); absent for shoppers. */
  perms?: Permission[];
  /** Session = refresh token family. */
  sid: string;
  email?: string;
  jti: string;
  iat: number;
  exp: number;
}

/**
 * Signs an access token for `subject` with the current key (`kid` in the header); a staff
 * member's token carries their staff role names in `roles` and their permissions as `perms`.
 * @example const jwt = await issueAccessToken(key, { sub, roles: ['shopper'], sid, jti }, { issuer, audience, ttlSeconds: 900, now });
 */
export function issueAccessToken(
  key: SigningKey,
  claims: {
    sub: string;
    roles: readonly string[];
    sid: string;
    jti: string;
    email?: string;
  },
  options: { issuer: string; audience: string; ttlSeconds: number; now: Date },
): Promise<string> {
  const iat = Math.floor(options.now.getTime() / 1000);
  const perms = permissionsOf(claims.roles);
  return new SignJWT({
    roles: [...claims.roles],
    // Staff only: a staff token always carries `perms`, even when its roles grant nothing.
    ...(claims.roles.includes('staff') && { perms }),
    sid: claims.sid,
    ...(claims.email ? { email: claims.email } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSeconds)
    .sign(key.privateKey);
}

/**
 * Verifies an access token against a JWKS (a key set, or jose's `createRemoteJWKSet`), pinning
 * ES256, the issuer and the audience; throws a jose error when anything is off.
 * @example const claims = await verifyAccessToken(token, await (await fetch(jwksUrl)).json());
 */
export async function verifyAccessToken(
  token: string,
  jwks: JSONWebKeySet | JWTVerifyGetKey,
  options: { issuer?: string; audience?: string; currentDate?: Date } = {},
): Promise<AccessTokenClaims> {
  const getKey = typeof jwks === 'function' ? jwks : createLocalJWKSet(jwks);
  const { payload } = await jwtVerify(token, getKey, {
    algorithms: ['ES256'],
    issuer: options.issuer ?? DEFAULT_ISSUER,
    audience: options.audience ?? DEFAULT_AUDIENCE,
    requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    ...(options.currentDate ? { currentDate: options.currentDate } : {}),
  });
  if (!Array.isArray(payload.roles) || typeof payload.sid !== 'string') {
    throw new TypeError('the token lacks roles or sid');
  }
  return payload as AccessTokenClaims;
}

/**
 * How auth verifies the access tokens sent to its own routes (logout, staff key rotation): with
 * the keys it holds and the sessions in its database, so a rotation or a revocation applies at
 * once, without the JWKS or revocation feed round trip every other function makes.
 * @example const verifyToken = ownTokenVerifier({ db, keys, issuer, audience });
 */
export function ownTokenVerifier(options: {
  db: Queryable;
  keys: SigningKeys;
  issuer: string;
  audience: string;
}): TokenVerifier {
  const { db, keys } = options;
  return createTokenVerifier({
    jwks: async (header, token) => createLocalJWKSet(await keys.jwks())(header, token),
    issuer: options.issuer,
    audience: options.audience,
    revocations: async (sid) => ((await isSessionRevoked(db, sid)) ? 'revoked' : 'active'),
  });
}
