// Guards the auth routes share: rate limits and the client's address.
import { getConnInfo } from '@hono/node-server/conninfo';
import { Problem, type RateLimiter, rateLimitHeaders } from '@shop/shared';
import type { Context } from 'hono';
import type { Limit } from '../deps.js';
import { clientIp } from '../domain/client-ip.js';

/** Counts one request for `key`; over the limit, throws a 429 problem with Retry-After. */
export async function enforceLimit(limiter: RateLimiter & Limit, key: string): Promise<void> {
  const verdict = await limiter.hit(key);
  if (verdict.allowed) return;
  throw new Problem(
    429,
    `Too many attempts; try again in ${verdict.resetSeconds} seconds.`,
    { type: 'https://shop.example/problems/rate-limited', title: 'Too many requests' },
    rateLimitHeaders(verdict, limiter.windowSeconds),
  );
}

/** The client's address: X-Forwarded-For's first hop, else the socket (only on a real server). */
export function requestIp(c: Context): string {
  let socketAddress: string | undefined;
  try {
    socketAddress = getConnInfo(c).remote.address;
  } catch {
    // app.request() and other adapters have no node socket.
  }
  return clientIp(c.req.header('x-forwarded-for'), socketAddress);
}

/** 415 unless the request declares a JSON body. */
export function requireJson(c: Context): void {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new Problem(415, 'Send the body as application/json.');
  }
}
