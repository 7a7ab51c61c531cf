import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  catalogCounter,
  createServiceApp,
  type Database,
  type EventSenderVerifier,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import type { Counter } from 'prom-client';
import type { AttributionDeps } from './deps.js';
import { events } from './events.js';
import {
  onAnalyticsCall,
  onIdentityCall,
  onLinkClicked,
  onOrderCreated,
  onPaymentRefunded,
  onPaymentSucceeded,
  onUserErased,
} from './ingest.js';
import { createRescoreRunner, type RescoreRunner } from './rescore.js';
import { registerConversionRoutes } from './routes/admin-conversions.js';
import { registerRateRoutes } from './routes/admin-rates.js';
import { registerRescoreRoutes } from './routes/admin-rescore.js';
import type { AttributionEvent, ScoringContext, ScoringSettings } from './scoring.js';

/** What the attribution app is built from; the kit passes the real ones, tests their own. */
export interface AttributionAppDeps {
  db: Database;
  log: Logger;
  metrics: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" (default: the system clock). */
  clock?: () => Date;
  settings: ScoringSettings;
  /** Days of paths the data-driven model learns from, ending at a re-score's `to`. */
  dataDrivenPeriodDays: number;
  rescore?: RescoreRunner;
  onEventsRecorded?: () => void;
  /** Verifies callers' access tokens (the kit's, from auth's JWKS; tests: `testVerifyToken`). */
  verifyToken: TokenVerifier;
  /** Verifies the broker's (and the KafkaSource's) OIDC token on /events. */
  verifyEventSender?: EventSenderVerifier;
}

/**
 * The attribution function: `/events` (orders, payments, refunds, erasure, clicks and analytics
 * calls), the staff routes under /api/admin/attribution, /healthz, /readyz, /metrics and
 * /openapi.json. No side effects, no environment reads.
 * @example const app = createApp(deps); const res = await app.request('/api/admin/attribution/orders/<id>', { headers });
 */
export function createApp(deps: AttributionAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const clock = deps.clock ?? (() => new Date());
  const app = createServiceApp({
    service: 'attribution',
    log,
    verifyToken: deps.verifyToken,
    metrics: deps.metrics,
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
    maxBodyBytes: 256 * 1024,
  });
  const payments =
    (deps.metrics.registry.getSingleMetric('shop_attribution_payments_total') as
      | Counter<'outcome'>
      | undefined) ?? catalogCounter(deps.metrics, 'attributionPayments');
  const rescore =
    deps.rescore ??
    createRescoreRunner({
      db,
      log,
      settings: deps.settings,
      dataDrivenPeriodDays: deps.dataDrivenPeriodDays,
      clock,
    });
  const routeDeps: AttributionDeps = { db, log, clock, settings: deps.settings, rescore };
  registerConversionRoutes(app, routeDeps);
  registerRateRoutes(app, routeDeps);
  registerRescoreRoutes(app, routeDeps);

  const scoring = (
    emit: (event: AttributionEvent) => Promise<unknown>,
    afterCommit: (effect: () => void) => void,
  ): ScoringContext => ({
    settings: deps.settings,
    clock,
    emit,
    onFirstOutcome: (outcome) => afterCommit(() => payments.inc({ outcome })),
  });
  app.route(
    '/events',
    events.receiver({
      db,
      log,
      registry: deps.metrics.registry,
      ...(deps.onEventsRecorded && { onEventsRecorded: deps.onEventsRecorded }),
      ...(deps.verifyEventSender && { verifySender: deps.verifyEventSender }),
      handlers: {
        'shop.order.created': (event, { tx, emit, afterCommit }) =>
          onOrderCreated(tx, event.data, scoring(emit, afterCommit)),
        'shop.payment.succeeded': (event, { tx, emit, afterCommit }) =>
          onPaymentSucceeded(tx, event.data, scoring(emit, afterCommit)),
        'shop.payment.refunded': (event, { tx, emit, afterCommit }) =>
          onPaymentRefunded(tx, event.data, scoring(emit, afterCommit)),
        'shop.user.erased': (event, { tx }) => onUserErased(tx, event.data),
        'shop.link.clicked': (event, { tx, emit, afterCommit }) =>
          onLinkClicked(tx, event.data, scoring(emit, afterCommit)),
        'shop.analytics.page': (event, { tx, emit, afterCommit }) =>
          onAnalyticsCall(tx, event.data, scoring(emit, afterCommit)),
        'shop.analytics.screen': (event, { tx, emit, afterCommit }) =>
          onAnalyticsCall(tx, event.data, scoring(emit, afterCommit)),
        'shop.analytics.track': (event, { tx, emit, afterCommit }) =>
          onAnalyticsCall(tx, event.data, scoring(emit, afterCommit)),
        'shop.analytics.identify': (event, { tx, emit, afterCommit }) =>
          onIdentityCall(tx, event.data, event.data.anonymousId, scoring(emit, afterCommit)),
        'shop.analytics.alias': (event, { tx, emit, afterCommit }) =>
          onIdentityCall(tx, event.data, event.data.previousId, scoring(emit, afterCommit)),
        // Groups say nothing about who bought what; the KafkaSource delivers the whole topic.
        'shop.analytics.group': () => {},
      },
    }),
  );
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'attribution',
      version: '1.0.0',
      description:
        'Which touches (affiliate link clicks, UTM campaigns) get credit for a sale, exact to the ' +
        'minor unit under six models, with commissions, refunds, explanations, re-score jobs and ' +
        'payouts. Staff routes under /api/admin/attribution through the api-gateway.',
    },
    tags: [{ name: 'staff', description: 'Attribution (staff only)' }],
  });
  return app;
}
