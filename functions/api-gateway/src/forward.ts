import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { type Logger, Problem } from '@shop/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Agent, type Dispatcher, request } from 'undici';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/** Deletes hop-by-hop headers, including those the Connection header names. */
export function removeHopByHop(headers: Headers): void {
  for (const name of (headers.get('connection') ?? '').split(',')) {
    const trimmed = name.trim();
    // Never let a client drop a header the gateway sets (e.g. `Connection: x-shop-user-id`).
    if (TOKEN.test(trimmed) && !trimmed.toLowerCase().startsWith('x-shop-')) {
      headers.delete(trimmed);
    }
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
}

export interface ForwardOptions {
  /** The upstream's name, shown in error details. */
  upstream: string;
  /** Absolute URL to call. */
  url: string;
  method: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  /** Milliseconds the upstream has to answer with status and headers. */
  timeoutMs: number;
  /** Aborts the upstream call when the client goes away. */
  signal?: AbortSignal;
  /** Told (at debug) when the client went away before the upstream answered. */
  log?: Pick<Logger, 'debug'>;
  /** Calls the upstream with this `fetch` instead of undici's pooled `request` (tests). */
  fetch?: typeof fetch;
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** Statuses whose responses have no body (a `Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Keep-alive connections to the upstreams, shared by every request (undici's `request` skips
 * fetch's WHATWG Request/Headers machinery, which cost more than the rest of a forward).
 * Redirects are never followed (no redirect interceptor); responses are not decoded.
 */
const upstreamAgent = new Agent({ keepAliveTimeout: 4_000, pipelining: 1 });

/**
 * Thrown (and answered 499, never seen by anyone) when the client went away before the upstream
 * answered: not an upstream failure, so it is logged at debug and counted as a 499.
 */
function clientClosed(name: string): Problem {
  return new Problem(499 as ContentfulStatusCode, `The client went away before ${name} answered.`, {
    title: 'Client Closed Request',
    upstream: name,
  });
}

function failure(name: string, error: unknown, timedOut: boolean): Problem {
  if (timedOut) {
    return new Problem(504, `The ${name} service did not answer in time.`, {
      title: 'Gateway Timeout',
      upstream: name,
    });
  }
  if (UNAVAILABLE_CODES.has(errorCode(error) ?? '')) {
    return new Problem(503, `The ${name} service is unavailable.`, {
      title: 'upstream unavailable',
      upstream: name,
    });
  }
  return new Problem(502, `The ${name} service gave no usable answer.`, {
    title: 'Bad Gateway',
    upstream: name,
  });
}

const HOP_BY_HOP_SET = new Set(HOP_BY_HOP);

/**
 * Node's header object (lower-case names, arrays for repeated fields) as `Headers`, without
 * the hop-by-hop ones: what {@link removeHopByHop} leaves, without building them first.
 */
function responseHeaders(raw: IncomingHttpHeaders): Headers {
  let named: Set<string> | undefined;
  if (raw.connection) {
    named = new Set();
    for (const name of raw.connection.split(',')) {
      const trimmed = name.trim().toLowerCase();
      if (TOKEN.test(trimmed) && !trimmed.startsWith('x-shop-')) named.add(trimmed);
    }
  }
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined || HOP_BY_HOP_SET.has(name) || named?.has(name)) continue;
    if (typeof value === 'string') headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  return headers;
}

/**
 * The upstream body as a web stream that hands over what already arrived at once: a small
 * answer is usually complete when the status line is, so @hono/node-server can write status,
 * headers and body in one go (with a Content-Length) instead of flushing the headers first and
 * streaming the body after them. Reads one buffered run of bytes per pull, so backpressure holds.
 */
function webStream(body: Readable): ReadableStream<Uint8Array> {
  const state = (body as unknown as { _readableState?: { ended?: boolean } })._readableState;
  let wake: (() => void) | undefined;
  const onEvent = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  body.on('readable', onEvent).on('end', onEvent).on('error', onEvent).on('close', onEvent);
  const pull = (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void => {
    const chunk = body.read() as Uint8Array | null;
    if (chunk !== null) return controller.enqueue(chunk);
    if (body.errored) return controller.error(body.errored);
    if (state?.ended || body.readableEnded) return controller.close();
    if (body.destroyed) return controller.error(new Error('the upstream body was cut off'));
    return new Promise<void>((resolve) => {
      wake = resolve;
    }).then(() => pull(controller));
  };
  return new ReadableStream<Uint8Array>({
    pull,
    cancel(reason) {
      body.destroy(reason instanceof Error ? reason : undefined);
    },
  });
}

/**
 * Forwards one request and streams both bodies (no buffering); redirects are passed back, not
 * followed. Failures become problems naming the upstream and nothing internal: refused
 * connection 503, no answer in time 504, anything else 502. A client that goes away before the
 * upstream answered aborts the upstream call; that is logged at debug and answered 499 (to no
 * one), not reported as an upstream failure.
 * @example return forward({ upstream: 'offer', url, method, headers, body, timeoutMs: 10_000 });
 */
export async function forward(options: ForwardOptions): Promise<Response> {
  if (options.fetch) return forwardWithFetch(options, options.fetch);
  const name = options.upstream;
  const client = options.signal;
  if (client?.aborted) throw clientClosed(name);
  // One controller for both reasons to stop waiting: the timer and the client going away.
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, options.timeoutMs);
  const onClientAbort = () => stop.abort();
  client?.addEventListener('abort', onClientAbort, { once: true });
  let upstream: Dispatcher.ResponseData;
  try {
    const headers: Record<string, string> = {};
    for (const [header, value] of options.headers) headers[header] = value;
    upstream = await request(options.url, {
      dispatcher: upstreamAgent,
      method: options.method as Dispatcher.HttpMethod,
      headers,
      body: options.body && Readable.fromWeb(options.body as NodeReadableStream<Uint8Array>),
      signal: stop.signal,
    });
  } catch (error) {
    if (client?.aborted && !timedOut) {
      options.log?.debug({ upstream: name }, 'client went away before the upstream answered');
      throw clientClosed(name);
    }
    throw failure(name, error, timedOut);
  } finally {
    // Only the wait for the status line is timed: a long streamed body may take its time.
    clearTimeout(timer);
    client?.removeEventListener('abort', onClientAbort);
  }
  const headers = responseHeaders(upstream.headers);
  const noBody = options.method === 'HEAD' || NULL_BODY_STATUSES.has(upstream.statusCode);
  if (noBody) upstream.body.dump().catch(() => {});
  return new Response(noBody ? null : webStream(upstream.body), {
    status: upstream.statusCode,
    statusText: upstream.statusText ?? '',
    headers,
  });
}

/** The same with a WHATWG `fetch` (which decodes compressed bodies itself). */
async function forwardWithFetch(options: ForwardOptions, fetchImpl: typeof fetch) {
  const name = options.upstream;
  const client = options.signal;
  if (client?.aborted) throw clientClosed(name);
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, options.timeoutMs);
  const onClientAbort = () => stop.abort();
  client?.addEventListener('abort', onClientAbort, { once: true });
  let upstream: Response;
  try {
    upstream = await fetchImpl(options.url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      redirect: 'manual',
      signal: stop.signal,
      ...(options.body ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (error) {
    if (client?.aborted && !timedOut) {
      options.log?.debug({ upstream: name }, 'client went away before the upstream answered');
      throw clientClosed(name);
    }
    throw failure(name, error, timedOut);
  } finally {
    clearTimeout(timer);
    client?.removeEventListener('abort', onClientAbort);
  }
  const headers = new Headers(upstream.headers);
  removeHopByHop(headers);
  // fetch already decoded a compressed body, so its encoding and length no longer apply.
  if (headers.has('content-encoding')) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers,
  });
}
