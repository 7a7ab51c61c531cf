import { OpenAPIHono } from '@hono/zod-openapi';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import { headerValue, type RawHeaders, requestHeaders } from './http/request-headers.js';
import { type Identity, identify, requireIdentity } from './identity/index.js';
import type { TokenVerifier } from './identity/verify-token.js';
import { Lifecycle } from './lifecycle.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';
import { Problem, problemResponse } from './problem.js';
import { validRequestId, withRequestId } from './request-context.js';

/** Variables every handler can read with `c.get(...)`. */
export type ServiceEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    /** The verified caller (see `identify`), null when anonymous. */
    identity: Identity | null;
  };
};

/**
 * A readiness check of one dependency; throws (or rejects) when it is not usable. It may
 * resolve to a short note (a string) shown instead of `ok`: still ready, e.g. "serving the last
 * known flags".
 */
export type ReadinessCheck = () => Promise<unknown>;

export interface ServiceAppOptions {
  /** The function's name (= Knative Service), used in logs and metrics. */
  service: string;
  log: Logger;
  metrics?: ServiceMetrics;
  lifecycle?: Lifecycle;
  /** Dependencies `/readyz` checks, e.g. `{ database: () => db.ping() }`. */
  readiness?: Record<string, ReadinessCheck>;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Larger limits for the routes that need them, by exact path (a file upload, say). */
  bodyLimits?: Record<string, number>;
  /**
   * Verifies the caller's access token on every request (the kit builds it from AUTH_* and
   * hands it to `createApp` as `deps.verifyToken`); null: every request is anonymous.
   */
  verifyToken: TokenVerifier | null;
  /**
   * Every route under `/api/admin/` answers only staff (401 anonymous, 403 without the role),
   * whatever its handler does; default true. Off only for the gateway, which proxies them.
   */
  staffOnlyAdminRoutes?: boolean;
}

const READINESS_TIMEOUT_MS = 2_000;

/** Turns a zod validation failure into RFC 9457 `errors` entries. */
export function validationProblem(error: ZodError, where: string): Problem {
  const errors = error.issues.map((issue) => ({
    name: [where, ...issue.path.map(String)].join('.'),
    reason: issue.message,
  }));
  return new Problem(400, `The request ${where} is not valid.`, {
    type: 'https://shop.example/problems/validation',
    title: 'Invalid request',
    errors,
  });
}

function routeLabel(c: Context): string {
  const handler = matchedRoutes(c)
    .filter((route) => route.method !== 'ALL')
    .at(-1);
  return handler?.path ?? 'unmatched';
}

