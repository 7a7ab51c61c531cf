import { Problem, problemResponse } from '@shop/shared';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';

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
