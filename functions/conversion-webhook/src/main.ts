import type { OpenAPIHono } from '@hono/zod-openapi';
import { eventCatalog } from '@shop/eventing';
import {
  createLogger,
  createMetrics,
  createOutboxPublishing,
  type Database,
  isEntryPoint,
  Lifecycle,
  type Logger,
  type OutboxRelay,
  openDatabase,
  prepareSchema,
  type RunningServer,
  type ServiceEnv,
  serve,
} from '@shop/shared';
import { createApp } from './app.js';
import { type ConversionWebhookConfig, loadConversionWebhookConfig } from './config.js';
import { prunePublishedEvents } from './outbox.js';
import { SCHEMA_MIGRATIONS } from './schema.js';

export { type ConversionWebhookAppDeps, createApp, MAX_BODY_BYTES } from './app.js';
export {
  type ConversionWebhookConfig,
  DEV_STANDARD_WEBHOOK_SECRET,
  DEV_STRIPE_WEBHOOK_SECRET,
  loadConversionWebhookConfig,
} from './config.js';
export {
  failureReason,
  type ProviderEventMeaning,
  readProviderEvent,
} from './domain/read-provider-event.js';
export { verifyStandardSignature, verifyStripeSignature } from './domain/verify-signature.js';
export { runConversionWebhookMigrations } from './migrate.js';
export { OUTBOX_RETENTION_MS, prunePublishedEvents } from './outbox.js';
export {
  checkConversionWebhookSchema,
  MIGRATE_COMMAND,
  MIGRATIONS_DIR,
  migrateConversionWebhook,
  SCHEMA_MIGRATIONS,
} from './schema.js';
export {
  type StandardWebhookHeaders,
  signStandardPayload,
  signStripePayload,
  standardSignature,
  standardWebhookKey,
  stripeSignature,
} from './sign.js';

/** CloudEvents `source` of every event the function publishes. */
export const EVENT_SOURCE = '/shop/conversion-webhook';

export interface StartConversionWebhookOptions {
  /** Environment to read the config from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** A database to use instead of DATABASE_URL/PGlite; the caller keeps closing it. */
  db?: Database;
  log?: Logger;
  /** Handle SIGTERM/SIGINT (default true; the dev runner handles signals itself). */
  handleSignals?: boolean;
}

export interface RunningConversionWebhook extends RunningServer {
  app: OpenAPIHono<ServiceEnv>;
  db: Database;
  config: ConversionWebhookConfig;
  /** Publishes conversion_webhook.outbox to K_SINK; undefined when K_SINK is unset. */
  relay: OutboxRelay | undefined;
}

/**
 * Starts the conversion-webhook function: config (webhook secrets; dev defaults only without
 * DATABASE_URL), logger, database (DATABASE_URL, else embedded PGlite), migrations
 * (RUN_MIGRATIONS; else only a check that none is pending), serves on PORT (8088), then runs
 * the outbox relay to K_SINK. Shutdown drains the outbox before the database closes.
 * @example const webhook = await startConversionWebhook({ port: 0, handleSignals: false }); await webhook.shutdown();
 */
export async function startConversionWebhook(
  options: StartConversionWebhookOptions = {},
): Promise<RunningConversionWebhook> {
  const config = loadConversionWebhookConfig(options.env ?? process.env);
  const log =
    options.log ?? createLogger({ service: 'conversion-webhook', level: config.LOG_LEVEL });
  const ownsDb = options.db === undefined;
  const db = options.db ?? (await openDatabase(config, { service: 'conversion-webhook' }));
  try {
    await prepareSchema(db, { ...SCHEMA_MIGRATIONS, run: config.RUN_MIGRATIONS, log });
    for (const [name, secrets] of [
      ['STRIPE_WEBHOOK_SECRET', config.STRIPE_WEBHOOK_SECRET],
      ['STANDARD_WEBHOOK_SECRET', config.STANDARD_WEBHOOK_SECRET],
    ] as const) {
      if (secrets.length === 0) log.warn(`${name} is not set: its endpoint answers 503`);
    }
    const lifecycle = new Lifecycle();
    if (ownsDb) lifecycle.onShutdown('database', () => db.close());
    const metrics = createMetrics({ service: 'conversion-webhook', defaultMetrics: true });
    // Created after the database's hook, so its `outbox` hook runs first: the relay publishes
    // what is pending while the database is still open.
    const events = createOutboxPublishing({
      db,
      schema: 'conversion_webhook',
      sink: config.K_SINK,
      sinkExpected: Boolean(config.DATABASE_URL),
      source: EVENT_SOURCE,
      catalog: eventCatalog,
      log,
      lifecycle,
      registry: metrics.registry,
      prune: () => prunePublishedEvents(db),
    });
    const app = createApp({
      db,
      log,
      lifecycle,
      metrics,
      stripeSecrets: config.STRIPE_WEBHOOK_SECRET,
      standardSecrets: config.STANDARD_WEBHOOK_SECRET,
      toleranceSeconds: config.WEBHOOK_TOLERANCE_SECONDS,
      ...(events && { onEventsRecorded: () => events.relay.wake() }),
    });
    const server = await serve(app, {
      port: options.port ?? config.PORT,
      log,
      lifecycle,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      handleSignals: options.handleSignals ?? true,
    });
    events?.start();
    return { ...server, app, db, config, relay: events?.relay };
  } catch (error) {
    if (ownsDb) await db.close().catch(() => {});
    throw error;
  }
}

if (isEntryPoint(import.meta.url)) {
  startConversionWebhook().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
