// The back office's only way to the platform: the gateway's /api/auth routes for signing in and
// out, and /api/admin/* for everything the island asks through the site's proxy. Every call has
// a timeout; the bearer token is added here, on the server, and never reaches the browser.
import type { ShopperHeaders } from '@shop/shared/site-security';

/** What auth answers to a login or refresh. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** What a call got back: the status and the JSON body (or null). */
export interface Answer<T> {
  status: number;
  ok: boolean;
  body: T;
}

/** A body the proxy will not pass on (it is over the limit, whatever Content-Length said). */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** The gateway could not be reached or did not answer in time. */
export class GatewayUnavailableError extends Error {
  override name = 'GatewayUnavailableError';
}

export interface GatewayOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
  /** The current staff member's address and the site's token, for every call (the kit's). */
  shopperHeaders?: ShopperHeaders;
}

/** Request headers the proxy passes on to the gateway; all others stay behind. */
export const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'if-match',
  'if-none-match',
  // A refund's key: the same key is the same refund, so a retry never pays back twice.
  'idempotency-key',
] as const;

/** Response headers the proxy passes back to the island. */
export const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'content-disposition',
  'etag',
  'location',
  'retry-after',
  'x-report-source',
  'x-request-id',
] as const;

/** The path prefixes the island may reach through the proxy. */
const PROXIED_PREFIX = '/api/admin/';

/**
 * Whether `path` (a URL's pathname, as the WHATWG parser left it: dot segments resolved) is one
 * the proxy forwards: under /api/admin/, with no encoded slash, backslash or dot segment that
 * a server behind us could read another way.
 * @example isProxiedPath('/api/admin/offers') // true
 */
export function isProxiedPath(path: string): boolean {
  if (!path.startsWith(PROXIED_PREFIX) || path.length > 2000) return false;
  if (/%2f|%5c|\\/i.test(path)) return false;
  return !path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}

/** The request's body, refused past `max` bytes as it streams (Content-Length may lie). */
async function readLimited(request: Request, max: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new BodyTooLargeError(`body over ${max} bytes`);
    chunks.push(chunk);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

export type Gateway = ReturnType<typeof createGateway>;

/**
 * A client of the gateway.
 * @example const gateway = createGateway({ baseUrl: 'http://127.0.0.1:8080', timeoutMs: 10000 });
 */
export function createGateway(options: GatewayOptions) {
  const doFetch = options.fetch ?? fetch;

  async function send(path: string, init: RequestInit): Promise<Response> {
    try {
      const headers = new Headers(init.headers);
      const shopper = options.shopperHeaders ? await options.shopperHeaders() : {};
      for (const [name, value] of Object.entries(shopper)) headers.set(name, value);
      return await doFetch(`${options.baseUrl}${path}`, {
        ...init,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable';
      throw new GatewayUnavailableError(`gateway ${reason}: ${init.method ?? 'GET'} ${path}`);
    }
  }

  async function auth<T>(path: string, body: unknown): Promise<Answer<T>> {
    const res = await send(path, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status >= 500) {
      await res.body?.cancel();
      throw new GatewayUnavailableError(`gateway answered ${res.status}: POST ${path}`);
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: res.status, ok: res.ok, body: parsed as T };
  }

  return {
    logIn: (email: string, password: string) =>
      auth<Partial<TokenPair>>('/api/auth/login', { email, password }),
    refresh: (refreshToken: string) =>
      auth<Partial<TokenPair>>('/api/auth/refresh', { refreshToken }),
    logOut: (refreshToken: string) => auth<unknown>('/api/auth/logout', { refreshToken }),
    /** A staff invitation accepted with its link's token and the chosen password (204). */
    acceptInvitation: (token: string, password: string) =>
      auth<{ detail?: string } | null>('/api/auth/staff-invitation/accept', { token, password }),

    /**
     * One island call passed on to the gateway as it came (method, path, query, body and the
     * allowed headers) with the session's bearer token; the answer comes back as it is, with the
     * allowed headers only.
     */
    async forward(
      request: Request,
      pathAndQuery: string,
      accessToken: string,
      limits: { maxBodyBytes: number },
    ): Promise<Response> {
      const headers = new Headers({ authorization: `Bearer ${accessToken}` });
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = request.headers.get(name);
        if (value !== null) headers.set(name, value);
      }
      const body = ['GET', 'HEAD'].includes(request.method)
        ? undefined
        : await readLimited(request, limits.maxBodyBytes);
      const res = await send(pathAndQuery, {
        method: request.method,
        headers,
        ...(body && body.byteLength > 0 && { body }),
      });
      const answer = new Headers({ 'cache-control': 'no-store' });
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = res.headers.get(name);
        if (value !== null) answer.set(name, value);
      }
      return new Response(res.body, { status: res.status, headers: answer });
    },
  };
}
