import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { type Logger, Problem, type RawHeaders } from '@shop/shared';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Agent, buildConnector, type Dispatcher, request } from 'undici';
import { type HeaderRecord, mergeHeaders } from './middleware/response-headers/index.js';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z|~]+$/;

/** Header fields to send on: lower-case names, an array for a repeated field. */
export type HeaderFields = Record<string, string | string[]>;

/**
 * A copy of `raw` without its hop-by-hop fields, nor those its `Connection` header names, nor
 * those `skip` refuses. A `Connection` header can never drop `Authorization` (the access token
 * the gateway verified, which the function behind verifies again).
 * @example const headers = endToEndHeaders(incoming.headers, (name) => name === 'host');
 */
export function endToEndHeaders(raw: RawHeaders, skip?: (name: string) => boolean): HeaderFields {
  let named: Set<string> | undefined;
  const connection = raw.connection;
  if (typeof connection === 'string') {
    named = new Set();
    for (const name of connection.split(',')) {
      const trimmed = name.trim().toLowerCase();
      if (TOKEN.test(trimmed) && trimmed !== 'authorization') named.add(trimmed);
    }
  }
  const fields: HeaderFields = {};
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name) || skip?.(name)) continue;
    fields[name] = typeof value === 'string' ? value : [...value];
  }
  return fields;
}

export interface ForwardOptions {
  /** The upstream's name, shown in error details. */
  upstream: string;
  /** Absolute URL to call. */
  url: string;
  method: string;
  /** The request's header fields, as they go upstream. */
  headers: HeaderFields;
  body: ReadableStream<Uint8Array> | null;
  /** Milliseconds the upstream has to answer with status and headers. */
  timeoutMs: number;
  /** Aborts the upstream call when the client goes away. */
  signal?: AbortSignal;
  /** Told (at debug) when the client went away before the upstream answered. */
  log?: Pick<Logger, 'debug'>;
  /**
   * Added to the upstream's response headers, in order: the gateway's value wins, except
   * `Vary`, which is combined.
   */
  responseHeaders?: readonly HeaderRecord[];
}

/**
 * Answers whose `Content-Length` is at most this many bytes are read whole and sent in one
 * write (status, headers and body), as nginx's proxy buffering does; longer ones, and those
 * without a length (chunked, event streams), stream through as they arrive.
 */
export const BUFFERED_BODY_BYTES = 64 * 1024;

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

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Keep-alive connections to the upstreams, shared by every request (undici's `request` skips
 * fetch's WHATWG Request/Headers machinery, which cost more than the rest of a forward), one
 * agent per connect timeout. Redirects are never followed (no redirect interceptor); responses
 * are not decoded.
 */
const agents = new Map<number, Agent>();
function upstreamAgent(connectTimeoutMs: number): Agent {
  let agent = agents.get(connectTimeoutMs);
  if (!agent) {
    const connect = buildConnector({ timeout: connectTimeoutMs });
    agent = new Agent({
      keepAliveTimeout: 4_000,
      pipelining: 1,
      connect: (options, callback) =>
        connect(options, (...result) => {
          if (result[0] === null) upstreamSockets.add(result[1] as Socket);
          callback(...result);
        }),
    });
    agents.set(connectTimeoutMs, agent);
  }
  return agent;
}

/**
 * The upstream connections, and which one carries each undici request in flight on them.
 *
 * An upstream may answer a request before it has read its body (a 413 over its limit, a 401)
 * and then close the connection a moment later without saying `Connection: close` (Node's and
 * @hono/node-server's servers drop a connection whose request body they will not read). undici
 * would have put that socket back in the pool and sent another client's request on it, which
 * then failed (502). So a connection whose request carried a body and got an error answer
 * (status >= 400) is destroyed as soon as that answer is complete, never reused. (undici itself
 * already destroys it when the answer completes while the body is still being written.)
 */
const upstreamSockets = new WeakSet<Socket>();
const socketOf = new WeakMap<object, Socket>();
const retiring = new WeakSet<object>();
interface UndiciRequest {
  body: unknown;
}
subscribe('undici:client:sendHeaders', (message) => {
  const { request: sent, socket } = message as { request: UndiciRequest; socket: Socket };
  if (upstreamSockets.has(socket) && sent.body != null) socketOf.set(sent, socket);
});
subscribe('undici:request:headers', (message) => {
  const { request: sent, response } = message as {
    request: UndiciRequest;
    response: { statusCode: number };
  };
  if (response.statusCode >= 400 && socketOf.has(sent)) retiring.add(sent);
});
subscribe('undici:request:trailers', (message) => {
  const { request: sent } = message as { request: UndiciRequest };
  const socket = socketOf.get(sent);
  socketOf.delete(sent);
  // Destroyed before undici hands it to the next request (it checks `destroyed` first).
  if (socket && retiring.delete(sent)) socket.destroy();
});

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

/**
 * `fields` as a `Response`'s headers: the plain record itself (which @hono/node-server writes
 * as it is), or `Headers` when a field repeats (`Set-Cookie`), which a record cannot carry.
 */
function headersInit(fields: HeaderFields): Record<string, string> | Headers {
  let repeated = false;
  for (const name in fields) if (typeof fields[name] !== 'string') repeated = true;
  if (!repeated) return fields as Record<string, string>;
  const headers = new Headers();
  for (const name in fields) {
    const value = fields[name] as string | string[];
    if (typeof value === 'string') headers.append(name, value);
    else for (const item of value) headers.append(name, item);
  }
  return headers;
}

/**
 * The upstream body as a web stream that hands over what already arrived at once, one buffered
 * run of bytes per pull, so backpressure holds.
 */
function webStream(body: Readable): ReadableStream<Uint8Array> {
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
    if (body.readableEnded) return controller.close();
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

/** Reads a short body whole; rejects when it breaks off or the client goes away. */
function readWhole(body: Readable, client: AbortSignal | undefined): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onAbort = () => body.destroy(new Error('the client went away'));
    client?.addEventListener('abort', onAbort, { once: true });
    const done = (error?: Error) => {
      client?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => done());
    body.once('error', done);
    body.once('close', () => {
      if (!body.readableEnded) done(new Error('the upstream body was cut off'));
    });
  });
}

