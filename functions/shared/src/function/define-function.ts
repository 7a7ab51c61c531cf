// A function is a declaration to the kit: name, port, config, stores, events and createApp.
// Start-up, the migration job, the schema check, the outbox relay and the entry point are
// derived from it here, once, so every function has the same skeleton by construction.
import type { Hono } from 'hono';
import { z } from 'zod';
import type { ServiceEnv } from '../app.js';
import { baseConfigSchema, loadConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { type MigrateResult, migrate } from '../db/migrate.js';
import type { EventCatalog, EventType } from '../events/catalog.js';
import type { OutboxRelay } from '../events/outbox-relay.js';
import { type EventSenderVerifier, refuseAllEventSenders } from '../events/sender-auth.js';
import { API_SECURITY_HEADERS } from '../http/security-headers.js';
import {
  createRevocationFeed,
  createTokenVerifier,
  type TokenVerifier,
} from '../identity/index.js';
import type { KeyValue } from '../kv/key-value.js';
import { createMemoryKeyValue } from '../kv/memory.js';
import { createRedisKeyValue } from '../kv/redis.js';
import { Lifecycle } from '../lifecycle.js';
import { createLogger, type Logger } from '../logger.js';
import { createMetrics, type ServiceMetrics } from '../metrics.js';
import { createInboxPruning } from '../runtime/inbox-pruning.js';
import { isEntryPoint } from '../runtime/is-entry-point.js';
import { runMigrationJob } from '../runtime/migration-job.js';
import { openDatabase } from '../runtime/open-database.js';
import { createOutboxPublishing } from '../runtime/outbox-publishing.js';
import { createParkedEventsApp } from '../runtime/parked-events-app.js';
import {
  checkSchemaCurrent,
  prepareSchema,
  type SchemaMigrations,
} from '../runtime/prepare-schema.js';
import { createRetentionPruning, type RetentionRule } from '../runtime/retention-pruning.js';
import { type RunningServer, serve } from '../serve.js';
import { type FunctionEvents, schemaNameOf } from './define-events.js';
import {
  type EventAuthSettings,
  eventAuthConfigShape,
  eventSenderVerifierFromConfig,
  sinkTokenFromConfig,
} from './event-auth.js';
import {
  type FrameworkApp,
  type FrameworkTarget,
  functionsFrameworkTarget,
  registerFrameworkTarget,
} from './functions-framework.js';

const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** Whether a request URL's path (query aside) is one of the ops endpoints. */
function isOpsPath(url: string): boolean {
  const pathStart = url.indexOf('/', url.indexOf('://') + 3);
  if (pathStart < 0) return false;
  const query = url.indexOf('?', pathStart);
  return OPS_PATHS.has(query < 0 ? url.slice(pathStart) : url.slice(pathStart, query));
}

/**
 * The 404 problem a public port gives for the ops endpoints it does not serve, with the security
 * headers of every API answer (no app runs for it).
 */
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  const problem = {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: `No route for ${request.method} ${path}.`,
    instance: path,
  };
  return new Response(JSON.stringify(problem), {
    status: 404,
    headers: { 'content-type': 'application/problem+json', ...API_SECURITY_HEADERS },
  });
}

/** Settings of every function with a database, added to its config by the kit. */
const databaseConfigShape = {
  /**
   * Apply pending migrations on start; default: only without DATABASE_URL (PGlite). Production
   * runs them as a one-off job before rollout, and a start only checks the schema is current.
   */
  RUN_MIGRATIONS: z.stringbool().optional(),
  /** Where the embedded PGlite keeps its files when DATABASE_URL is unset; default: memory. */
  PGLITE_DATA_DIR: z.string().min(1).optional(),
  /** Load the function's demo data at start; default: only on the embedded PGlite database. */
  SEED_DEMO_DATA: z.stringbool().optional(),
};

const positiveInt = z.coerce.number().int().min(1);

