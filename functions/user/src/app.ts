import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type EventSenderVerifier,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { UserDeps } from './deps.js';
import { registerAddressRoutes } from './routes/addresses.js';
import { registerAdminUserRoutes } from './routes/admin-users.js';
import { createUserEventReceiver } from './routes/events.js';
import { requireUserId } from './routes/guards.js';
import { registerMeRoutes } from './routes/me.js';

/** What the user app is built from; main.ts makes the real ones, tests pass their own. */
export interface UserAppDeps {
  db: Database;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" for createdAt, updatedAt, consent and erasure times (default: the system clock). */
  clock?: () => Date;
  /** Called once a transaction that wrote to users.outbox committed (main.ts wakes the relay). */
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
 * The customer-records function: the caller's profile, settings and addresses under
 * /api/users/me, erasure, staff search under /api/admin/users, the CloudEvents endpoint /events
 * (shop.user.registered creates the profile) and the OpenAPI 3.1 document at /openapi.json.
 * No side effects, no environment reads.
 * @example const app = createApp({ db, log }); const res = await app.request('/api/users/me', { headers: identityHeaders(who) });
 */
export function createApp(deps: UserAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const app = createServiceApp({
    service: 'user',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
  });
  const routeDeps: UserDeps = {
    db,
    clock: deps.clock ?? (() => new Date()),
    onEventsRecorded: deps.onEventsRecorded ?? (() => {}),
  };
  // Identity first, so an anonymous or shopper request learns nothing from body validation.
  app.use('/api/users/me', async (c, next) => {
    requireUserId(c);
    await next();
  });
  app.use('/api/users/me/*', async (c, next) => {
    requireUserId(c);
    await next();
  });
  app.use('/api/admin/*', async (c, next) => {
    requireUserId(c, 'staff');
    await next();
  });
  registerMeRoutes(app, routeDeps);
  registerAddressRoutes(app, routeDeps);
  registerAdminUserRoutes(app, routeDeps);
  app.route(
    '/events',
    createUserEventReceiver({
      db,
      log,
      clock: routeDeps.clock,
      ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
      ...(deps.metrics && { registry: deps.metrics.registry }),
    }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'user',
      version: '1.0.0',
      description:
        'Customer records: profiles, settings, addresses, marketing consent and erasure. ' +
        "Reached through the api-gateway, which forwards the caller's access token; the function " +
        "verifies it itself (auth's JWKS and revocation feed) " +
        'and lets only staff through to /api/admin.',
    },
    tags: [
      { name: 'me', description: "The caller's own record" },
      { name: 'staff', description: 'Customer search (staff only)' },
    ],
  });
  return app;
}
