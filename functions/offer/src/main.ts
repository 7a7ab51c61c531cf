import type { OpenAPIHono } from '@hono/zod-openapi';
import { eventCatalog } from '@shop/eventing';
import {
  createLogger,
  createMetrics,
  createOutboxRelay,
  createPublisher,
  type Database,
  Lifecycle,
  type Logger,
  type OutboxRelay,
  type RunningServer,
  type ServiceEnv,
  type ServiceMetrics,
  serve,
} from '@shop/shared';
import { createApp } from './app.js';
import { loadOfferConfig, type OfferConfig } from './config.js';
import { isEntryPoint } from './is-entry-point.js';
import { openDatabase } from './open-database.js';
import { prunePublishedEvents } from './outbox.js';
import { checkOfferSchema, migrateOffer } from './schema.js';
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
} from './schema.js';
export { seedCatalog } from './seed.js';

/** CloudEvents `source` of every event the offer function publishes. */
export const EVENT_SOURCE = '/shop/offer';

/** How often a running relay deletes published events past their retention. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

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
  const db = options.db ?? (await openDatabase(config));
  try {
    if (config.RUN_MIGRATIONS) {
      const migrated = await migrateOffer(db);
      log.info({ database: db.kind, applied: migrated.applied }, 'migrations done');
    } else {
      await checkOfferSchema(db);
      log.info({ database: db.kind }, 'schema is current (RUN_MIGRATIONS=false)');
    }
    if (config.SEED_DEMO_DATA ?? db.kind === 'pglite') {
      log.info(await seedCatalog(db), 'demo catalog seeded');
    }
    const lifecycle = new Lifecycle();
    if (ownsDb) lifecycle.onShutdown('database', () => db.close());
    const metrics = createMetrics({ service: 'offer', defaultMetrics: true });
    const events = createEventRelay(config, db, log, metrics.registry);
    // Registered after the database's hook, so it runs first (hooks run in reverse order):
    // the relay publishes what is pending while the database is still open.
    if (events) lifecycle.onShutdown('outbox', () => events.stop());
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

interface EventRelay {
  relay: OutboxRelay;
  /** Starts the relay and the prune of published events. */
  start(): void;
  /** Stops the prune, then drains what is pending and stops the relay. */
  stop(): Promise<void>;
}

/**
 * The relay publishing offer.outbox to K_SINK, with its prune; without K_SINK, undefined and one
 * log line saying the events wait in the outbox.
 */
function createEventRelay(
  config: OfferConfig,
  db: Database,
  log: Logger,
  registry: ServiceMetrics['registry'],
): EventRelay | undefined {
  if (!config.K_SINK) {
    // In production (DATABASE_URL) a missing SinkBinding is a wiring mistake worth a warning.
    log[config.DATABASE_URL ? 'warn' : 'info'](
      'K_SINK is not set: events stay in offer.outbox until a sink is configured',
    );
    return undefined;
  }
  const publisher = createPublisher({
    sink: config.K_SINK,
    source: EVENT_SOURCE,
    catalog: eventCatalog,
    log,
  });
  const relay = createOutboxRelay({ db, schema: 'offer', publisher, log, registry });
  let pruning: Promise<void> = Promise.resolve();
  const prune = () => {
    pruning = prunePublishedEvents(db)
      .then((deleted) => {
        if (deleted > 0) log.info({ deleted }, 'published outbox events pruned');
      })
      .catch((error: unknown) => log.warn({ err: error }, 'pruning the outbox failed'));
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    relay,
    start() {
      relay.start();
      // Instances scaled to zero may never live an hour, so the first prune runs at start.
      prune();
      timer = setInterval(prune, PRUNE_INTERVAL_MS);
      timer.unref();
      log.info({ sink: config.K_SINK }, 'outbox relay publishing to K_SINK');
    },
    async stop() {
      clearInterval(timer);
      await pruning;
      await relay.stop();
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  startOffer().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