/**
 * Where every function finds auth to verify its callers' access tokens (the gateway forwards
 * them untouched), added to its config by the kit.
 */
export const identityConfigShape = {
  /** auth's base URL: its JWKS and revocation feed are read from there by default. */
  AUTH_URL: z.url().default('http://127.0.0.1:8081'),
  /** Where the signing keys are published; default `AUTH_URL/.well-known/jwks.json`. */
  AUTH_JWKS_URL: z.url().optional(),
  /** Where revoked sessions are listed; default `AUTH_URL/internal/sessions/revocations`. */
  AUTH_REVOCATIONS_URL: z.url().optional(),
  /** The `iss` access tokens must carry (auth's AUTH_ISSUER). */
  AUTH_ISSUER: z.string().min(1).default('http://127.0.0.1:8080'),
  /** The `aud` access tokens must carry. */
  AUTH_AUDIENCE: z.string().min(1).default('shop'),
  /**
   * Least time between two JWKS fetches triggered by an unknown `kid`. Short: auth signs with a
   * new key as soon as it rotates, and until a verifier refetches, such tokens are refused.
   */
  JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(1_000),
  /** How long fetched keys are trusted before a refetch. */
  JWKS_CACHE_MAX_AGE_MS: positiveInt.default(600_000),
  /** Milliseconds after which the list of revoked sessions is read again before it answers. */
  REVOCATION_REFRESH_MS: positiveInt.default(2_000),
  /** While auth's feed cannot be read, how long the last list still answers (then 503). */
  REVOCATION_MAX_STALE_MS: positiveInt.default(60_000),
};

/** The settings of {@link identityConfigShape}, parsed. */
export type IdentitySettings = z.infer<z.ZodObject<typeof identityConfigShape>>;

/**
 * The access-token verifier every function uses by default: auth's JWKS (cached by jose) and
 * its revocation feed, both under AUTH_URL unless named.
 * @example const verifyToken = authTokenVerifier(config, log);
 */
export function authTokenVerifier(settings: IdentitySettings, log?: Logger): TokenVerifier {
  const base = settings.AUTH_URL.replace(/\/+$/, '');
  const feed = createRevocationFeed({
    url: settings.AUTH_REVOCATIONS_URL ?? `${base}/internal/sessions/revocations`,
    refreshMs: settings.REVOCATION_REFRESH_MS,
    maxStaleMs: settings.REVOCATION_MAX_STALE_MS,
    onError: (error) => log?.warn({ err: error }, 'the revocation feed could not be read'),
  });
  return createTokenVerifier({
    jwks: settings.AUTH_JWKS_URL ?? `${base}/.well-known/jwks.json`,
    issuer: settings.AUTH_ISSUER,
    audience: settings.AUTH_AUDIENCE,
    cooldownMs: settings.JWKS_COOLDOWN_MS,
    cacheMaxAgeMs: settings.JWKS_CACHE_MAX_AGE_MS,
    revocations: feed.check,
  });
}

/**
 * The zod schema of a function's environment: the shared settings, the database settings and
 * the function's own `shape`.
 * @example const schema = functionConfigSchema({ OFFER_URL: z.url() });
 */
export function functionConfigSchema<S extends z.ZodRawShape>(shape: S) {
  return baseConfigSchema
    .extend(identityConfigShape)
    .extend(eventAuthConfigShape)
    .extend(databaseConfigShape)
    .extend(shape);
}

/** A function's parsed environment, `RUN_MIGRATIONS` resolved. */
export type FunctionConfig<S extends z.ZodRawShape> = Omit<
  z.infer<ReturnType<typeof functionConfigSchema<S>>>,
  'RUN_MIGRATIONS'
> & {
  /** Resolved: true when set so, or when unset and DATABASE_URL is unset. */
  RUN_MIGRATIONS: boolean;
};

type AnyEvents = FunctionEvents<EventCatalog, EventType<EventCatalog>, EventType<EventCatalog>>;

