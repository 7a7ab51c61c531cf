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
import type { ReportingDeps } from './deps.js';
import { events, reportedEventTypes } from './events.js';
import { registerReportRoutes } from './routes/reports.js';
import { type ProjectedEvent, projectEvent } from './store/project.js';

/** What the reporting app is built from; the kit passes the real ones, tests their own. */
export interface ReportingAppDeps {
  db: Database;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /** Verifies the broker's OIDC token on /events (the kit's; tests: a test issuer's). */
  verifyEventSender?: EventSenderVerifier;
}

/**
 * The reporting function: `/events` builds the read models from every consumed event once,
 * staff read the reports under /api/admin/reports; /healthz, /readyz, /metrics and
 * /openapi.json. No side effects, no environment reads.
 * @example const app = createApp({ db, log, verifyToken }); await app.request('/api/admin/reports/sales?from=2026-01-01&to=2026-01-31');
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
  const routeDeps: ReportingDeps = { db };
  registerReportRoutes(app, routeDeps);
  // Each event is applied in the inbox transaction: the read models and the "handled" mark
  // commit together, so a redelivery changes nothing.
  const project = async (
    event: Omit<ProjectedEvent, 'type'> & { type: string },
    { tx }: { tx: Parameters<typeof projectEvent>[0] },
  ) => {
    await projectEvent(tx, event as ProjectedEvent);
  };
  const handlers = Object.fromEntries(reportedEventTypes.map((type) => [type, project]));
  app.route(
    '/events',
    events.receiver({
      db,
      log,
      ...(deps.metrics && { registry: deps.metrics.registry }),
      ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
      handlers: handlers as Parameters<typeof events.receiver>[0]['handlers'],
    }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'reporting',
      version: '1.0.0',
      description:
        'Business reports built from events (orders, payments, refunds, attributed conversions, ' +
        'clicks, page views, experiment exposures): JSON or CSV, money in integer minor units ' +
        'per currency, periods in any IANA time zone.',
    },
    tags: [{ name: 'staff', description: 'Reports (staff only)' }],
  });
  return app;
}
