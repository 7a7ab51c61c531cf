import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createServiceApp,
  type Database,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { ReportingDeps } from './deps.js';
import { registerStatusRoutes } from './routes/status.js';

/** What the reporting app is built from; the kit passes the real ones, tests their own. */
export interface ReportingAppDeps {
  db: Database;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
}

/**
 * The reporting function's routes, /healthz, /readyz, /metrics and /openapi.json. No side
 * effects, no environment reads.
 * @example const app = createApp({ db, log, verifyToken }); const res = await app.request('/api/reporting/status');
 */
export function createApp(deps: ReportingAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const app = createServiceApp({
    service: 'reporting',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
  });
  const routeDeps: ReportingDeps = { db, clock: deps.clock ?? (() => new Date()) };
  registerStatusRoutes(app, routeDeps);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'reporting', version: '1.0.0', description: 'TODO: what reporting does.' },
  });
  return app;
}