/** What the kit builds at start and hands to `services`, `seed` and `createApp`. */
export interface StartContext<Config, Events> {
  config: Config;
  log: Logger;
  /** Present when the function declares `database`. */
  db: Database;
  /** Present when the function declares `keyValue`. */
  kv: KeyValue;
  lifecycle: Lifecycle;
  metrics: ServiceMetrics;
  events: Events;
}

/** What `createApp` gets: the start context, the services, and the relay's wake-up call. */
export type AppDeps<Config, Events, Services> = StartContext<Config, Events> &
  Services & {
    /** Call after a commit that wrote to the outbox: the relay publishes at once. */
    onEventsRecorded: () => void;
    /** Verifies callers' access tokens: pass it to `createServiceApp`. */
    verifyToken: TokenVerifier;
    /** Verifies the broker's OIDC token on /events: pass it to `events.receiver`. */
    verifyEventSender: EventSenderVerifier;
  };

/** The declaration a function makes; see {@link defineFunction}. */
export interface FunctionDeclaration<
  S extends z.ZodRawShape,
  Config,
  Events,
  Services,
  App extends Hono<ServiceEnv> = Hono<ServiceEnv>,
> {
  /** Knative Service name, e.g. `offer`; also the logger's `service` and the metrics label. */
  name: string;
  /** PORT when the environment does not set one (the local port of ARCHITECTURE.md). */
  port: number;
  /** The function's own settings, added to the shared ones. */
  config?: S;
  /** Turns the parsed settings into the config the function uses (defaults that depend on others). */
  resolveConfig?: (parsed: FunctionConfig<S>) => Config;
  /** The function owns a PostgreSQL schema with these migrations (`NNN_name.sql`). */
  database?: { migrations: URL; schema?: string };
  /** The function keeps data in Redis (REDIS_URL) or, unset, in memory. */
  keyValue?: boolean;
  /** What it publishes and consumes ({@link defineEvents}). */
  events?: Events;
  /** Clients and state built once at start (HTTP clients of other functions, keys…). */
  services?: (context: StartContext<Config, Events>) => Services | Promise<Services>;
  /** Demo data, run when SEED_DEMO_DATA is set, or unset on the embedded database. */
  seed?: (context: StartContext<Config, Events>) => Promise<unknown>;
  /** Builds the Hono app from injected dependencies: no side effects, no environment reads. */
  createApp: (deps: AppDeps<Config, Events, Services>) => App;
  /**
   * Replaces the kit's access-token verifier (auth's JWKS and revocation feed under AUTH_URL):
   * auth verifies with the keys and sessions it holds itself.
   */
  verifyToken?: (context: StartContext<Config, Events> & Services) => TokenVerifier;
  /** Extra log lines or checks once the stores are up (e.g. warn about a missing secret). */
  onStart?: (context: StartContext<Config, Events>) => void | Promise<void>;
  /**
   * Tables of the function's schema that keep rows only for a while (received webhook events,
   * expired sessions…): the kit deletes rows past their retention at start and hourly. The
   * outbox and inbox are pruned anyway.
   * @example retention: [{ table: 'cart.pending_payment_event', column: 'received_at', keepDays: 30, why: '…' }],
   */
  retention?: readonly RetentionRule[];
  /**
   * Serve `/healthz`, `/readyz` and `/metrics` on this port instead of PORT (a public function:
   * probes and Prometheus use it, PORT answers those paths 404). Unset: PORT serves them.
   * @example opsPort: (config) => config.OPS_PORT,
   */
  opsPort?: (config: Config) => number;
}

/** Options of {@link DefinedFunction.start}. */
export interface StartOptions<Services> {
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
  /** Replaces some of the services the declaration builds (tests: fake clients, a clock). */
  services?: Partial<Services>;
  /** Overrides the declared `opsPort`; 0 picks a free port (the default when `port` is 0). */
  opsPort?: number;
  /** Replaces the access-token verifier (tests: one trusting a test issuer). */
  verifyToken?: TokenVerifier;
  /** Replaces the /events sender verifier built from EVENTS_OIDC_* (tests: a test issuer's). */
  verifyEventSender?: EventSenderVerifier;
  /** Replaces the OIDC token presented to K_SINK (default: K_SINK_OIDC_TOKEN_FILE). */
  sinkToken?: () => string | Promise<string>;
}

