// Guards the auth routes share: rate limits and the client's address.
import { gatewayClientAddress, Problem, type RateLimiter, rateLimitHeaders } from '@shop/shared';
import type { Context } from 'hono';
import type { Limit } from '../deps.js';

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

/**
 * The client's address: the one the gateway forwards (X-Forwarded-For's first entry: the gateway
 * sends exactly the address it believes, and only the gateway may call auth), else the socket's.
 */
export function requestIp(c: Context): string {
  return gatewayClientAddress(c);
}

/** 415 unless the request declares a JSON body. */
export function requireJson(c: Context): void {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new Problem(415, 'Send the body as application/json.');
  }
}
