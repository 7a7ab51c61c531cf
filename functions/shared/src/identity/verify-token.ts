// Access-token verification shared by the gateway and every function: auth's ES256 tokens,
// checked against its JWKS (cached) and, by session id, against its revocation feed.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Identity, Role } from './index.js';
import { isPermission, isStaffRole } from './permissions.js';
import type { RevocationCheck } from './revocations.js';

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
  /**
   * Auth's public keys: where it publishes them (e.g. `http://auth/.well-known/jwks.json`,
   * fetched and cached), a key set in hand (tests) or a key lookup (auth, from its own keys).
   */
  jwks: string | JSONWebKeySet | JWTVerifyGetKey;
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
  /**
   * Verified tokens remembered (least recently used out first) so a token is verified once,
   * not on every request; 0 turns the cache off. Default 10,000.
   */
  tokenCacheSize?: number;
  /** Longest milliseconds a verification is reused (never past the token's `exp`). Default 5 min. */
  tokenCacheMs?: number;
  /**
   * Whether a session was revoked (logout, refresh-token reuse, erasure, password reset). Asked
   * on every use of a token, cached or not, so a revoked session's tokens stop working as soon
   * as the check knows; a token without `sid` is refused when a check is set.
   */
  revocations?: RevocationCheck;
}

/** Verifies an access token and returns the identity it carries; throws {@link TokenRejected}. */
export type TokenVerifier = (token: string) => Promise<Identity>;

const ROLES = new Set<string>(['shopper', 'staff']);

type ProtectedHeader = Parameters<JWTVerifyGetKey>[0];
type TokenInput = Parameters<JWTVerifyGetKey>[1];
/** A key jose's key set hands out. */
type SigningKey = Awaited<ReturnType<JWTVerifyGetKey>>;

/** jose errors that mean the token itself is bad, not that keys could not be fetched. */
function isTokenError(error: unknown): boolean {
  return (
    error instanceof errors.JOSEError &&
    !(error instanceof errors.JWKSTimeout) &&
    !(error instanceof errors.JWKSInvalid)
  );
}

/** One remembered verification: what it proved, with which key, until when. */
interface Verified {
  identity: Identity;
  /** The token's protected header, to look its key up again in the current key set. */
  header: ProtectedHeader;
  /** The token as jose hands it to a key lookup. */
  input: TokenInput;
  /** The key object the signature was checked with (jose makes new ones on every refetch). */
  key: SigningKey;
  /** Milliseconds since the epoch after which the verification is not reused. */
  until: number;
}