/** What both entry points accept: where config and stores come from, replaced services. */
type AssembleOptions<Services> = Pick<
  StartOptions<Services>,
  'env' | 'db' | 'kv' | 'log' | 'services' | 'verifyToken' | 'verifyEventSender' | 'sinkToken'
>;

/** Options of {@link DefinedFunction.functionsFramework}. */
export interface FunctionsFrameworkOptions<Services> extends AssembleOptions<Services> {
  /** Drain on SIGTERM/SIGINT instead of the framework's immediate exit (default true). */
  handleSignals?: boolean;
  /** Register with `functions.http(name, …)` (default true; tests can use `handler` alone). */
  register?: boolean;
}

/** A function built for the Functions Framework: what `start()` returns, without a server. */
export type FrameworkFunction<Config, Services, App = Hono<ServiceEnv>> = FrameworkApp &
  Services & {
    app: App;
    db: Database;
    kv: KeyValue;
    config: Config;
    relay: OutboxRelay | undefined;
  };

/** A started function. */
export type RunningFunction<Config, Services, App = Hono<ServiceEnv>> = RunningServer &
  Services & {
    app: App;
    /** Where it listens, e.g. `http://127.0.0.1:8083`. */
    url: string;
    db: Database;
    kv: KeyValue;
    config: Config;
    /** Publishes the outbox to K_SINK; undefined when K_SINK is unset or there is no outbox. */
    relay: OutboxRelay | undefined;
    /** Where `/healthz`, `/readyz` and `/metrics` are served when the declaration has `opsPort`. */
    opsUrl?: string;
  };

/** What {@link defineFunction} derives from a declaration. */
export interface DefinedFunction<
  S extends z.ZodRawShape,
  Config,
  Events,
  Services,
  App extends Hono<ServiceEnv> = Hono<ServiceEnv>,
> {
  readonly name: string;
  readonly declaration: FunctionDeclaration<S, Config, Events, Services, App>;
  /** Where its migrations are and the command that applies them (throws without a database). */
  readonly migrations: SchemaMigrations;
  /** Applies the pending migrations to `db` (tests, dev tools). */
  applyMigrations(db: Database): Promise<MigrateResult>;
  /** Refuses a database that lacks a migration, naming the files and the migrate command. */
  checkSchema(db: Database): Promise<void>;
  /** Reads and validates the environment once; throws ConfigError naming each bad variable. */
  loadConfig(env?: Record<string, string | undefined>): Config;
  /**
   * Config, logger, metrics, stores, schema (migrate or check), services, seed, app, serve
   * with draining, then the outbox relay. Shutdown drains the outbox before stores close.
   */
  start(options?: StartOptions<Services>): Promise<RunningFunction<Config, Services, App>>;
  /**
   * Registers the function with @google-cloud/functions-framework as the HTTP function
   * `<name>` (buildpacks, Cloud Run functions): built as `start()` builds it, without
   * listening; the framework's server calls the Hono app; SIGTERM drains.
   */
  functionsFramework(
    options?: FunctionsFrameworkOptions<Services>,
  ): FrameworkTarget<FrameworkFunction<Config, Services, App>>;
  /** The one-off migration job (`node dist/main.js migrate`): migrate, close, return. */
  migrate(options?: {
    env?: Record<string, string | undefined>;
    log?: Logger;
  }): Promise<MigrateResult>;
  /**
   * When `moduleUrl` is the script node runs: `migrate` as first argument runs the job, else
   * the function starts; under the framework's CLI with `--target=<name>` (or FUNCTION_TARGET)
   * it registers with the framework instead. An error is printed and the process exits
   * non-zero.
   */
  runIfEntryPoint(moduleUrl: string): void;
}

