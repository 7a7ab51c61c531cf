import {
  createLogger,
  createMemoryKeyValue,
  createMetrics,
  createRedisKeyValue,
  isEntryPoint,
  type KeyValue,
  Lifecycle,
  type Logger,
  type RunningServer,
  serve,
} from '@shop/shared';
import { createApp, type GatewayApp } from './app.js';
import { type GatewayConfig, loadGatewayConfig } from './config.js';
import { upstreamUrls } from './routes-table.js';
import { createTokenVerifier } from './verify-access-token.js';

export { createApp, type GatewayApp, type GatewayAppDeps } from './app.js';
export { type GatewayConfig, loadGatewayConfig } from './config.js';
export { forward } from './forward.js';
export { createOpenApiAggregator, mergeOpenApi, type OpenApiDocument } from './openapi.js';
export {
  matchRoute,
  ROUTES,
  requiredAccess,
  type UpstreamName,
  upstreamUrls,
} from './routes-table.js';
export { nextTraceContext } from './trace-context.js';
export { createTokenVerifier, TokenRejected, type TokenVerifier } from './verify-access-token.js';

export interface StartGatewayOptions {
  /** Environment to read the config from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Overrides PORT; 0 picks a free port. */
  port?: number;
  /** A key-value store for rate limits instead of REDIS_URL/memory; the caller keeps closing it. */
  kv?: KeyValue;
  log?: Logger;
  /** Handle SIGTERM/SIGINT (default true; the dev runner handles signals itself). */
  handleSignals?: boolean;
  /** Source of "now" in milliseconds (rate-limit windows); default Date.now. */
  clock?: () => number;
}

export interface RunningGateway extends RunningServer {
  app: GatewayApp;
  kv: KeyValue;
  config: GatewayConfig;
  /** The URL the gateway listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
}

/**
 * Starts the api-gateway: config, logger, key-value store for rate limits (REDIS_URL, else
 * in memory), the JWKS-backed token verifier, and serves on PORT (8080).
 * @example const gateway = await startGateway({ port: 0, env: { AUTH_URL: authUrl }, handleSignals: false });
 */
export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const config = loadGatewayConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: 'api-gateway', level: config.LOG_LEVEL });
  const ownsKv = options.kv === undefined;
  const kv =
    options.kv ??
    (config.REDIS_URL ? createRedisKeyValue(config.REDIS_URL) : createMemoryKeyValue());
  try {
    const lifecycle = new Lifecycle();
    if (ownsKv) lifecycle.onShutdown('key-value store', () => kv.close());
    const metrics = createMetrics({ service: 'api-gateway', defaultMetrics: true });
    const verifyToken = createTokenVerifier({
      jwksUrl:
        config.AUTH_JWKS_URL ?? `${config.AUTH_URL.replace(/\/+$/, '')}/.well-known/jwks.json`,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      cooldownMs: config.JWKS_COOLDOWN_MS,
      cacheMaxAgeMs: config.JWKS_CACHE_MAX_AGE_MS,
    });
    const app = createApp({
      log,
      kv,
      upstreams: upstreamUrls(config),
      verifyToken,
      metrics,
      lifecycle,
      corsOrigins: config.CORS_ORIGINS,
      rateLimits: {
        anonymous: config.RATE_LIMIT_ANONYMOUS,
        user: config.RATE_LIMIT_USER,
        windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      },
      trustedProxyHops: config.TRUSTED_PROXY_HOPS,
      upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
      maxBodyBytes: config.MAX_BODY_BYTES,
      webhookMaxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
      openApi: { cacheSeconds: config.OPENAPI_CACHE_SECONDS, timeoutMs: config.OPENAPI_TIMEOUT_MS },
      ...(options.clock && { clock: options.clock }),
    });
    const server = await serve(app, {
      port: options.port ?? config.PORT,
      log,
      lifecycle,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      handleSignals: options.handleSignals ?? true,
    });
    return { ...server, app, kv, config, url: `http://127.0.0.1:${server.port}` };
  } catch (error) {
    if (ownsKv) await kv.close().catch(() => {});
    throw error;
  }
}

if (isEntryPoint(import.meta.url)) {
  startGateway().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
