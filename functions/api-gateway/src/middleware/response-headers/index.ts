import { Hono, type MiddlewareHandler } from 'hono';

/** Header fields as a plain record (lower-case names), ready to merge into a response. */
export type HeaderRecord = Readonly<Record<string, string>>;

export type ResponseHeadersEnv = {
  Variables: {
    /** Records every answer gets, in order: a later one wins, except `Vary`, which is combined. */
    responseHeaders: HeaderRecord[];
    /** Set when the answer carries them already (the proxy merged them into the upstream's). */
    responseHeadersMerged: boolean;
  };
};

/**
 * Collects the header records later middlewares add to the answer (they push them onto
 * `c.get('responseHeaders')`) and sets them on every answer the gateway makes itself, problems
 * included. A forwarded answer gets them merged into its plain header record by the proxy
 * instead, so no `Headers` is rebuilt on the way out.
 * @example app.use(responseHeaders()).use((c, next) => { c.get('responseHeaders').push({ 'x-a': '1' }); return next(); });
 */
export function responseHeaders(): MiddlewareHandler<ResponseHeadersEnv> {
  return async (c, next) => {
    const records: HeaderRecord[] = [];
    c.set('responseHeaders', records);
    await next();
    if (c.get('responseHeadersMerged')) return;
    const headers = c.res.headers;
    for (const record of records) {
      for (const name in record) {
        const value = record[name] as string;
        if (name === 'vary') headers.append(name, value);
        else headers.set(name, value);
      }
    }
  };
}

/**
 * Adds `headers` to `target`, the gateway's value winning, except `Vary`, which is combined.
 * @example mergeHeaders(upstreamHeaders, { vary: 'Origin' });
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

/**
 * What `middleware` adds to an empty answer to a GET of `path` (in memory, no socket), frozen:
 * for middlewares whose headers depend only on a few request properties, ask once per case at
 * start instead of running them on every request.
 * @example const apiHeaders = await headersAdded(secureHeaders(), '/');
 */
export async function headersAdded(
  middleware: MiddlewareHandler,
  path: string,
  headers: Record<string, string> = {},
): Promise<HeaderRecord> {
  const probe = new Hono();
  probe.use(middleware);
  probe.all('*', (c) => c.body(null, 204));
  const res = await probe.request(path, { headers });
  return Object.freeze(Object.fromEntries(res.headers));
}
