import { Problem } from '@shop/shared';

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

/**
 * Forwards one request and streams both bodies (no buffering); redirects are passed back, not
 * followed. Failures become problems naming the upstream and nothing internal: refused
 * connection 503, no answer in time 504, anything else 502.
 * @example return forward({ upstream: 'offer', url, method, headers, body, timeoutMs: 10_000 });
 */
export async function forward(options: ForwardOptions): Promise<Response> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal
    ? AbortSignal.any([timeout.signal, options.signal])
    : timeout.signal;
  let upstream: Response;
  try {
    upstream = await (options.fetch ?? fetch)(options.url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      redirect: 'manual',
      signal,
      ...(options.body ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (error) {
    const name = options.upstream;
    if (timeout.signal.aborted) {
      throw new Problem(504, `The ${name} service did not answer in time.`, {
        title: 'Gateway Timeout',
        upstream: name,
      });
    }
    if (UNAVAILABLE_CODES.has(errorCode(error) ?? '')) {
      throw new Problem(503, `The ${name} service is unavailable.`, {
        title: 'upstream unavailable',
        upstream: name,
      });
    }
    throw new Problem(502, `The ${name} service gave no usable answer.`, {
      title: 'Bad Gateway',
      upstream: name,
    });
  } finally {
    // Only the wait for the status line is timed: a long streamed body may take its time.
    clearTimeout(timer);
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