/**
 * Forwards one request and passes the answer back with its status, its end-to-end headers and
 * `responseHeaders`. Bodies stream both ways; only an answer with a `Content-Length` up to
 * {@link BUFFERED_BODY_BYTES} is read whole first. Redirects are passed back, not followed.
 * Failures become problems naming the upstream and nothing internal: refused connection 503, no
 * answer in time 504, anything else (also a short body that breaks off) 502. A client that goes
 * away before the upstream answered aborts the upstream call; that is logged at debug and
 * answered 499 (to no one), not reported as an upstream failure.
 * @example return forward({ upstream: 'offer', url, method, headers, body, timeoutMs: 10_000 });
 */
export async function forward(options: ForwardOptions): Promise<Response> {
  const name = options.upstream;
  const client = options.signal;
  if (client?.aborted) throw clientClosed(name);
  let upstream: Dispatcher.ResponseData;
  try {
    // undici's own timers bound the wait for the connection and for the status line (a long
    // streamed body may take its time); the client's signal aborts the call when it goes away.
    upstream = await request(options.url, {
      dispatcher: upstreamAgent(options.timeoutMs),
      method: options.method as Dispatcher.HttpMethod,
      headers: options.headers,
      body: options.body && Readable.fromWeb(options.body),
      headersTimeout: options.timeoutMs,
      ...(client && { signal: client }),
    });
  } catch (error) {
    if (client?.aborted) {
      options.log?.debug({ upstream: name }, 'client went away before the upstream answered');
      throw clientClosed(name);
    }
    throw failure(name, error, TIMEOUT_CODES.has(errorCode(error) ?? ''));
  }
  const fields = endToEndHeaders(upstream.headers);
  for (const extra of options.responseHeaders ?? []) mergeHeaders(fields, extra);
  const status = upstream.statusCode;
  if (options.method === 'HEAD' || NULL_BODY_STATUSES.has(status)) {
    upstream.body.dump().catch(() => {});
    return new Response(null, { status, headers: headersInit(fields) });
  }
  const length = fields['content-length'];
  if (typeof length === 'string' && Number(length) <= BUFFERED_BODY_BYTES) {
    let body: Buffer;
    try {
      body = await readWhole(upstream.body, client);
    } catch (error) {
      if (client?.aborted) throw clientClosed(name);
      throw failure(name, error, false);
    }
    return new Response(body, { status, headers: headersInit(fields) });
  }
  return new Response(webStream(upstream.body), { status, headers: headersInit(fields) });
}
