import type { OpenAPIHono } from '@hono/zod-openapi';
import { eventCatalog } from '@shop/eventing';
import {
  createLogger,
  createMetrics,
  createOutboxPublishing,
  type Database,
  isEntryPoint,
  type KeyValue,
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
import { loadUserConfig, type UserConfig } from './config.js';
import { prunePublishedEvents } from './outbox.js';
import { EVENT_SOURCE } from './routes/events.js';
import { SCHEMA_MIGRATIONS } from './schema.js';

export { createApp, type UserAppDeps } from './app.js';
export type { UserConfig } from './config.js';
export { eraseUserRecord } from './erasure.js';
export { runUserMigrations } from './migrate.js';
export { OUTBOX_RETENTION_MS, prunePublishedEvents } from './outbox.js';
export { EVENT_SOURCE } from './routes/events.js';
export {
  checkUsersSchema,
  MIGRATE_COMMAND,
  MIGRATIONS_DIR,
  migrateUsers,
  pendingMigrations,
  SCHEMA_MIGRATIONS,
} from './schema.js';

export interface StartUserOptions {
  /** Environment to read the config from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** A database to use instead of DATABASE_URL/PGlite; the caller keeps closing it. */
  db?: Database;
  /**
   * Accepted for the dev runner's uniform call; the user function keeps nothing in the key-value
   * store (its inbox is a table, so the profile and the dedupe record commit together).
   */
  kv?: KeyValue;
  log?: Logger;
  /** Handle SIGTERM/SIGINT (default true; the dev runner handles signals itself). */
  handleSignals?: boolean;
}

export interface RunningUser extends RunningServer {
  app: OpenAPIHono<ServiceEnv>;
  db: Database;
  config: UserConfig;
  /** Publishes users.outbox to K_SINK; undefined when K_SINK is unset. */
  relay: OutboxRelay | undefined;
}

/**
 * Starts the user function: config, logger, database (DATABASE_URL, else embedded PGlite),
 * migrations (RUN_MIGRATIONS; else only a check that none is pending), serves on PORT (8082),
 * then runs the outbox relay to K_SINK. Shutdown drains the outbox before the database closes.
 * @example const user = await startUser({ port: 0, handleSignals: false }); await user.shutdown();
 */
export async function startUser(options: StartUserOptions = {}): Promise<RunningUser> {
  const config = loadUserConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'user', level: config.LOG_LEVEL });
  const ownsDb = options.db === undefined;
  const db = options.db ?? (await openDatabase(config, { service: 'user' }));
  try {
    await prepareSchema(db, { ...SCHEMA_MIGRATIONS, run: config.RUN_MIGRATIONS, log });
    const lifecycle = new Lifecycle();
    if (ownsDb) lifecycle.onShutdown('database', () => db.close());
    const metrics = createMetrics({ service: 'user', defaultMetrics: true });
    // Created after the database's hook, so its `outbox` hook runs first: the relay publishes
    // what is pending while the database is still open.
    const events = createOutboxPublishing({
      db,
      schema: 'users',
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
  startUser().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
