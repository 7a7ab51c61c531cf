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
import type { AnalyticsIngestDeps, IngestSettings } from './deps.js';
import { type Ingest, MAX_BATCH_BYTES } from './ingest.js';
import { registerAdminSourceRoutes } from './routes/admin-sources.js';
import { registerTrackingRoutes } from './routes/tracking.js';

/** What the analytics-ingest app is built from; the kit passes the real ones, tests their own. */
export interface AnalyticsIngestAppDeps {
  db: Database;
  log: Logger;
  metrics: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  ingest: Ingest;
  settings: IngestSettings;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /** Called once a transaction that wrote to analytics_ingest.outbox committed (the kit wakes its relay). */
  onEventsRecorded?: () => void;
}

/**
 * The analytics-ingest function: Segment's Tracking API at /v1/… and /api/analytics/v1/…,
 * staff sources at /api/admin/analytics/sources, /healthz, /readyz, /metrics and
 * /openapi.json. No side effects, no environment reads.
 * @example const app = createApp(deps); await app.request('/v1/track', { method: 'POST', headers, body });
 */
export function createApp(deps: AnalyticsIngestAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const app = createServiceApp({
    service: 'analytics-ingest',
    log,
    verifyToken: deps.verifyToken,
    metrics: deps.metrics,
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
    maxBodyBytes: MAX_BATCH_BYTES,
  });
  const routeDeps: AnalyticsIngestDeps = {
    db,
    log,
    clock: deps.clock ?? (() => new Date()),
    ingest: deps.ingest,
    writeKeys: deps.ingest.writeKeys,
    settings: deps.settings,
    onEventsRecorded: deps.onEventsRecorded ?? (() => {}),
  };
  registerTrackingRoutes(app, routeDeps);
  registerAdminSourceRoutes(app, routeDeps);
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'analytics-ingest',
      version: '1.0.0',
      description:
        "Segment's HTTP Tracking API (track, page, screen, identify, group, alias, batch) into " +
        'the analytics Kafka topic, answered once Kafka acknowledged; staff manage the write ' +
        'keys of the analytics sources under /api/admin/analytics/sources.',
    },
    tags: [
      { name: 'analytics', description: 'Segment-compatible tracking (write key)' },
      { name: 'staff', description: 'Analytics sources (staff only)' },
    ],
  });
  return app;
}
