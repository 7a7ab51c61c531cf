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
import { loadOfferConfig, type OfferConfig } from './config.js';
import { prunePublishedEvents } from './outbox.js';
import { SCHEMA_MIGRATIONS } from './schema.js';
import { seedCatalog } from './seed.js';

export { createApp, type OfferAppDeps } from './app.js';
export type { OfferConfig } from './config.js';
export { runOfferMigrations } from './migrate.js';
export { OUTBOX_RETENTION_MS, prunePublishedEvents } from './outbox.js';
export {
  checkOfferSchema,
  MIGRATE_COMMAND,
  MIGRATIONS_DIR,
  migrateOffer,
  pendingMigrations,
  SCHEMA_MIGRATIONS,
} from './schema.js';
export { seedCatalog } from './seed.js';

/** CloudEvents `source` of every event the offer function publishes. */
export const EVENT_SOURCE = '/shop/offer';

export interface StartOfferOptions {
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

export interface RunningOffer extends RunningServer {
  app: OpenAPIHono<ServiceEnv>;
  db: Database;
  config: OfferConfig;
  /** Publishes offer.outbox to K_SINK; undefined when K_SINK is unset. */
  relay: OutboxRelay | undefined;
}

/**
 * Starts the offer function: config, logger, database (DATABASE_URL, else embedded PGlite),
 * migrations (RUN_MIGRATIONS; else only a check that none is pending), demo data
 * (SEED_DEMO_DATA, default on PGlite only), serves on PORT (8083), then runs the outbox relay
 * to K_SINK. Shutdown drains the outbox before the database closes.
 * @example const offer = await startOffer({ port: 0, handleSignals: false }); await offer.shutdown();
 */
export async function startOffer(options: StartOfferOptions = {}): Promise<RunningOffer> {
  const config = loadOfferConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'offer', level: config.LOG_LEVEL });
  const ownsDb = options.db === undefined;
  const db = options.db ?? (await openDatabase(config, { service: 'offer' }));
  try {
    await prepareSchema(db, { ...SCHEMA_MIGRATIONS, run: config.RUN_MIGRATIONS, log });
    if (config.SEED_DEMO_DATA ?? db.kind === 'pglite') {
      log.info(await seedCatalog(db), 'demo catalog seeded');
    }
    const lifecycle = new Lifecycle();
    if (ownsDb) lifecycle.onShutdown('database', () => db.close());
    const metrics = createMetrics({ service: 'offer', defaultMetrics: true });
    // Created after the database's hook, so its `outbox` hook runs first: the relay publishes
    // what is pending while the database is still open.
    const events = createOutboxPublishing({
      db,
      schema: 'offer',
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
      catalogCurrency: config.CATALOG_CURRENCY,
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
  startOffer().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
