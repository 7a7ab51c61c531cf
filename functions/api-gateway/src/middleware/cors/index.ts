import { headerValue, requestHeaders } from '@shop/shared';
import type { MiddlewareHandler } from 'hono';
import { cors as honoCors } from 'hono/cors';
import {
  type HeaderRecord,
  headersAdded,
  type ResponseHeadersEnv,
} from '../response-headers/index.js';

export interface CorsOptions {
  /** Browser origins allowed, with credentials. */
  origins: readonly string[];
  /** Response headers a page of an allowed origin may read. */
  exposeHeaders: readonly string[];
}

/**
 * CORS (`hono/cors`, with credentials, exposing `exposeHeaders`) for the allowed `origins`.
 * Outside a preflight what cors adds depends only on whether the `Origin` is an allowed one, so
 * it is asked once per allowed origin (and once for any other) at start, and its frozen answer
 * joins the response headers (see `responseHeaders`). A preflight (`OPTIONS`) runs cors live,
 * which answers it 204.
 * @example app.use(responseHeaders()).use(cors({ origins: ['http://127.0.0.1:4321'], exposeHeaders: ['x-request-id'] }));
 */
export function cors(options: CorsOptions): MiddlewareHandler<ResponseHeadersEnv> {
  const live = honoCors({
    origin: [...options.origins],
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposeHeaders: [...options.exposeHeaders],
    maxAge: 600,
  });
  let answers: { noGrant: HeaderRecord; byOrigin: Map<string, HeaderRecord> } | undefined;
  const asking = (async () => {
    // No Origin and one that is not allowed get the same answer: no grant.
    const noGrant = await headersAdded(live, '/');
    const byOrigin = new Map<string, HeaderRecord>();
    for (const origin of options.origins) {
      byOrigin.set(origin, await headersAdded(live, '/', { origin }));
    }
    answers = { noGrant, byOrigin };
  })();
  const middleware: MiddlewareHandler<ResponseHeadersEnv> = (c, next) => {
    if (c.req.method === 'OPTIONS') return live(c, next);
    if (!answers) return asking.then(() => middleware(c, next));
    const origin = headerValue(requestHeaders(c), 'origin');
    const granted = origin === undefined ? undefined : answers.byOrigin.get(origin);
    c.get('responseHeaders').push(granted ?? answers.noGrant);
    return next();
  };
  return middleware;
}
