import { randomBytes } from 'node:crypto';
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
import { type AuthAppDeps, createApp } from './app.js';
import { type AuthConfig, loadAuthConfig } from './config.js';
import { EVENT_SOURCE } from './erasure.js';
import { prunePublishedEvents } from './outbox.js';
import { SCHEMA_MIGRATIONS } from './schema.js';
import { createSigningKeys, ensureSigningKey, type SigningKeys } from './signing-keys.js';
import { createStaffUser } from './staff.js';

export { type AuthAppDeps, createApp, DEFAULT_LIMITS, type Limit } from './app.js';
export type { AuthConfig } from './config.js';
export { normalizeEmail } from './domain/normalize-email.js';
export { EVENT_SOURCE } from './erasure.js';
export { runAuthMigrations } from './migrate.js';
export { OUTBOX_RETENTION_MS, prunePublishedEvents } from './outbox.js';
export {
  type Argon2Params,
  createPasswordHasher,
  OWASP_ARGON2_PARAMS,
  type PasswordHasher,
} from './password-hasher.js';
export {
  checkAuthSchema,
  MIGRATE_COMMAND,
  MIGRATIONS_DIR,
  migrateAuth,
  SCHEMA_MIGRATIONS,
} from './schema.js';
export {
  createSigningKeys,
  ensureSigningKey,
  rotateSigningKey,
  type SigningKeys,
} from './signing-keys.js';
export { createStaffUser } from './staff.js';
export {
  type AccessTokenClaims,
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  issueAccessToken,
  verifyAccessToken,
} from './tokens.js';

export interface StartAuthOptions {
  /** Environment to read the config from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** A database to use instead of DATABASE_URL/PGlite; the caller keeps closing it. */
  db?: Database;
  /** A key-value store to use instead of REDIS_URL/memory; the caller keeps closing it. */
  kv?: KeyValue;
  log?: Logger;
  /** Handle SIGTERM/SIGINT (default true; the dev runner handles signals itself). */
  handleSignals?: boolean;
  /**
   * Seeds this staff user (dev only: refused with DATABASE_URL); also DEV_STAFF_EMAIL and
   * DEV_STAFF_PASSWORD. Use create-staff for real databases.
   */
  devStaff?: { email: string; password: string; name?: string };
  /** Overrides of the app's dependencies (tests: clock, limits, password hasher). */
  app?: Pick<AuthAppDeps, 'clock' | 'limits' | 'passwordHasher'>;
}

export interface RunningAuth extends RunningServer {
  app: OpenAPIHono<ServiceEnv>;
  db: Database;
  kv: KeyValue;
  config: AuthConfig;
  keys: SigningKeys;
  /** Publishes auth.outbox to K_SINK; undefined when K_SINK is unset. */
  relay: OutboxRelay | undefined;
}

/**
 * Starts the auth function: config, logger, database (DATABASE_URL, else embedded PGlite),
 * key-value store (REDIS_URL, else memory), migrations (RUN_MIGRATIONS), the first signing key,
 * the dev staff user, serves on PORT (8081), then runs the outbox relay to K_SINK.
 * @example const auth = await startAuth({ port: 0, handleSignals: false }); await auth.shutdown();
 */
export async function startAuth(options: StartAuthOptions = {}): Promise<RunningAuth> {
  const config = loadAuthConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'auth', level: config.LOG_LEVEL });
  const kek = keyEncryptionKey(config, log);
  const ownsDb = options.db === undefined;
  const db = options.db ?? (await openDatabase(config, { service: 'auth' }));
  const ownsKv = options.kv === undefined;
  const kv =
    options.kv ??
    (config.REDIS_URL ? createRedisKeyValue(config.REDIS_URL) : createMemoryKeyValue());
  try {
    await prepareSchema(db, { ...SCHEMA_MIGRATIONS, run: config.RUN_MIGRATIONS, log });
    const key = await ensureSigningKey(db, kek.key, { rotateUnreadable: kek.generated });
    log.info(key, key.created ? 'signing key created' : 'signing key loaded');
    const devStaff = options.devStaff ?? devStaffFromEnv(config);
    if (devStaff) {
      if (config.DATABASE_URL) {
        throw new Error(
          'the dev staff user is for the embedded database only (unset DATABASE_URL)',
        );
      }
      const staff = await createStaffUser(db, { name: 'Dev staff', ...devStaff });
      log.info({ ...staff, email: devStaff.email }, 'dev staff user ready');
    }
    const lifecycle = new Lifecycle();
    if (ownsDb) lifecycle.onShutdown('database', () => db.close());
    if (ownsKv) lifecycle.onShutdown('key-value', () => kv.close());
    const metrics = createMetrics({ service: 'auth', defaultMetrics: true });
    // Created after the database's and key-value store's hooks, so its `outbox` hook runs first.
    const events = createOutboxPublishing({
      db,
      schema: 'auth',
      sink: config.K_SINK,
      sinkExpected: Boolean(config.DATABASE_URL),
      source: EVENT_SOURCE,
      catalog: eventCatalog,
      log,
      lifecycle,
      registry: metrics.registry,
      prune: () => prunePublishedEvents(db),
    });
    const keys = createSigningKeys({ db, kek: kek.key });
    const app = createApp({
      db,
      kv,
      log,
      keys,
      lifecycle,
      metrics,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshIdleSeconds: config.REFRESH_IDLE_SECONDS,
      refreshAbsoluteSeconds: config.REFRESH_ABSOLUTE_SECONDS,
      ...options.app,
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
    return { ...server, app, db, kv, config, keys, relay: events?.relay };
  } catch (error) {
    if (ownsDb) await db.close().catch(() => {});
    if (ownsKv) await kv.close().catch(() => {});
    throw error;
  }
}

/** AUTH_KEY_ENCRYPTION_KEY, or in dev a fresh one (signing keys then live for this run only). */
function keyEncryptionKey(config: AuthConfig, log: Logger): { key: Buffer; generated: boolean } {
  if (config.AUTH_KEY_ENCRYPTION_KEY) {
    return { key: Buffer.from(config.AUTH_KEY_ENCRYPTION_KEY, 'base64'), generated: false };
  }
  if (config.DATABASE_URL) {
    throw new Error(
      'AUTH_KEY_ENCRYPTION_KEY must be set with DATABASE_URL (base64 of 32 random bytes: ' +
        '`openssl rand -base64 32`, kept in a secret)',
    );
  }
  log.warn(
    'AUTH_KEY_ENCRYPTION_KEY is not set: generated one for this run (dev only); signing keys ' +
      'stored under another key are rotated past',
  );
  return { key: randomBytes(32), generated: true };
}

function devStaffFromEnv(config: AuthConfig): { email: string; password: string } | undefined {
  if (!config.DEV_STAFF_EMAIL || !config.DEV_STAFF_PASSWORD) return undefined;
  return { email: config.DEV_STAFF_EMAIL, password: config.DEV_STAFF_PASSWORD };
}

if (isEntryPoint(import.meta.url)) {
  startAuth().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
