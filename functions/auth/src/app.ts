import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createRateLimiter,
  createServiceApp,
  type Database,
  type EventSenderVerifier,
  type KeyValue,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import { loadCommonPasswords } from './common-passwords.js';
import {
  type AuthDeps,
  DEFAULT_LIMITS,
  DEFAULT_MAIL_LINKS,
  type LimiterName,
  type MailLinkSettings,
} from './deps.js';
import { createErasureReceiver } from './erasure.js';
import { createLoginThrottle } from './login-throttle.js';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.js';
import { registerAdminKeyRoutes } from './routes/admin-keys.js';
import { registerAdminStaffRoutes } from './routes/admin-staff.js';
import { registerEmailFlowRoutes } from './routes/email-flows.js';
import { registerRevocationRoutes } from './routes/revocations.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerSignupRoutes } from './routes/signup.js';
import { registerWellKnownRoutes } from './routes/well-known.js';
import type { SigningKeys } from './signing-keys.js';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from './tokens.js';

export {
  DEFAULT_LIMITS,
  DEFAULT_MAIL_LINKS,
  type Limit,
  type LoginBackoff,
  type MailLinkSettings,
} from './deps.js';

/** What the auth app is built from; main.ts makes the real ones, tests pass their own. */
export interface AuthAppDeps {
  db: Database;
  /** Rate limit counters (Redis in production). */
  kv: KeyValue;
  log: Logger;
  keys: SigningKeys;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock); also drives the rate limit windows. */
  clock?: () => Date;
  issuer?: string;
  audience?: string;
  accessTokenTtlSeconds?: number;
  refreshIdleSeconds?: number;
  refreshAbsoluteSeconds?: number;
  /** Default: argon2id at the OWASP parameters. */
  passwordHasher?: PasswordHasher;
  limits?: Partial<typeof DEFAULT_LIMITS>;
  /** Where mailed links point and how long they work (default: the dev storefront). */
  mailLinks?: Partial<MailLinkSettings>;
  /** Called once a transaction that wrote to auth.outbox committed (main.ts wakes the relay). */
  onEventsRecorded?: () => void;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /**
   * Verifies the broker's OIDC token on /events (the kit's, from EVENTS_OIDC_*; tests:
   * `testVerifyEventSender`); without it every event is refused (401).
   */
  verifyEventSender?: EventSenderVerifier;
}

/**
 * The auth function: signup, login, refresh, logout, the JWKS and OpenID discovery document,
 * staff key rotation and staff management, and the receiver of `shop.user.erased` at /events. No side effects.
 * @example const app = createApp({ db, kv, log, keys: createSigningKeys({ db, kek }) });
 */
export function createApp(deps: AuthAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, kv, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const app = createServiceApp({
    service: 'auth',
    log,
    verifyToken: deps.verifyToken,
    maxBodyBytes: 16 * 1024,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping(), keyValue: () => kv.ping() },
  });
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const limiter = (name: LimiterName) => ({
    ...limits[name],
    ...createRateLimiter({
      kv,
      prefix: `rl:auth:${name}`,
      ...limits[name],
      clock: () => clock().getTime(),
    }),
  });
  const routeDeps: AuthDeps = {
    db,
    keys: deps.keys,
    clock,
    issuer: deps.issuer ?? DEFAULT_ISSUER,
    audience: deps.audience ?? DEFAULT_AUDIENCE,
    accessTokenTtlSeconds: deps.accessTokenTtlSeconds ?? 900,
    refreshIdleSeconds: deps.refreshIdleSeconds ?? 7 * 24 * 3600,
    refreshAbsoluteSeconds: deps.refreshAbsoluteSeconds ?? 30 * 24 * 3600,
    hasher: deps.passwordHasher ?? createPasswordHasher(),
    commonPasswords: loadCommonPasswords(),
    limiters: {
      loginPerIp: limiter('loginPerIp'),
      signupPerIp: limiter('signupPerIp'),
      mailPerIp: limiter('mailPerIp'),
      mailPerAccount: limiter('mailPerAccount'),
      tokenPerIp: limiter('tokenPerIp'),
    },
    mailLinks: { ...DEFAULT_MAIL_LINKS, ...deps.mailLinks },
    loginThrottle: createLoginThrottle({
      kv,
      prefix: 'rl:auth:loginPerAccountAndIp',
      backoff: limits.loginPerAccountAndIp,
      clock: () => clock().getTime(),
    }),
    onEventsRecorded: deps.onEventsRecorded ?? (() => {}),
  };
  registerSignupRoutes(app, routeDeps);
  registerEmailFlowRoutes(app, routeDeps);
  registerSessionRoutes(app, routeDeps);
  registerWellKnownRoutes(app, routeDeps);
  registerRevocationRoutes(app, routeDeps);
  registerAdminKeyRoutes(app, routeDeps);
  registerAdminStaffRoutes(app, routeDeps);
  app.route(
    '/events',
    createErasureReceiver({
      db,
      log,
      ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
      ...(deps.metrics && { registry: deps.metrics.registry }),
    }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'auth',
      version: '1.0.0',
      description:
        'Signup, login, rotating refresh tokens with reuse detection, logout, email ' +
        'verification, password reset, email change, and the keys that ' +
        'verify access tokens. Reached through the api-gateway.',
    },
    tags: [
      { name: 'auth', description: 'Accounts and sessions' },
      { name: 'keys', description: 'Token verification keys' },
      { name: 'staff', description: 'Key rotation and staff management (staff, by permission)' },
    ],
  });
  return app;
}