async function withTimeout(check: ReadinessCheck, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Hono app every function starts from: request ids, one JSON log line per request,
 * problem+json errors, a body size limit, `/healthz`, `/readyz`, `/metrics`, and OpenAPI
 * routes whose zod schemas validate requests (failures answer 400 problem+json).
 * @example
 * const app = createServiceApp({ service: 'offer', log, readiness: { database: () => db.ping() } });
 * app.openapi(getOfferRoute, (c) => c.json(offer, 200));
 */
export function createServiceApp(options: ServiceAppOptions): OpenAPIHono<ServiceEnv> {
  const { service, log } = options;
  const metrics = options.metrics ?? createMetrics({ service });
  const lifecycle = options.lifecycle ?? readyLifecycle();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const app = new OpenAPIHono<ServiceEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationProblem(result.error as ZodError, result.target);
    },
  });

  app.use(async (c, next) => {
    // A caller's request id is kept when it cannot forge log lines; else one is made.
    const incoming = headerValue(requestHeaders(c), 'x-request-id');
    const safeId = validRequestId(incoming) ?? crypto.randomUUID();
    c.set('requestId', safeId);
    c.header('x-request-id', safeId);
    // snake_case like the trace_id and span_id the pino instrumentation adds beside it.
    c.set('log', log.child({ request_id: safeId }));
    // Events written while serving it name it (the `requestid` extension).
    return withRequestId(safeId, () => traced(c, next, safeId));
  });

  /** The request in its server span (none for probes and scrapes). */
  async function traced(
    c: Context<ServiceEnv>,
    next: () => Promise<void>,
    safeId: string,
  ): Promise<void> {
    // The server span (the kit's HTTP server instrumentation: cheaper than OpenTelemetry's,
    // which binds every request and response emitter), continued from the caller's W3C
    // `traceparent`, named after the route template as the semantic conventions ask. Probes
    // and scrapes get none. Without the SDK it is the API's no-op.
    if (isOpsRoute(c.req.path)) return measured(c, next, safeId, undefined);
    const parent = propagation.extract(ROOT_CONTEXT, requestHeaders(c), HEADER_GETTER);
    const span = tracer.startSpan(
      c.req.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': c.req.method, 'shop.request_id': safeId },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => measured(c, next, safeId, span));
    } finally {
      span.end();
    }
  }

  /** Runs the request, then records its duration metric, span name and status, and log line. */
  async function measured(
    c: Context<ServiceEnv>,
    next: () => Promise<void>,
    safeId: string,
    span: Span | undefined,
  ): Promise<void> {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeLabel(c);
    const status = c.res.status;
    if (span?.isRecording()) {
      span.setAttribute('http.response.status_code', status);
      if (route !== 'unmatched') {
        span.setAttribute('http.route', route);
        span.updateName(`${c.req.method} ${route}`);
      }
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    metrics.httpDuration.observe(
      {
        http_request_method: c.req.method,
        http_route: route,
        http_response_status_code: String(status),
      },
      seconds,
    );
    if (route === '/healthz' || route === '/readyz' || route === '/metrics') return;
    log.info(
      {
        request_id: safeId,
        method: c.req.method,
        route,
        path: c.req.path,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
      },
      'request',
    );
  }
  const limiter = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        problemResponse(c, new Problem(413, `The request body is larger than ${maxSize} bytes.`)),
    });
  const limitBody = limiter(maxBodyBytes);
  const pathLimits = new Map(
    Object.entries(options.bodyLimits ?? {}).map(([path, bytes]) => [path, limiter(bytes)]),
  );
  // GET and HEAD carry no body (a Request refuses one), and asking for it makes
  // @hono/node-server build a full WHATWG Request for nothing.
  app.use((c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD'
      ? next()
      : (pathLimits.get(c.req.path) ?? limitBody)(c, next),
  );
  const identifyCaller = identify(options.verifyToken);
  // On /events the bearer token is the broker's OIDC token, not a user's: the receiver checks it.
  app.use((c, next) =>
    isOpsRoute(c.req.path) || c.req.path === '/events' ? next() : identifyCaller(c, next),
  );
  if (options.staffOnlyAdminRoutes ?? true) {
    app.use('/api/admin/*', (c, next) => {
      requireIdentity(c, 'staff');
      return next();
    });
  }

  app.onError((error, c) => {
    const refused = dataExceptionProblem(error);
    if (refused) {
      c.get('log')?.warn({ err: error }, 'the database refused a value of the request');
      return problemResponse(c, refused);
    }
    if (!(error instanceof Problem) || error.status >= 500) {
      c.get('log')?.error({ err: error }, 'request failed');
    }
    return problemResponse(c, error);
  });
  app.notFound((c) =>
    problemResponse(c, new Problem(404, `No route for ${c.req.method} ${c.req.path}.`)),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!lifecycle.ready) {
      return c.json({ status: lifecycle.draining ? 'draining' : 'starting' }, 503);
    }
    const checks: Record<string, string> = {};
    let ok = true;
    await Promise.all(
      Object.entries(options.readiness ?? {}).map(async ([name, check]) => {
        try {
          const note = await withTimeout(check, READINESS_TIMEOUT_MS);
          checks[name] = typeof note === 'string' && note !== '' ? note : 'ok';
        } catch (error) {
          ok = false;
          checks[name] = error instanceof Error ? error.message : 'failed';
        }
      }),
    );
    return c.json({ status: ok ? 'ready' : 'unavailable', checks }, ok ? 200 : 503);
  });
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, {
      'content-type': metrics.registry.contentType,
    }),
  );
  return app;
}

/**
 * A 400 for PostgreSQL's data exceptions (SQLSTATE class 22: a NUL character in text, a lone
 * surrogate in JSON, a date out of range, a number that overflows its column…) and for a value a
 * CHECK constraint refuses (23514): the request carried a value the database cannot hold, which
 * is the caller's mistake, not a server failure. The statement failed, so its transaction rolled
 * back and nothing already stored changed.
 */
export function dataExceptionProblem(error: unknown): Problem | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(/^22[0-9A-Z]{3}$/.test(code) || code === '23514')) {
    return undefined;
  }
  return new Problem(400, 'A value in the request cannot be stored or compared.', {
    title: 'Invalid value',
    sqlstate: code,
  });
}

/** Probes and scrapes never carry a user's token, and must answer when auth is down. */
/** Reads trace context fields from Node's parsed headers (no WHATWG `Headers` is built). */
const HEADER_GETTER: TextMapGetter<RawHeaders> = {
  get: (headers, key) => headerValue(headers, key),
  keys: (headers) => Object.keys(headers),
};

const tracer = trace.getTracer('@shop/shared');

function isOpsRoute(path: string): boolean {
  return path === '/healthz' || path === '/readyz' || path === '/metrics';
}

function readyLifecycle(): Lifecycle {
  const lifecycle = new Lifecycle();
  lifecycle.markReady();
  return lifecycle;
}
