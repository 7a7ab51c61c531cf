// POST /api/auth/login, /refresh, /logout — sessions as rotating refresh token families
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { newId, Problem, type Queryable, readIdentity, type ServiceEnv, text } from '@shop/shared';
import type { AuthDeps } from '../deps.js';
import { normalizeEmail } from '../domain/normalize-email.js';
import { hashRefreshToken, newRefreshToken } from '../domain/refresh-token.js';
import { recordUserEvent } from '../events.js';
import type { SigningKey } from '../signing-keys.js';
import {
  type Credential,
  claimRefreshToken,
  findCredentialByEmail,
  findCredentialById,
  insertRefreshToken,
  insertSession,
  lockPasswordHash,
  lockRefreshToken,
  revokeSession,
  updatePasswordHash,
} from '../store.js';
import { issueAccessToken } from '../tokens.js';
import { enforceLimit, requestIp, requireJson } from './request-guards.js';
import { jsonBody, NO_STORE, problem, RefreshTokenSchema, TokenResponseSchema } from './schemas.js';

const LoginBody = z
  .strictObject({
    email: text({ max: 320 }),
    password: text({ max: 1024, trim: false }),
  })
  .openapi('Login');
const RefreshBody = z.strictObject({ refreshToken: RefreshTokenSchema }).openapi('Refresh');
const LogoutBody = z
  .strictObject({ refreshToken: RefreshTokenSchema.optional() })
  .openapi('Logout');

const tokenResponses = {
  200: {
    description: 'A new access token and refresh token',
    content: { 'application/json': { schema: TokenResponseSchema } },
  },
  400: problem('Invalid body'),
  401: problem('Not accepted'),
  415: problem('Not JSON'),
};

const loginRoute = createRoute({
  method: 'post',
  path: '/api/auth/login',
  tags: ['auth'],
  summary: 'Sign in with email and password; starts a session',
  description:
    'A wrong password and an unknown email answer the same 401. Limited per client IP, and ' +
    'per account and client IP: after 5 failures in a row that pair waits, longer with every ' +
    'further failure (429 with Retry-After); other addresses are not affected.',
  request: { body: jsonBody(LoginBody) },
  responses: {
    ...tokenResponses,
    403: problem('The account is disabled (told only after the password verified)'),
    429: problem('Too many attempts'),
  },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/api/auth/refresh',
  tags: ['auth'],
  summary: 'Trade a refresh token for new tokens (the old one stops working)',
  description:
    'Presenting a refresh token that was already rotated revokes its whole session: every ' +
    'token of the family stops working (RFC 9700 §4.14.2). Clients must not refresh one ' +
    'token concurrently: the second request counts as reuse.',
  request: { body: jsonBody(RefreshBody) },
  responses: tokenResponses,
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/api/auth/logout',
  tags: ['auth'],
  summary: 'End the session of a refresh token (or of the access token the gateway verified)',
  request: { body: jsonBody(LogoutBody, false) },
  responses: {
    204: { description: 'Signed out (also when already signed out)' },
    400: problem('Invalid body'),
  },
});

const INVALID_CREDENTIALS = () =>
  new Problem(401, 'The email or password is not correct.', {
    type: 'https://shop.example/problems/invalid-credentials',
    title: 'Invalid credentials',
  });
const INVALID_REFRESH = () =>
  new Problem(401, 'The refresh token is not valid; sign in again.', {
    type: 'https://shop.example/problems/invalid-refresh-token',
    title: 'Invalid refresh token',
  });

const ACCOUNT_DISABLED = () =>
  new Problem(403, 'This account is disabled; ask an administrator to enable it.', {
    type: 'https://shop.example/problems/account-disabled',
    title: 'Account disabled',
  });

const THROTTLED = (retryAfterSeconds: number) =>
  new Problem(
    429,
    `Too many failed attempts from this address; try again in ${retryAfterSeconds} seconds.`,
    { type: 'https://shop.example/problems/rate-limited', title: 'Too many requests' },
    { 'Retry-After': String(retryAfterSeconds) },
  );

