import type { Identity, Role } from '@shop/shared';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** Why a bearer token was refused: the caller's fault (401) or the key source's (503). */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
  constructor(
    readonly reason: 'invalid' | 'keys-unavailable',
    message: string,
  ) {
    super(message);
  }
}

export interface TokenVerifierOptions {
  /** Where auth publishes its public keys, e.g. `http://auth/.well-known/jwks.json`. */
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Least milliseconds between two refetches triggered by an unknown `kid` (jose default 30 s). */
  cooldownMs?: number;
  /** Milliseconds fetched keys are trusted before a refetch (jose default 10 min). */
  cacheMaxAgeMs?: number;
  /** Milliseconds the JWKS fetch may take. */
  timeoutMs?: number;
  /** Source of "now" in seconds-precision checks (exp, nbf); default the system clock. */
  clock?: () => Date;
}

/** Verifies an access token and returns the identity it carries; throws {@link TokenRejected}. */
export type TokenVerifier = (token: string) => Promise<Identity>;

const ROLES = new Set<string>(['shopper', 'staff']);

/** jose errors that mean the token itself is bad, not that keys could not be fetched. */
function isTokenError(error: unknown): boolean {
  return (
    error instanceof errors.JOSEError &&
    !(error instanceof errors.JWKSTimeout) &&
    !(error instanceof errors.JWKSInvalid)
  );
}

/**
 * Verifies auth's ES256 access tokens locally against its JWKS. jose caches the keys and
 * refetches them when a token names an unknown `kid` (at most once per cooldown), so a key
 * rotation needs no restart; tokens signed by the previous key verify while it is published.
 * @example const verify = createTokenVerifier({ jwksUrl, issuer: 'http://127.0.0.1:8080', audience: 'shop' });
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(options.jwksUrl), {
    ...(options.cooldownMs !== undefined && { cooldownDuration: options.cooldownMs }),
    ...(options.cacheMaxAgeMs !== undefined && { cacheMaxAge: options.cacheMaxAgeMs }),
    ...(options.timeoutMs !== undefined && { timeoutDuration: options.timeoutMs }),
  });
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: ['ES256'],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['sub', 'exp'],
        ...(options.clock && { currentDate: options.clock() }),
      }));
    } catch (error) {
      if (isTokenError(error)) {
        throw new TokenRejected('invalid', (error as Error).message);
      }
      throw new TokenRejected('keys-unavailable', 'the signing keys could not be fetched');
    }
    return identityFromClaims(payload);
  };
}

function identityFromClaims(payload: Record<string, unknown>): Identity {
  const { sub, roles, email, sid } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) {
    throw new TokenRejected('invalid', 'the token has no subject');
  }
  if (!Array.isArray(roles)) throw new TokenRejected('invalid', 'the token has no roles');
  return {
    userId: sub,
    roles: roles.filter((role): role is Role => typeof role === 'string' && ROLES.has(role)),
    ...(typeof email === 'string' && email ? { email } : {}),
    ...(typeof sid === 'string' && sid ? { sessionId: sid } : {}),
  };
}
