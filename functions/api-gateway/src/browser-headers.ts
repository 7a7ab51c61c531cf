import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { DOCS_CSP } from './docs-page.js';

/** Header fields as a plain record (lower-case names), ready to merge into a response. */
export type HeaderRecord = Readonly<Record<string, string>>;

export interface BrowserHeadersOptions {
  /** Browser origins allowed by CORS (with credentials). */
  corsOrigins: readonly string[];
  /** Response headers a page of an allowed origin may read. */
  exposeHeaders: readonly string[];
}

/** The gateway's browser-facing policy; see {@link createBrowserHeaders}. */
export interface BrowserHeaders {
  /** The security and CORS headers of the answer to a request that is not a preflight. */
  forRequest(path: string, origin: string | undefined): Promise<HeaderRecord>;
  /** secureHeaders, then cors, live: together they answer CORS preflights (`OPTIONS`). */
  preflight: readonly [MiddlewareHandler, MiddlewareHandler];
}

const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };

/**
 * API answers carry the headers the OWASP REST Security Cheat Sheet lists for every API
 * response (CSP `frame-ancestors 'none'`, HSTS, nosniff, `X-Frame-Options: DENY`; plus
 * `Cross-Origin-Resource-Policy` and `Referrer-Policy`), not those that only matter to HTML
 * documents; the `/docs` page, a document, gets secureHeaders' full set.
 */
const HTML_ONLY = {
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const;

/**
 * The browser-facing policy of every gateway response: security headers (`hono/secure-headers`:
 * HSTS, nosniff, CSP, …; see HTML_ONLY) and CORS (`hono/cors`, with credentials, exposing
 * `exposeHeaders`).
 *
 * Outside a preflight, what the two middlewares add depends only on the path kind (`/docs` has
 * its own CSP) and on whether the `Origin` is an allowed one. So the middlewares are asked once
 * per case (on an empty answer, in memory, as the app is created; a request arriving before
 * that is done waits for it) and their answer is handed out frozen:
 * forwarding then merges one plain record into the upstream's headers, instead of running two
 * middlewares that rebuild the response's `Headers` on every request. The policy stays the
 * libraries'; only the repetition is gone.
 * @example const browser = createBrowserHeaders({ corsOrigins, exposeHeaders }); await browser.forRequest('/api/offers', origin);
 */
export function createBrowserHeaders(options: BrowserHeadersOptions): BrowserHeaders {
  const common = { crossOriginResourcePolicy: 'same-site', xFrameOptions: 'DENY' } as const;
  const apiHeaders = secureHeaders({ ...common, ...HTML_ONLY, contentSecurityPolicy: API_CSP });
  const docsHeaders = secureHeaders({ ...common, contentSecurityPolicy: DOCS_CSP });
  const corsHeaders = cors({
    origin: [...options.corsOrigins],
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposeHeaders: [...options.exposeHeaders],
    maxAge: 600,
  });

  const probe = new Hono();
  probe.use((c, next) => (isDocs(c.req.path) ? docsHeaders(c, next) : apiHeaders(c, next)));
  probe.use(corsHeaders);
  probe.all('*', (c) => c.body(null, 204));
  const snapshot = async (path: string, origin?: string): Promise<HeaderRecord> => {
    const res = await probe.request(path, origin ? { headers: { origin } } : {});
    return Object.freeze(Object.fromEntries(res.headers));
  };
  const keyOf = (docs: boolean, origin?: string) => `${docs ? 'docs' : 'api'} ${origin ?? ''}`;
  let table: Map<string, HeaderRecord> | undefined;
  const building = (async () => {
    const entries = new Map<string, HeaderRecord>();
    for (const docs of [true, false]) {
      const path = docs ? '/docs' : '/';
      entries.set(keyOf(docs), await snapshot(path));
      for (const origin of options.corsOrigins) {
        entries.set(keyOf(docs, origin), await snapshot(path, origin));
      }
    }
    table = entries;
    return entries;
  })();
  const allowed = new Set(options.corsOrigins);

  return {
    async forRequest(path, origin) {
      const entries = table ?? (await building);
      const key = keyOf(isDocs(path), origin !== undefined && allowed.has(origin) ? origin : '');
      return entries.get(key) as HeaderRecord;
    },
    preflight: [apiHeaders, corsHeaders],
  };
}

function isDocs(path: string): boolean {
  return path === '/docs';
}

/**
 * Adds `headers` to `target`, the policy's value winning, except `Vary`, which is combined.
 * @example mergeHeaders(upstreamHeaders, await browser.forRequest(path, origin));
 */
export function mergeHeaders(
  target: Record<string, string | string[]>,
  headers: HeaderRecord,
): void {
  for (const name in headers) {
    const value = headers[name] as string;
    const current = target[name];
    target[name] = name === 'vary' && current !== undefined ? `${current}, ${value}` : value;
  }
}