/**
 * Declares a function to the kit and gets its start-up, migration job and entry point.
 * @example
 * export const offer = defineFunction({
 *   name: 'offer', port: 8083,
 *   config: { CATALOG_CURRENCY: z.string().default('EUR') },
 *   database: { migrations: new URL('../migrations/', import.meta.url) },
 *   events,
 *   createApp: (deps) => createApp(deps),
 * });
 * offer.runIfEntryPoint(import.meta.url);
 */
export function defineFunction<
  const S extends z.ZodRawShape = Record<never, never>,
  Config = FunctionConfig<S>,
  Events extends AnyEvents | undefined = undefined,
  Services extends object = Record<never, never>,
  App extends Hono<ServiceEnv> = Hono<ServiceEnv>,
>(
  declaration: FunctionDeclaration<S, Config, Events, Services, App>,
): DefinedFunction<S, Config, Events, Services, App> {
  const { name } = declaration;
  const events = declaration.events as AnyEvents | undefined;
  const schema = declaration.database
    ? (declaration.database.schema ?? events?.schema ?? schemaNameOf(name))
    : undefined;
  const declared: SchemaMigrations | undefined =
    declaration.database && schema
      ? {
          schema,
          dir: declaration.database.migrations,
          migrateCommand: `npm run migrate -w @shop/${name}`,
        }
      : undefined;
  const configSchema = baseConfigSchema
    .extend({ PORT: baseConfigSchema.shape.PORT.unwrap().default(declaration.port) })
    .extend(identityConfigShape)
    .extend(eventAuthConfigShape)
    .extend(databaseConfigShape)
    .extend(declaration.config ?? {});

  const parseConfig = (env: Record<string, string | undefined>) => {
    const parsed = loadConfig(configSchema, env) as Record<string, unknown> & {
      DATABASE_URL?: string;
      RUN_MIGRATIONS?: boolean;
      LOG_LEVEL: string;
    };
    const resolved = {
      ...parsed,
      RUN_MIGRATIONS: parsed.RUN_MIGRATIONS ?? parsed.DATABASE_URL === undefined,
    } as unknown as FunctionConfig<S>;
    return declaration.resolveConfig
      ? declaration.resolveConfig(resolved)
      : (resolved as unknown as Config);
  };
  // The few settings the kit itself reads, whatever the function's Config looks like.
  const kitSettings = (config: Config) =>
    config as unknown as {
      PORT: number;
      LOG_LEVEL: 'info';
      DATABASE_URL?: string;
      REDIS_URL?: string;
      K_SINK?: string;
      RUN_MIGRATIONS: boolean;
      PGLITE_DATA_DIR?: string;
      SEED_DEMO_DATA?: boolean;
      SHUTDOWN_TIMEOUT_MS: number;
    };

  const migrationsOrThrow = (): SchemaMigrations => {
    if (!declared) throw new Error(`${name} declares no database`);
    return declared;
  };
  const migrations = declared;

  /**
   * Everything a start does before serving: config, logger, stores, schema, services, seed,
   * outbox publishing (not started) and the app. Shared by both entry points.
   */
  const assemble = async (options: AssembleOptions<Services>) => {
    const config = parseConfig(options.env ?? process.env);
    const settings = kitSettings(config);
    const log = options.log ?? createLogger({ service: name, level: settings.LOG_LEVEL });
    const lifecycle = new Lifecycle();
    const opened: { close(): Promise<void> }[] = [];
    try {
      let db: Database | undefined = options.db;
      if (declaration.database && !db) {
        db = await openDatabase(settings, { service: name });
        opened.push(db);
        const owned = db;
        lifecycle.onShutdown('database', () => owned.close());
      }
      let kv: KeyValue | undefined = options.kv;
      if (declaration.keyValue && !kv) {
        if (settings.REDIS_URL) {
          kv = createRedisKeyValue(settings.REDIS_URL);
        } else {
          kv = createMemoryKeyValue();
          log[settings.DATABASE_URL ? 'warn' : 'info'](
            'REDIS_URL is not set: keeping data in memory',
          );
        }
        opened.push(kv);
        const owned = kv;
        lifecycle.onShutdown('key-value', () => owned.close());
      }
      if (db && migrations) {
        await prepareSchema(db, { ...migrations, run: settings.RUN_MIGRATIONS, log });
      }
      const metrics = createMetrics({ service: name, defaultMetrics: true });
      const context: StartContext<Config, Events> = {
        config,
        log,
        // Declared stores are always present; the others are never read.
        db: db as Database,
        kv: kv as KeyValue,
        lifecycle,
        metrics,
        events: declaration.events as Events,
      };
      await declaration.onStart?.(context);
      if (db && declaration.seed && (settings.SEED_DEMO_DATA ?? db.kind === 'pglite')) {
        log.info(await declaration.seed(context), 'demo data seeded');
      }
      const services = {
        ...((await declaration.services?.(context)) as Services),
        ...options.services,
      } as Services;
      // Registered after the stores' hooks, so its `outbox` hook runs first: the relay
      // publishes what is pending while the database is still open.
      const sinkToken =
        db && events && events.publishes.length > 0
          ? (options.sinkToken ??
            sinkTokenFromConfig(config as unknown as EventAuthSettings, { log }))
          : undefined;
      const publishing =
        db && events && events.publishes.length > 0
          ? createOutboxPublishing({
              db,
              schema: events.schema,
              sink: settings.K_SINK,
              sinkExpected: Boolean(settings.DATABASE_URL),
              source: events.source,
              catalog: events.catalog,
              log,
              lifecycle,
              registry: metrics.registry,
              maxEventBytes: events.maxEventBytes,
              ...(sinkToken && { token: sinkToken }),
              prune: () => events.prune(db as Database),
            })
          : undefined;
      // Registered after the stores' hooks too, so it stops before they close.
      const inboxPruning =
        db && events && events.consumes.length > 0
          ? createInboxPruning({ db, schema: events.schema, log, lifecycle })
          : undefined;
      const retentionPruning =
        db && declaration.retention?.length
          ? createRetentionPruning({ db, rules: declaration.retention, log, lifecycle })
          : undefined;
      const verifyToken =
        options.verifyToken ??
        declaration.verifyToken?.({ ...context, ...services }) ??
        authTokenVerifier(config as unknown as IdentitySettings, log);
      const verifyEventSender =
        options.verifyEventSender ??
        (events && events.consumes.length > 0
          ? eventSenderVerifierFromConfig(config as unknown as EventAuthSettings, { name, log })
          : refuseAllEventSenders(`${name} consumes no events`));
      const app = declaration.createApp({
        ...context,
        ...services,
        onEventsRecorded: publishing ? () => publishing.relay.wake() : () => {},
        verifyToken,
        verifyEventSender,
      });
      // Staff see and retry what the relay parked; the gateway routes /api/admin/events/<name>.
      if (db && events && events.publishes.length > 0) {
        app.route(
          '/',
          createParkedEventsApp({
            db,
            schema: events.schema,
            service: name,
            onRetried: () => publishing?.relay.wake(),
          }),
        );
      }
      return {
        app,
        config,
        settings,
        log,
        lifecycle,
        services,
        publishing,
        inboxPruning,
        retentionPruning,
        db: db as Database,
        kv: kv as KeyValue,
        /** Closes the stores this start opened (a later step failed). */
        closeOpened: async () => {
          for (const store of opened) await store.close().catch(() => {});
        },
      };
    } catch (error) {
      for (const store of opened) await store.close().catch(() => {});
      throw error;
    }
  };

  const defined: DefinedFunction<S, Config, Events, Services, App> = {
    name,
    declaration,
    get migrations() {
      return migrationsOrThrow();
    },
    applyMigrations: (db) => migrate(db, migrationsOrThrow()),
    checkSchema: (db) => checkSchemaCurrent(db, migrationsOrThrow()),
    loadConfig: (env = process.env) => parseConfig(env),

    async start(options = {}) {
      const built = await assemble(options);
      const { app, config, settings, log, lifecycle, services, publishing } = built;
      let ops: RunningServer | undefined;
      try {
        const declaredOpsPort = declaration.opsPort?.(config);
        const opsPort =
          declaredOpsPort === undefined
            ? undefined
            : (options.opsPort ?? (options.port === 0 ? 0 : declaredOpsPort));
        if (opsPort !== undefined) {
          // Its own lifecycle: the function's drives /readyz through the app, and its shutdown
          // closes this server last, so probes see "draining" until the end.
          ops = await serve(
            {
              fetch: (request, ...rest) =>
                isOpsPath(request.url) ? app.fetch(request, ...rest) : notFound(request),
            },
            {
              port: opsPort,
              log: log.child({ server: 'ops' }),
              lifecycle: new Lifecycle(),
              handleSignals: false,
            },
          );
          const opened = ops;
          lifecycle.onShutdown('ops-server', () => opened.shutdown('function stopped'));
        }
        const server = await serve(
          ops
            ? {
                fetch: (request, ...rest) =>
                  isOpsPath(request.url) ? notFound(request) : app.fetch(request, ...rest),
              }
            : app,
          {
            port: options.port ?? settings.PORT,
            log,
            lifecycle,
            shutdownTimeoutMs: settings.SHUTDOWN_TIMEOUT_MS,
            handleSignals: options.handleSignals ?? true,
          },
        );
        publishing?.start();
        built.inboxPruning?.start();
        built.retentionPruning?.start();
        return {
          ...services,
          ...server,
          app,
          url: `http://127.0.0.1:${server.port}`,
          ...(ops && { opsUrl: `http://127.0.0.1:${ops.port}` }),
          db: built.db,
          kv: built.kv,
          config,
          relay: publishing?.relay,
        };
      } catch (error) {
        await ops?.shutdown('start failed').catch(() => {});
        await built.closeOpened();
        throw error;
      }
    },

    functionsFramework(options = {}) {
      return registerFrameworkTarget({
        name,
        handleSignals: options.handleSignals ?? true,
        register: options.register ?? true,
        build: async () => {
          const built = await assemble(options);
          // The relay starts once the function is built: the framework listens on its own.
          built.publishing?.start();
          built.inboxPruning?.start();
          built.retentionPruning?.start();
          return {
            ...built.services,
            app: built.app,
            lifecycle: built.lifecycle,
            log: built.log,
            shutdownTimeoutMs: built.settings.SHUTDOWN_TIMEOUT_MS,
            db: built.db,
            kv: built.kv,
            config: built.config,
            relay: built.publishing?.relay,
          };
        },
      });
    },

    async migrate(options = {}) {
      if (!migrations) throw new Error(`${name} has no database to migrate`);
      const settings = kitSettings(parseConfig(options.env ?? process.env));
      const log = options.log ?? createLogger({ service: name, level: settings.LOG_LEVEL });
      return runMigrationJob(settings, {
        service: name,
        schema: migrations.schema,
        dir: migrations.dir,
        log,
      });
    },

    runIfEntryPoint(moduleUrl) {
      // Loaded by the framework's CLI (`functions-framework --target=<name>`): register.
      const target = functionsFrameworkTarget();
      if (target !== undefined) {
        if (target !== name) return;
        defined.functionsFramework().ready.catch((error: unknown) => {
          console.error(error instanceof Error ? error.message : error);
          process.exit(1);
        });
        return;
      }
      if (!isEntryPoint(moduleUrl)) return;
      const job = process.argv[2] === 'migrate' ? defined.migrate() : defined.start();
      job.catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
      });
    },
  };
  return defined;
}
