import {
  createRateLimiter,
  createServiceApp,
  headerValue,
  type Identity,
  identityHeaders,
  type KeyValue,
  type Lifecycle,
  type Logger,
  Problem,
  problemResponse,
  type RateLimitResult,
  type RawHeaders,
  rateLimitHeaders,
  requestHeaders,
  type ServiceEnv,
  type ServiceMetrics,
} from '@shop/shared';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createBrowserHeaders, type HeaderRecord } from './browser-headers.js';
import { createDocsAssets, docsPage } from './docs-page.js';
import { endToEndHeaders, forward } from './forward.js';
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
    /** The request's header fields, read once. */
    requestHeaders: RawHeaders;
    /** The request URL's parts; `path` still percent-encoded, as routes and roles match it. */
    target: ReturnType<typeof splitUrl>;
    /** Security and CORS headers of the answer (see browser-headers.ts). */
    browserHeaders: HeaderRecord;
    /** The RateLimit-* fields of the answer, once the limiter has counted the request. */
    limitHeaders: HeaderRecord;
    /** Set when the answer is the upstream's, which already carries every header above. */
    forwarded: boolean;
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

/** Scheme, host, raw path and query of a request URL (already normalised by the server). */
function splitUrl(url: string): { scheme: string; host: string; path: string; search: string } {
  const hostStart = url.indexOf('://') + 3;
  let pathStart = url.indexOf('/', hostStart);
  if (pathStart < 0) pathStart = url.length;
  let end = url.indexOf('#', pathStart);
  if (end < 0) end = url.length;
  let query = url.indexOf('?', pathStart);
  if (query < 0 || query > end) query = end;
  return {
    scheme: url.slice(0, hostStart - 3),
    host: url.slice(hostStart, pathStart),
    path: url.slice(pathStart, query) || '/',
    search: end - query > 1 ? url.slice(query, end) : '',
  };
}

