import { Problem, problemResponse } from '@shop/shared';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { requestTarget } from '../../request-target.js';
import { matchRoute, type UpstreamName } from '../../routes-table.js';

export interface BodyLimitOptions {
  maxBytes: number;
  /** The 413 problem's detail. */
  detail: string;
}

/**
 * Refuses a request body over `maxBytes` with a 413 problem (`hono/body-limit`): a body with a
 * Content-Length streams through, a chunked one is read up to the limit first.
 * @example app.use('/webhooks/*', bodyLimit({ maxBytes: 512 * 1024, detail: 'The webhook body is too large.' }));
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  return honoBodyLimit({
    maxSize: options.maxBytes,
    onError: (c) => problemResponse(c, new Problem(413, options.detail)),
  });
}

/**
 * Refuses, with a 413 problem, a body larger than the upstream that owns the path accepts
 * (`limits`, by upstream; the others keep the gateway's own limit), so an oversized body never
 * reaches the upstream. GET and HEAD carry no body and pass.
 * @example app.use(upstreamBodyLimit({ auth: 16 * 1024, 'conversion-webhook': 512 * 1024 }));
 */
export function upstreamBodyLimit(
  limits: Partial<Record<UpstreamName, number>>,
): MiddlewareHandler {
  const limiters = new Map<UpstreamName, MiddlewareHandler>();
  for (const [upstream, maxBytes] of Object.entries(limits) as [UpstreamName, number][]) {
    limiters.set(
      upstream,
      bodyLimit({
        maxBytes,
        detail: `The request body is larger than the ${upstream} service accepts (${maxBytes} bytes).`,
      }),
    );
  }
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || limiters.size === 0) return next();
    const route = matchRoute(requestTarget(c.req.url).path);
    const limiter = route && limiters.get(route.upstream);
    return limiter ? limiter(c, next) : next();
  };
}
