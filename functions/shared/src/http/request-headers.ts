import type { Context } from 'hono';

/** Header fields as Node parses them: lower-case names, an array for a repeated `set-cookie`. */
export type RawHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The request's header fields as a plain record: Node's own parse on @hono/node-server (so no
 * WHATWG `Headers` is built from the raw header list just to read a field), else the fields of
 * `c.req.raw` (app.request(), other runtimes).
 * @example const origin = headerValue(requestHeaders(c), 'origin');
 */
export function requestHeaders(c: Context): RawHeaders {
  const env = c.env as { incoming?: { headers?: RawHeaders } } | undefined;
  return env?.incoming?.headers ?? Object.fromEntries(c.req.raw.headers);
}

/**
 * One field of a {@link RawHeaders} record (the first, for a repeated one).
 * @example headerValue(requestHeaders(c), 'x-request-id')
 */
export function headerValue(headers: RawHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}
