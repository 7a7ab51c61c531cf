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
import type { AnalyticsIngestDeps } from './deps.js';
import { registerStatusRoutes } from './routes/status.js';

/** What the analytics-ingest app is built from; the kit passes the real ones, tests their own. */
export interface AnalyticsIngestAppDeps {
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
 * The analytics-ingest function's routes, /healthz, /readyz, /metrics and /openapi.json. No side
 * effects, no environment reads.
 * @example const app = createApp({ db, log, verifyToken }); const res = await app.request('/api/analytics-ingest/status');
 */
export function createApp(deps: AnalyticsIngestAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const app = createServiceApp({
    service: 'analytics-ingest',
    log,
    verifyToken: deps.verifyToken,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
  });
  const routeDeps: AnalyticsIngestDeps = { db, clock: deps.clock ?? (() => new Date()) };
  registerStatusRoutes(app, routeDeps);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'analytics-ingest',
      version: '1.0.0',
      description: 'TODO: what analytics-ingest does.',
    },
  });
  return app;
}
