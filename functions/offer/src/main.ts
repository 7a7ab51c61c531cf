import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  createLogger,
  createMetrics,
  createPgliteDatabase,
  createPostgresDatabase,
  type Database,
  Lifecycle,
  type Logger,
  type MigrateResult,
  migrate,
  type RunningServer,
  type ServiceEnv,
  serve,
} from '@shop/shared';
import { createApp } from './app.js';
import { loadOfferConfig, type OfferConfig } from './config.js';
import { seedCatalog } from './seed.js';

export { createApp, type OfferAppDeps } from './app.js';
export type { OfferConfig } from './config.js';
export { seedCatalog } from './seed.js';

/** The offer schema's migrations (beside src/ and dist/ alike). */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

/**
 * Applies the offer schema's pending migrations.
 * @example await migrateOffer(db); // { applied: ['001_catalog.sql', …], alreadyApplied: 0 }
 */
export function migrateOffer(db: Database): Promise<MigrateResult> {
  return migrate(db, { schema: 'offer', dir: MIGRATIONS_DIR });
}

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
}

/**
 * Starts the offer function: config, logger, database (DATABASE_URL, else embedded PGlite),
 * migrations, demo data (SEED_DEMO_DATA, default on PGlite only), then serves on PORT (8083).
 * @example const offer = await startOffer({ port: 0, handleSignals: false }); await offer.shutdown();
 */
export async function startOffer(options: StartOfferOptions = {}): Promise<RunningOffer> {
  const config = loadOfferConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'offer', level: config.LOG_LEVEL });
  const ownsDb = options.db === undefined;
  const db =
    options.db ??
    (config.DATABASE_URL
      ? createPostgresDatabase(config.DATABASE_URL, { applicationName: 'offer' })
      : await createPgliteDatabase(config.PGLITE_DATA_DIR));
  try {
    const migrated = await migrateOffer(db);
    log.info({ database: db.kind, applied: migrated.applied }, 'migrations done');
    if (config.SEED_DEMO_DATA ?? db.kind === 'pglite') {
      log.info(await seedCatalog(db), 'demo catalog seeded');
    }
    const lifecycle = new Lifecycle();
    if (ownsDb) lifecycle.onShutdown('database', () => db.close());
    const app = createApp({
      db,
      log,
      lifecycle,
      metrics: createMetrics({ service: 'offer', defaultMetrics: true }),
      catalogCurrency: config.CATALOG_CURRENCY,
    });
    const server = await serve(app, {
      port: options.port ?? config.PORT,
      log,
      lifecycle,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      handleSignals: options.handleSignals ?? true,
    });
    return { ...server, app, db, config };
  } catch (error) {
    if (ownsDb) await db.close().catch(() => {});
    throw error;
  }
}

function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(moduleUrl);
  } catch {
    return false;
  }
}

if (isEntryPoint(import.meta.url)) {
  startOffer().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
