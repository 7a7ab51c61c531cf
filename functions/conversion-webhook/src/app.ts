import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  catalogCounter,
  createMetrics,
  createServiceApp,
  type Database,
  type Lifecycle,
  type Logger,
  type ServiceEnv,
  type ServiceMetrics,
  type TokenVerifier,
} from '@shop/shared';
import { registerWebhookRoutes } from './routes/webhooks.js';

/** Largest webhook body accepted (Stripe's events stay far below it). */
export const MAX_BODY_BYTES = 512 * 1024;

/** What the conversion-webhook app is built from; main.ts makes the real ones, tests their own. */
export interface ConversionWebhookAppDeps {
  db: Database;
  log: Logger;
  /** Stripe endpoint secrets (`whsec_…`); several while rotating. Empty: endpoint answers 503. */
  stripeSecrets: readonly string[];
  /** Standard Webhooks secrets (`whsec_<base64>`); several while rotating. */
  standardSecrets: readonly string[];
  /** Allowed clock distance of a signature's timestamp, either way (default 300 s). */
  toleranceSeconds?: number;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Source of "now" for the signature tolerance (default: the system clock). */
  clock?: () => Date;
  /** Called once a transaction that wrote to the outbox committed (main.ts wakes the relay). */
  onEventsRecorded?: () => void;
  /**
   * Verifies callers' access tokens (the kit's). No route reads a user: providers prove
   * themselves by signature. Default: none, every caller is anonymous.
   */
  verifyToken?: TokenVerifier;
}

/**
 * The payment webhooks: Stripe-Signature and Standard Webhooks endpoints that verify, store each
 * provider event once and record the payment events in the outbox. No side effects, no
 * environment reads.
 * @example const app = createApp({ db, log, stripeSecrets: ['whsec_…'], standardSecrets: [] });
 */
export function createApp(deps: ConversionWebhookAppDeps): OpenAPIHono<ServiceEnv> {
  const { db, log } = deps;
  const metrics = deps.metrics ?? createMetrics({ service: 'conversion-webhook' });
  // Every provider and outcome at 0 from the start (the catalog's closed sets).
  const deliveries = catalogCounter(metrics, 'webhookDeliveries');
  const payments = catalogCounter(metrics, 'payments');
  const app = createServiceApp({
    service: 'conversion-webhook',
    log,
    verifyToken: deps.verifyToken ?? null,
    maxBodyBytes: MAX_BODY_BYTES,
    metrics,
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
    readiness: { database: () => db.ping() },
  });
  registerWebhookRoutes(app, {
    db,
    clock: deps.clock ?? (() => new Date()),
    stripeSecrets: deps.stripeSecrets,
    standardSecrets: deps.standardSecrets,
    toleranceSeconds: deps.toleranceSeconds ?? 300,
    onEventsRecorded: deps.onEventsRecorded ?? (() => {}),
    countDelivery: (provider, outcome) => deliveries.inc({ provider, outcome }),
    countPayments: (provider, outcome, count) => payments.inc({ provider, outcome }, count),
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'conversion-webhook',
      version: '1.0.0',
      description:
        'Payment webhooks from the providers, reached through the api-gateway’s /webhooks/* ' +
        '(body forwarded unchanged): each signature is verified over the raw body, each ' +
        'provider event stored once, its payment event recorded in the outbox.',
    },
    tags: [{ name: 'webhooks', description: 'Signed payment events from the providers' }],
  });
  return app;
}