/**
 * Verifies auth's ES256 access tokens locally against its JWKS. jose caches the keys and
 * refetches them when a token names an unknown `kid` (at most once per cooldown), so a key
 * rotation needs no restart; tokens signed by the previous key verify while it is published.
 *
 * A successful verification is remembered per token string (bounded, least recently used out
 * first) until the token's `exp` or `tokenCacheMs`, whichever is first, so a token is not
 * verified again on every request (an ES256 verification costs more than the rest of the
 * gateway's work per request). The token and the key set are immutable, so the answer can only
 * change with time or with the keys: each reuse looks the token's `kid` up in jose's current key
 * set (which refetches when older than `cacheMaxAgeMs`, like a full verification) and requires
 * the very key object it was verified with — every refetch imports new key objects, so after
 * any refetch each token is verified in full once more, and a key removed from the JWKS stops
 * being accepted as soon as jose's cached key set is refreshed, within `cacheMaxAgeMs`,
 * exactly as without this cache. Refused tokens are never remembered.
 * @example const verify = createTokenVerifier({ jwksUrl, issuer: 'http://127.0.0.1:8080', audience: 'shop' });
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys: JWTVerifyGetKey =
    typeof options.jwks === 'string'
      ? createRemoteJWKSet(new URL(options.jwks), {
          ...(options.cooldownMs !== undefined && { cooldownDuration: options.cooldownMs }),
          ...(options.cacheMaxAgeMs !== undefined && { cacheMaxAge: options.cacheMaxAgeMs }),
          ...(options.timeoutMs !== undefined && { timeoutDuration: options.timeoutMs }),
        })
      : typeof options.jwks === 'function'
        ? options.jwks
        : createLocalJWKSet(options.jwks);
  const { revocations } = options;
  const cacheSize = options.tokenCacheSize ?? 10_000;
  const cacheMs = options.tokenCacheMs ?? 5 * 60_000;
  const now = () => (options.clock ? options.clock().getTime() : Date.now());
  const cache = new Map<string, Verified>();

  const reuse = async (token: string): Promise<Identity | undefined> => {
    const entry = cache.get(token);
    if (!entry) return undefined;
    cache.delete(token);
    if (now() >= entry.until) return undefined;
    try {
      // The same key object as then: the key set has not been refetched since.
      if ((await keys(entry.header, entry.input)) !== entry.key) {
        return undefined;
      }
    } catch {
      return undefined; // the key is gone or the set cannot be fetched: a full verification says which
    }
    cache.set(token, entry); // most recently used last
    return entry.identity;
  };

  const notRevoked = async (identity: Identity): Promise<Identity> => {
    if (!revocations) return identity;
    if (!identity.sessionId) throw new TokenRejected('invalid', 'the token names no session');
    const verdict = await revocations(identity.sessionId);
    if (verdict === 'revoked') throw new TokenRejected('invalid', 'the session was revoked');
    if (verdict === 'unknown') {
      throw new TokenRejected('keys-unavailable', 'the revocation list could not be read');
    }
    return identity;
  };

  return async (token) => {
    if (cacheSize > 0) {
      const known = await reuse(token);
      if (known) return notRevoked(known);
    }
    let payload: Record<string, unknown>;
    let header: ProtectedHeader | undefined;
    let input: TokenInput | undefined;
    let key: SigningKey | undefined;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (protectedHeader, token) => {
          header = protectedHeader;
          input = token;
          key = await keys(protectedHeader, token);
          return key;
        },
        {
          algorithms: ['ES256'],
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ['sub', 'exp'],
          ...(options.clock && { currentDate: options.clock() }),
        },
      ));
    } catch (error) {
      if (isTokenError(error)) {
        throw new TokenRejected('invalid', (error as Error).message);
      }
      throw new TokenRejected('keys-unavailable', 'the signing keys could not be fetched');
    }
    const identity = identityFromClaims(payload);
    if (cacheSize > 0 && header && input && key !== undefined && typeof payload.exp === 'number') {
      // jose accepts a token while now < exp (seconds); never reuse it beyond that.
      const until = Math.min(payload.exp * 1000, now() + cacheMs);
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(token, { identity, header, input, key, until });
    }
    return notRevoked(identity);
  };
}

function identityFromClaims(payload: Record<string, unknown>): Identity {
  const { sub, roles, perms, email, sid } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) {
    throw new TokenRejected('invalid', 'the token has no subject');
  }
  if (!Array.isArray(roles)) throw new TokenRejected('invalid', 'the token has no roles');
  const known = roles.filter((role): role is Role => typeof role === 'string' && ROLES.has(role));
  // Staff roles and permissions count for staff only; a token without `perms` grants nothing.
  const staff = known.includes('staff');
  // Frozen: one identity may be handed to many requests (the verification cache).
  return Object.freeze({
    userId: sub,
    roles: Object.freeze(known) as Role[],
    ...(staff && {
      staffRoles: Object.freeze([...new Set(roles.filter(isStaffRole))]),
      permissions: Object.freeze(
        Array.isArray(perms) ? [...new Set(perms.filter(isPermission))] : [],
      ),
    }),
    ...(typeof email === 'string' && email ? { email } : {}),
    ...(typeof sid === 'string' && sid ? { sessionId: sid } : {}),
  });
}