/** The client's address: the entry the first trusted proxy appended, else the socket's. */
function clientAddress(c: Context, headers: RawHeaders, trustedHops: number): string {
  if (trustedHops > 0) {
    const hops = (headerValue(headers, 'x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => hop.trim())
      .filter(Boolean);
    const entry = hops[hops.length - trustedHops];
    if (entry) return entry;
  }
  return socketAddress(c) ?? 'unknown';
}

/** Request fields never sent upstream as they came (the gateway sets or drops them). */
function isReplaced(name: string): boolean {
  // Identity comes from the verified token only; a client can never set it.
  return name.startsWith('x-shop-') || name === 'host' || name === 'accept-encoding';
}

function invalidToken(detail: string): Problem {
  return new Problem(
    401,
    detail,
    { type: 'https://shop.example/problems/invalid-token' },
    { 'www-authenticate': 'Bearer error="invalid_token"' },
  );
}

function lowerCaseNames(headers: Record<string, string>): HeaderRecord {
  const lower: Record<string, string> = {};
  for (const name in headers) lower[name.toLowerCase()] = headers[name] as string;
  return lower;
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

  const browser = createBrowserHeaders({
    corsOrigins: deps.corsOrigins ?? [],
    exposeHeaders: EXPOSED_HEADERS,
  });
  // Every answer gets the security and CORS headers; a forwarded one has them merged in
  // already (one plain record, no Headers rebuilt), anything else gets them here.
  app.use(async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const incoming = requestHeaders(c);
    c.set('requestHeaders', incoming);
    c.set('target', splitUrl(c.req.url));
    const headers = await browser.forRequest(c.req.path, headerValue(incoming, 'origin'));
    c.set('browserHeaders', headers);
    await next();
    if (c.get('forwarded')) return;
    const res = c.res.headers;
    for (const record of [headers, c.get('limitHeaders')]) {
      for (const name in record) {
        const value = record[name] as string;
        if (name === 'vary') res.append(name, value);
        else res.set(name, value);
      }
    }
  });
  // CORS preflights are answered here, before rate limits and tokens, by the live middlewares.
  app.options('*', browser.preflight[0], browser.preflight[1]);
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
    const requestHeaders = c.get('requestHeaders');
    const clientIp = clientAddress(c, requestHeaders, trustedHops);
    c.set('identity', null);
    let rejected: TokenRejected | undefined;
    const authorization = headerValue(requestHeaders, 'authorization');
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
    const limitHeaders = verdict
      ? lowerCaseNames(rateLimitHeaders(verdict, limits.windowSeconds))
      : {};
    c.set('limitHeaders', limitHeaders);
    if (verdict && !verdict.allowed) {
      throw new Problem(429, `Too many requests; try again in ${verdict.resetSeconds} s.`);
    }
    if (rejected?.reason === 'keys-unavailable') {
      c.get('log').error({ err: rejected }, 'cannot verify tokens: signing keys unavailable');
      throw new Problem(503, 'Tokens cannot be verified right now.');
    }
    if (rejected) throw invalidToken('The access token is not valid.');
    const access = requiredAccess(c.get('target').path);
    if (access !== 'public' && !identity) {
      throw new Problem(401, 'Sign in first.', {}, { 'www-authenticate': 'Bearer' });
    }
    if (access === 'staff' && !identity?.roles.includes('staff')) {
      throw new Problem(403, 'This needs the staff role.');
    }
    await next();
  };
  app.use(gate);

  app.get('/openapi.json', async (c) => c.json(await openApi.document()));
  app.get('/docs', (c) => c.html(docsPage('/openapi.json')));
  const docsAssets = createDocsAssets();
  app.get('/docs/:file', async (c) => {
    const asset = await docsAssets.get(c.req.param('file'));
    if (!asset) throw new Problem(404, `No route for GET ${c.req.path}.`);
    return c.body(asset.body as string, 200, {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=86400',
    });
  });

  app.all('*', async (c) => {
    const url = c.get('target');
    const route = matchRoute(url.path);
    if (!route) throw new Problem(404, `No route for ${c.req.method} ${url.path}.`);
    const incoming = c.get('requestHeaders');
    const headers = endToEndHeaders(incoming, isReplaced);
    const identity = c.get('identity');
    if (identity) Object.assign(headers, identityHeaders(identity));
    const requestId = c.get('requestId');
    headers['x-request-id'] = requestId;
    const trace = nextTraceContext(
      headerValue(incoming, 'traceparent'),
      headerValue(incoming, 'tracestate'),
    );
    headers.traceparent = trace.traceparent;
    if (trace.tracestate) headers.tracestate = trace.tracestate;
    else delete headers.tracestate;
    const socket = socketAddress(c);
    const forwardedFor = trustedHops > 0 ? headerValue(incoming, 'x-forwarded-for') : undefined;
    const chain = [forwardedFor, socket].filter(Boolean).join(', ');
    if (chain) headers['x-forwarded-for'] = chain;
    else delete headers['x-forwarded-for'];
    headers['x-forwarded-proto'] =
      (trustedHops > 0 ? headerValue(incoming, 'x-forwarded-proto') : undefined) ?? url.scheme;
    headers['x-forwarded-host'] =
      (trustedHops > 0 ? headerValue(incoming, 'x-forwarded-host') : undefined) ?? url.host;
    const base = upstreams[route.upstream].replace(/\/+$/, '');
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    const res = await forward({
      upstream: route.upstream,
      url: `${base}${url.path}${url.search}`,
      method: c.req.method,
      headers,
      body: hasBody ? c.req.raw.body : null,
      timeoutMs,
      signal: c.req.raw.signal,
      log: c.get('log'),
      responseHeaders: [
        c.get('browserHeaders'),
        c.get('limitHeaders'),
        { 'x-request-id': requestId },
      ],
      ...(deps.fetch && { fetch: deps.fetch }),
    });
    c.set('forwarded', true);
    return res;
  });
  return serviceApp;
}