/** Registers login, refresh and logout. */
export function registerSessionRoutes(app: OpenAPIHono<ServiceEnv>, deps: AuthDeps): void {
  // The signing key is read before the transaction: PGlite has one connection, so a query
  // outside `tx` while it is open would wait forever.
  const issueTokens = async (
    tx: Queryable,
    key: SigningKey,
    credential: Credential,
    sessionId: string,
    sessionExpiresAt: Date,
    now: Date,
  ) => {
    const refreshToken = newRefreshToken();
    const idleExpiry = new Date(now.getTime() + deps.refreshIdleSeconds * 1000);
    await insertRefreshToken(tx, {
      hash: hashRefreshToken(refreshToken),
      sessionId,
      createdAt: now,
      expiresAt: idleExpiry < sessionExpiresAt ? idleExpiry : sessionExpiresAt,
    });
    const accessToken = await issueAccessToken(
      key,
      {
        sub: credential.userId,
        roles: credential.roles,
        sid: sessionId,
        jti: newId(),
        email: credential.email,
      },
      {
        issuer: deps.issuer,
        audience: deps.audience,
        ttlSeconds: deps.accessTokenTtlSeconds,
        now,
      },
    );
    return {
      accessToken,
      tokenType: 'Bearer' as const,
      expiresIn: deps.accessTokenTtlSeconds,
      refreshToken,
    };
  };

  app.use('/api/auth/:action{login|refresh}', async (c, next) => {
    if (c.req.method === 'POST') requireJson(c);
    await next();
  });

  app.openapi(loginRoute, async (c) => {
    const body = c.req.valid('json');
    const email = normalizeEmail(body.email);
    const ip = requestIp(c);
    // Many accounts from one address (credential stuffing): refused per IP.
    await enforceLimit(deps.limiters.loginPerIp, ip);
    // Guessing one account from one address: a growing wait for that pair only, so the owner
    // at another address still gets in. Unknown emails count alike, which reveals nothing.
    const verdict = await deps.loginThrottle.attempt(email, ip);
    if (!verdict.allowed) throw THROTTLED(verdict.retryAfterSeconds);
    const credential = await findCredentialByEmail(deps.db, email);
    if (!credential) {
      await deps.hasher.verifyDummy(body.password);
      throw INVALID_CREDENTIALS();
    }
    if (!(await deps.hasher.verify(credential.passwordHash, body.password))) {
      throw INVALID_CREDENTIALS();
    }
    // Told only to whoever knows the password: the owner learns why, nobody else learns more.
    if (credential.disabledAt) throw ACCOUNT_DISABLED();
    const rehash = deps.hasher.needsRehash(credential.passwordHash)
      ? await deps.hasher.hash(body.password)
      : undefined;
    const now = deps.clock();
    const sessionId = newId();
    const sessionExpiresAt = new Date(now.getTime() + deps.refreshAbsoluteSeconds * 1000);
    const key = await deps.keys.current();
    const tokens = await deps.db.transaction(async (tx) => {
      // The hash verified above must still be the stored one: an operator's reset
      // (create-staff --promote-existing) revokes every session, and one started from the old
      // password after that would survive it. The lock makes the reset wait for this session.
      const stored = await lockPasswordHash(tx, credential.userId);
      if (stored !== credential.passwordHash) {
        // Usually a concurrent login's rehash of the same password; an erasure or a reset else.
        if (!stored || !(await deps.hasher.verify(stored, body.password))) return undefined;
      } else if (rehash) {
        await updatePasswordHash(tx, credential.userId, credential.passwordHash, rehash, now);
      }
      await insertSession(tx, {
        id: sessionId,
        userId: credential.userId,
        createdAt: now,
        expiresAt: sessionExpiresAt,
      });
      await recordUserEvent(tx, 'shop.user.logged_in', {
        userId: credential.userId,
        sessionId,
        loggedInAt: now.toISOString(),
      });
      return issueTokens(tx, key, credential, sessionId, sessionExpiresAt, now);
    });
    if (!tokens) throw INVALID_CREDENTIALS();
    await deps.loginThrottle.succeed(email, ip);
    deps.onEventsRecorded();
    return c.json(tokens, 200, NO_STORE);
  });

  app.openapi(refreshRoute, async (c) => {
    const hash = hashRefreshToken(c.req.valid('json').refreshToken);
    const now = deps.clock();
    const key = await deps.keys.current();
    const outcome = await deps.db.transaction(async (tx) => {
      const claimed = await claimRefreshToken(tx, hash, now);
      if (claimed) {
        const credential = await findCredentialById(tx, claimed.userId);
        // Disabling revokes every session; this holds even against a refresh racing it.
        if (!credential || credential.disabledAt) return { kind: 'invalid' as const };
        const tokens = await issueTokens(
          tx,
          key,
          credential,
          claimed.sessionId,
          claimed.sessionExpiresAt,
          now,
        );
        return { kind: 'rotated' as const, tokens };
      }
      const stored = await lockRefreshToken(tx, hash);
      if (!stored?.usedAt) return { kind: 'invalid' as const };
      // A rotated token came back: someone holds a copy. Revoke the family (once).
      const revoked = await revokeSession(tx, stored.sessionId, 'reuse', now);
      if (revoked === null) return { kind: 'invalid' as const };
      await recordUserEvent(tx, 'shop.auth.refresh_reuse_detected', {
        userId: stored.userId,
        sessionId: stored.sessionId,
        revokedTokens: revoked,
        detectedAt: now.toISOString(),
      });
      return { kind: 'reused' as const, sessionId: stored.sessionId };
    });
    if (outcome.kind === 'rotated') return c.json(outcome.tokens, 200, NO_STORE);
    if (outcome.kind === 'reused') {
      deps.onEventsRecorded();
      c.get('log').warn({ sessionId: outcome.sessionId }, 'refresh token reuse: session revoked');
    }
    throw INVALID_REFRESH();
  });

  app.openapi(logoutRoute, async (c) => {
    const body = c.req.valid('json') as z.infer<typeof LogoutBody> | undefined;
    const now = deps.clock();
    if (body?.refreshToken) {
      const hash = hashRefreshToken(body.refreshToken);
      await deps.db.transaction(async (tx) => {
        const stored = await lockRefreshToken(tx, hash);
        if (stored) await revokeSession(tx, stored.sessionId, 'logout', now);
      });
    } else {
      const identity = readIdentity(c);
      const isUuid = (value: string | undefined) => z.uuid().safeParse(value).success;
      if (identity?.sessionId && isUuid(identity.sessionId) && isUuid(identity.userId)) {
        await revokeSession(deps.db, identity.sessionId, 'logout', now, identity.userId);
      }
    }
    return c.body(null, 204);
  });
}
