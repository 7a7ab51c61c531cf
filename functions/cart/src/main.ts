import type { OpenAPIHono } from '@hono/zod-openapi';
import { eventCatalog } from '@shop/eventing';
import {
  createLogger,
  createMemoryKeyValue,
  createMetrics,
  createOutboxPublishing,
  createRedisKeyValue,
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
import { createApp, EVENT_SOURCE } from './app.js';
import { type CartConfig, loadCartConfig } from './config.js';
import { createOfferClient, type OfferClient } from './offer-client.js';
import { prunePublishedEvents } from './outbox.js';
import { createPaymentClient, type PaymentClient } from './payment-client.js';
import { SCHEMA_MIGRATIONS } from './schema.js';

export { type CartAppDeps, createApp, EVENT_SOURCE } from './app.js';
export type { CartConfig } from './config.js';
export { runCartMigrations } from './migrate.js';
export { createOfferClient, type OfferClient, type OfferProduct } from './offer-client.js';
export { OUTBOX_RETENTION_MS, prunePublishedEvents } from './outbox.js';
export { createPaymentClient, type PaymentClient } from './payment-client.js';
export {
  checkCartSchema,
  MIGRATE_COMMAND,
  MIGRATIONS_DIR,
  migrateCart,
  pendingMigrations,
  SCHEMA_MIGRATIONS,
} from './schema.js';

export interface StartCartOptions {
  /** Environment to read the config from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** A database to use instead of DATABASE_URL/PGlite; the caller keeps closing it. */
  db?: Database;
  /** A key-value store to use instead of REDIS_URL/memory; the caller keeps closing it. */
  kv?: KeyValue;
  /** Replaces the HTTP client of OFFER_URL (tests). */
  offer?: OfferClient;
  /** Replaces the HTTP client of PAYMENT_PROVIDER_URL (tests). */
  payments?: PaymentClient;
  log?: Logger;
  /** Handle SIGTERM/SIGINT (default true; the dev runner handles signals itself). */
  handleSignals?: boolean;
}

export interface RunningCart extends RunningServer {
  app: OpenAPIHono<ServiceEnv>;
  db: Database;
  kv: KeyValue;
  config: CartConfig;
  /** Publishes cart.outbox to K_SINK; undefined when K_SINK is unset. */
  relay: OutboxRelay | undefined;
}

/**
 * Starts the cart function: config, logger, database (DATABASE_URL, else embedded PGlite),
 * key-value store (REDIS_URL, else in memory), migrations (RUN_MIGRATIONS; else only a check),
 * serves on PORT (8084), then runs the outbox relay to K_SINK.
 * @example const cart = await startCart({ port: 0, handleSignals: false }); await cart.shutdown();
 */
export async function startCart(options: StartCartOptions = {}): Promise<RunningCart> {
  const config = loadCartConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'cart', level: config.LOG_LEVEL });
  const ownsDb = options.db === undefined;
  const ownsKv = options.kv === undefined;
  const db = options.db ?? (await openDatabase(config, { service: 'cart' }));
  const kv =
    options.kv ??
    (config.REDIS_URL ? createRedisKeyValue(config.REDIS_URL) : createMemoryKeyValue());
  try {
    await prepareSchema(db, { ...SCHEMA_MIGRATIONS, run: config.RUN_MIGRATIONS, log });
    if (!config.REDIS_URL && ownsKv) {
      log[config.DATABASE_URL ? 'warn' : 'info']('REDIS_URL is not set: carts live in memory');
    }
    const lifecycle = new Lifecycle();
    if (ownsDb) lifecycle.onShutdown('database', () => db.close());
    if (ownsKv) lifecycle.onShutdown('key-value', () => kv.close());
    const metrics = createMetrics({ service: 'cart', defaultMetrics: true });
    // Created after the stores' hooks, so its `outbox` hook runs first: the relay publishes what
    // is pending while the database is still open.
    const events = createOutboxPublishing({
      db,
      schema: 'cart',
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
      kv,
      log,
      lifecycle,
      metrics,
      offer:
        options.offer ??
        createOfferClient({
          baseUrl: config.OFFER_URL,
          timeoutMs: config.OFFER_TIMEOUT_MS,
          cacheMs: config.OFFER_CACHE_MS,
        }),
      payments:
        options.payments ??
        createPaymentClient({
          baseUrl: config.PAYMENT_PROVIDER_URL,
          apiKey: config.PAYMENT_PROVIDER_API_KEY,
          timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
        }),
      cartTtlSeconds: Math.round(config.CART_TTL_DAYS * 24 * 3600),
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
    return { ...server, app, db, kv, config, relay: events?.relay };
  } catch (error) {
    if (ownsDb) await db.close().catch(() => {});
    if (ownsKv) await kv.close().catch(() => {});
    throw error;
  }
}

if (isEntryPoint(import.meta.url)) {
  startCart().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
