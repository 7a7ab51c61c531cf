import {
  createRateLimiter,
  createServiceApp,
  type Identity,
  identityHeaders,
  type KeyValue,
  type Lifecycle,
  type Logger,
  Problem,
  problemResponse,
  type RateLimitResult,
  rateLimitHeaders,
  type ServiceEnv,
  type ServiceMetrics,
} from '@shop/shared';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { DOCS_CSP, docsPage } from './docs-page.js';
import { forward, removeHopByHop } from './forward.js';
import { createOpenApiAggregator } from './openapi.js';
import { matchRoute, requiredAccess, type UpstreamName } from './routes-table.js';
import { nextTraceContext } from './trace-context.js';
import { TokenRejected, type TokenVerifier } from './verify-access-token.js';

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
  upstreamTimeoutMs?: number;
  maxBodyBytes?: number;
  webhookMaxBodyBytes?: number;
  openApi?: { cacheSeconds: number; timeoutMs: number };
  /** Milliseconds since the epoch (rate-limit windows, OpenAPI cache); default Date.now. */
  clock?: () => number;
  fetch?: typeof fetch;
}

/** The gateway's Hono app (an OpenAPIHono from the shared kit). */
export type GatewayApp = ReturnType<typeof createServiceApp>;

type GatewayEnv = {
  Variables: ServiceEnv['Variables'] & {
    identity: Identity | null;
  };
};

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

/** The socket's peer address on @hono/node-server; undefined under app.request(). */
function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** The client's address: the entry the first trusted proxy appended, else the socket's. */
function clientAddress(c: Context, trustedHops: number): string {
  if (trustedHops > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const entry = hops[hops.length - trustedHops];
    if (entry) return entry;
  }
  return socketAddress(c) ?? 'unknown';
}

function invalidToken(detail: string, headers: Record<string, string>): Problem {
  return new Problem(
    401,
    detail,
    { type: 'https://shop.example/problems/invalid-token' },
    { ...headers, 'www-authenticate': 'Bearer error="invalid_token"' },
  );
}

/**
 * The api-gateway: security headers, CORS, bearer-token verification, per-client rate
 * limits and role checks in front of a path-prefix router that streams each request to its
 * function; plus the merged `/openapi.json` and its `/docs` page.
 * @example const app = createApp({ log, kv, upstreams, verifyToken }); await app.request('/api/offers');
 */
