import {
  createServiceApp,
  type KeyValue,
  type Lifecycle,
  type Logger,
  type ServiceMetrics,
  type TokenVerifier,
  type WorkloadTokenVerifier,
} from '@shop/shared';
import { DOCS_CSP } from './docs-page.js';
import { authentication } from './middleware/authentication/index.js';
import { upstreamBodyLimit } from './middleware/body-limit/index.js';
import { clientAddress } from './middleware/client-address/index.js';
import { cors } from './middleware/cors/index.js';
import { proxy } from './middleware/proxy/index.js';
import { rateLimit } from './middleware/rate-limit/index.js';
import { responseHeaders } from './middleware/response-headers/index.js';
import { roleGate } from './middleware/role-gate/index.js';
import { securityHeaders } from './middleware/security-headers/index.js';
import { createOpenApiAggregator } from './openapi.js';
import { docsRoutes } from './routes/docs.js';
import type { UpstreamName } from './routes-table.js';

/** What the gateway app is built from; main.ts makes the real ones, tests pass their own. */
export interface GatewayAppDeps {
  log: Logger;
  kv: KeyValue;
  /** Base URL of each upstream function. */
  upstreams: Record<UpstreamName, string>;
  verifyToken: TokenVerifier;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Browser origins allowed by CORS. */
  corsOrigins?: string[];
  rateLimits?: { anonymous: number; user: number; windowSeconds: number };
  /** Proxies in front that append to X-Forwarded-For (0: trust only the socket). */
  trustedProxyHops?: number;
  /**
   * Checks the service-account token a site sends with a shopper's address
   * (`x-shop-site-token`, `x-shop-client-address`); unset: every such claim is ignored.
   */
  verifySiteToken?: WorkloadTokenVerifier;
  upstreamTimeoutMs?: number;
  maxBodyBytes?: number;
  webhookMaxBodyBytes?: number;
  /** auth's body limit (its `maxBodyBytes`); default 16 KiB. */
  authMaxBodyBytes?: number;
  /** The catalog import's body limit (a staff member's CSV file); default 24 MiB. */
  catalogImportMaxBodyBytes?: number;
  /**
   * Largest body each upstream accepts, answered 413 by the gateway itself; default auth
   * `authMaxBodyBytes`, conversion-webhook `webhookMaxBodyBytes`, the others `maxBodyBytes`.
   */
  upstreamBodyLimits?: Partial<Record<UpstreamName, number>>;
  openApi?: { cacheSeconds: number; timeoutMs: number };
  /** Milliseconds since the epoch (rate-limit windows, OpenAPI cache); default Date.now. */
  clock?: () => number;
  /** Fetches the upstreams' `/openapi.json` (tests); requests are forwarded with undici. */
  fetch?: typeof fetch;
}

/** The gateway's Hono app (an OpenAPIHono from the shared kit). */
export type GatewayApp = ReturnType<typeof createServiceApp>;

/** The one route that takes a file: offer's catalog import (staff only, like every admin route). */
const CATALOG_IMPORT_PATH = '/api/admin/catalog/imports';

const EXPOSED_HEADERS = [
  'RateLimit-Policy',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
  'x-request-id',
  'ETag',
  'Location',
];

/**
 * The api-gateway: security headers, CORS, bearer-token verification, per-client rate
 * limits and role checks in front of a path-prefix router that streams each request to its
 * function; plus the merged `/openapi.json` and its `/docs` page.
 * @example const app = createApp({ log, kv, upstreams, verifyToken }); await app.request('/api/offers');
 */
export function createApp(deps: GatewayAppDeps): GatewayApp {
  const { upstreams } = deps;
  const limits = deps.rateLimits ?? { anonymous: 600, user: 1200, windowSeconds: 60 };
  const trustedProxyHops = deps.trustedProxyHops ?? 0;
  const clock = deps.clock ?? Date.now;
  const app = createServiceApp({
    service: 'api-gateway',
    log: deps.log,
    // Tokens are verified (and refused) in the chain below, after the rate limit counted them;
    // the functions behind verify them again and check staff routes themselves.
    verifyToken: null,
    staffOnlyAdminRoutes: false,
    maxBodyBytes: deps.maxBodyBytes ?? 1024 * 1024,
    bodyLimits: { [CATALOG_IMPORT_PATH]: deps.catalogImportMaxBodyBytes ?? 24 * 1024 * 1024 },
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
  });
  const openApi = createOpenApiAggregator({
    upstreams,
    timeoutMs: deps.openApi?.timeoutMs ?? 3_000,
    cacheSeconds: deps.openApi?.cacheSeconds ?? 60,
    clock,
    ...(deps.fetch && { fetch: deps.fetch }),
  });
  const security = securityHeaders({
    document: { path: '/docs', contentSecurityPolicy: DOCS_CSP },
  });
  const browsers = cors({ origins: deps.corsOrigins ?? [], exposeHeaders: EXPOSED_HEADERS });

  app
    // CORS preflights are answered first, before rate limits and tokens.
    .options('*', security, browsers)
    .use(responseHeaders())
    .use(security)
    .use(browsers)
    .use(
      upstreamBodyLimit(
        deps.upstreamBodyLimits ?? {
          auth: deps.authMaxBodyBytes ?? 16 * 1024,
          'conversion-webhook': deps.webhookMaxBodyBytes ?? 512 * 1024,
        },
      ),
    )
    .use(clientAddress({ trustedProxyHops, verifySiteToken: deps.verifySiteToken, clock }))
    .use(authentication({ verifyToken: deps.verifyToken }))
    .use(rateLimit({ kv: deps.kv, ...limits, clock }))
    .use(roleGate())
    .route('/', docsRoutes(openApi))
    .all('*', proxy({ upstreams, timeoutMs: deps.upstreamTimeoutMs ?? 10_000, trustedProxyHops }));
  return app;
}
