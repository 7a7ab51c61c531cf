// The api-gateway as the kit runs it: `node dist/main.js` serves on PORT (8080), its probes and
// metrics on OPS_PORT (9080).
import { createWorkloadTokenVerifier, defineFunction } from '@shop/shared';
import { createApp } from './app.js';
import { configShape } from './config.js';
import { upstreamUrls } from './routes-table.js';

export { createApp, type GatewayApp, type GatewayAppDeps } from './app.js';
export type { GatewayConfig } from './config.js';
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

/** What the gateway builds at start; tests may replace the clock of the rate-limit windows. */
export interface GatewayServices {
  /** Source of "now" in milliseconds (rate-limit windows); default Date.now. */
  clock?: () => number;
}

/**
 * The front desk: rate-limit counters in the key-value store (REDIS_URL, else memory), the
 * kit's token verifier (auth's JWKS and revocation feed), the routes table, port 8080; `/healthz`, `/readyz` and `/metrics` on
 * OPS_PORT 9080 only (`opsUrl`; a free one when `port` is 0).
 * @example const running = await gateway.start({ port: 0, env: { AUTH_URL: authUrl }, handleSignals: false });
 */
export const gateway = defineFunction({
  name: 'api-gateway',
  port: 8080,
  config: configShape,
  keyValue: true,
  // The public port must not tell the world its metrics and readiness.
  opsPort: (config) => config.OPS_PORT,
  services: (): GatewayServices => ({}),
  createApp: ({ config, log, kv, metrics, lifecycle, verifyToken, clock }) =>
    createApp({
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
      ...(config.SITE_TOKEN_ISSUER &&
        config.SITE_ALLOWED_SUBJECTS.length > 0 && {
          verifySiteToken: createWorkloadTokenVerifier({
            issuer: config.SITE_TOKEN_ISSUER,
            jwks: config.SITE_TOKEN_JWKS_URL ?? `${config.SITE_TOKEN_ISSUER}/openid/v1/jwks`,
            audience: config.SITE_TOKEN_AUDIENCE,
            allowedSenders: config.SITE_ALLOWED_SUBJECTS,
          }),
        }),
      upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
      maxBodyBytes: config.MAX_BODY_BYTES,
      webhookMaxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
      authMaxBodyBytes: config.AUTH_MAX_BODY_BYTES,
      catalogImportMaxBodyBytes: config.CATALOG_IMPORT_MAX_BODY_BYTES,
      openApi: { cacheSeconds: config.OPENAPI_CACHE_SECONDS, timeoutMs: config.OPENAPI_TIMEOUT_MS },
      ...(clock && { clock }),
    }),
});

/** A started gateway. */
export type RunningGateway = Awaited<ReturnType<typeof gateway.start>>;

gateway.runIfEntryPoint(import.meta.url);