export function createApp(deps: GatewayAppDeps): GatewayApp {
  const { log, kv, upstreams, verifyToken } = deps;
  const limits = deps.rateLimits ?? { anonymous: 600, user: 1200, windowSeconds: 60 };
  const trustedHops = deps.trustedProxyHops ?? 0;
  const timeoutMs = deps.upstreamTimeoutMs ?? 10_000;
  const clock = deps.clock ?? Date.now;
  const serviceApp = createServiceApp({
    service: 'api-gateway',
    log,
    maxBodyBytes: deps.maxBodyBytes ?? 1024 * 1024,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.lifecycle && { lifecycle: deps.lifecycle }),
  });
  // Same app, typed with the gateway's own per-request variables.
  const app = serviceApp as unknown as Hono<GatewayEnv>;

  const anonymousLimiter = createRateLimiter({
    kv,
    prefix: 'rl:gateway:ip',
    limit: limits.anonymous,
    windowSeconds: limits.windowSeconds,
    clock,
  });
  const userLimiter = createRateLimiter({
    kv,
    prefix: 'rl:gateway:user',
    limit: limits.user,
    windowSeconds: limits.windowSeconds,
    clock,
  });
  const openApi = createOpenApiAggregator({
    upstreams,
    timeoutMs: deps.openApi?.timeoutMs ?? 3_000,
    cacheSeconds: deps.openApi?.cacheSeconds ?? 60,
    clock,
    ...(deps.fetch && { fetch: deps.fetch }),
  });

  const apiHeaders = secureHeaders({
    crossOriginResourcePolicy: 'same-site',
    xFrameOptions: 'DENY',
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  });
  const docsHeaders = secureHeaders({
    crossOriginResourcePolicy: 'same-site',
    xFrameOptions: 'DENY',
    contentSecurityPolicy: DOCS_CSP,
  });
  app.use((c, next) => (c.req.path === '/docs' ? docsHeaders(c, next) : apiHeaders(c, next)));
  app.use(
    cors({
      origin: deps.corsOrigins ?? [],
      credentials: true,
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      exposeHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    }),
  );
  app.use(
    '/webhooks/*',
    bodyLimit({
      maxSize: deps.webhookMaxBodyBytes ?? 512 * 1024,
      onError: (c) =>
        problemResponse(
          c,
          new Problem(413, 'The webhook body is larger than the gateway accepts.'),
        ),
    }),
  );

  const gate: MiddlewareHandler<GatewayEnv> = async (c, next) => {
    const clientIp = clientAddress(c, trustedHops);
    c.set('identity', null);
    let rejected: TokenRejected | undefined;
    const authorization = c.req.header('authorization');
    const bearer = authorization?.match(/^Bearer[ ]+(\S+)\s*$/i);
    if (bearer?.[1]) {
      try {
        c.set('identity', await verifyToken(bearer[1]));
      } catch (error) {
        if (!(error instanceof TokenRejected)) throw error;
        rejected = error;
      }
    } else if (authorization && /^Bearer\b/i.test(authorization)) {
      rejected = new TokenRejected('invalid', 'malformed bearer token');
    }
    const identity = c.get('identity');
    // Refused tokens count against the client's address, so guessing tokens is limited too.
    let verdict: RateLimitResult | undefined;
    try {
      verdict = identity
        ? await userLimiter.hit(identity.userId)
        : await anonymousLimiter.hit(clientIp);
    } catch (error) {
      // A store outage must not take the whole shop down: serve unlimited, loudly.
      c.get('log').error({ err: error }, 'rate limiting skipped: the key-value store failed');
    }
    const limitHeaders = verdict ? rateLimitHeaders(verdict, limits.windowSeconds) : {};
    if (verdict && !verdict.allowed) {
      throw new Problem(
        429,
        `Too many requests; try again in ${verdict.resetSeconds} s.`,
        {},
        limitHeaders,
      );
    }
    if (rejected?.reason === 'keys-unavailable') {
      c.get('log').error({ err: rejected }, 'cannot verify tokens: signing keys unavailable');
      throw new Problem(503, 'Tokens cannot be verified right now.', {}, limitHeaders);
    }
    if (rejected) throw invalidToken('The access token is not valid.', limitHeaders);
    const access = requiredAccess(new URL(c.req.url).pathname);
    if (access !== 'public' && !identity) {
      throw new Problem(
        401,
        'Sign in first.',
        {},
        { ...limitHeaders, 'www-authenticate': 'Bearer' },
      );
    }
    if (access === 'staff' && !identity?.roles.includes('staff')) {
      throw new Problem(403, 'This needs the staff role.', {}, limitHeaders);
    }
    for (const [name, value] of Object.entries(limitHeaders)) c.header(name, value);
    await next();
  };
  app.use(gate);

  app.get('/openapi.json', async (c) => c.json(await openApi.document()));
  app.get('/docs', (c) => c.html(docsPage('/openapi.json')));

  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const route = matchRoute(url.pathname);
    if (!route) throw new Problem(404, `No route for ${c.req.method} ${url.pathname}.`);
    const headers = new Headers(c.req.raw.headers);
    removeHopByHop(headers);
    for (const name of [...headers.keys()]) {
      // Identity comes from the verified token only; a client can never set it.
      if (name.startsWith('x-shop-')) headers.delete(name);
    }
    headers.delete('host');
    headers.delete('accept-encoding');
    const identity = c.get('identity');
    if (identity) {
      for (const [name, value] of Object.entries(identityHeaders(identity))) {
        headers.set(name, value);
      }
    }
    headers.set('x-request-id', c.get('requestId'));
    const trace = nextTraceContext(c.req.header('traceparent'), c.req.header('tracestate'));
    headers.set('traceparent', trace.traceparent);
    if (trace.tracestate) headers.set('tracestate', trace.tracestate);
    else headers.delete('tracestate');
    const socket = socketAddress(c);
    const forwardedFor = trustedHops > 0 ? c.req.header('x-forwarded-for') : undefined;
    const chain = [forwardedFor, socket].filter(Boolean).join(', ');
    if (chain) headers.set('x-forwarded-for', chain);
    else headers.delete('x-forwarded-for');
    const proto =
      (trustedHops > 0 ? c.req.header('x-forwarded-proto') : undefined) ??
      url.protocol.replace(':', '');
    headers.set('x-forwarded-proto', proto);
    const host = (trustedHops > 0 ? c.req.header('x-forwarded-host') : undefined) ?? url.host;
    headers.set('x-forwarded-host', host);
    const base = upstreams[route.upstream].replace(/\/+$/, '');
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    return forward({
      upstream: route.upstream,
      url: `${base}${url.pathname}${url.search}`,
      method: c.req.method,
      headers,
      body: hasBody ? c.req.raw.body : null,
      timeoutMs,
      signal: c.req.raw.signal,
      log: c.get('log'),
      ...(deps.fetch && { fetch: deps.fetch }),
    });
  });
  return serviceApp;
}
