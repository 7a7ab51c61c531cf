import {
  createRateLimiter,
  type KeyValue,
  Problem,
  type RateLimitResult,
  rateLimitHeaders,
  type ServiceEnv,
} from '@shop/shared';
import type { MiddlewareHandler } from 'hono';
import type { AuthenticationEnv } from '../authentication/index.js';
import type { ClientAddressEnv } from '../client-address/index.js';
import type { HeaderRecord, ResponseHeadersEnv } from '../response-headers/index.js';

export interface RateLimitOptions {
  kv: KeyValue;
  /** Requests per window per client address (anonymous callers, refused tokens). */
  anonymous: number;
  /** Requests per window per signed-in user. */
  user: number;
  windowSeconds: number;
  /** Milliseconds since the epoch. */
  clock: () => number;
}

function lowerCaseNames(headers: Record<string, string>): HeaderRecord {
  const lower: Record<string, string> = {};
  for (const name in headers) lower[name.toLowerCase()] = headers[name] as string;
  return lower;
}

/**
 * Counts the request (shared `createRateLimiter`, sliding window on the KeyValue) per user id
 * when `identity` is set, else per client address, so refused tokens count too. The answer gets
 * `RateLimit-*` headers; over the limit a 429 problem with `Retry-After`. If the store fails, the
 * request is served unlimited and an error is logged.
 * @example app.use(authentication({ verifyToken })).use(rateLimit({ kv, anonymous: 600, user: 1200, windowSeconds: 60, clock: Date.now }));
 */
export function rateLimit(
  options: RateLimitOptions,
): MiddlewareHandler<ServiceEnv & AuthenticationEnv & ResponseHeadersEnv & ClientAddressEnv> {
  const { kv, windowSeconds, clock } = options;
  const anonymousLimiter = createRateLimiter({
    kv,
    prefix: 'rl:gateway:ip',
    limit: options.anonymous,
    windowSeconds,
    clock,
  });
  const userLimiter = createRateLimiter({
    kv,
    prefix: 'rl:gateway:user',
    limit: options.user,
    windowSeconds,
    clock,
  });
  return async (c, next) => {
    const identity = c.get('identity');
    let verdict: RateLimitResult | undefined;
    try {
      verdict = identity
        ? await userLimiter.hit(identity.userId)
        : await anonymousLimiter.hit(c.get('clientAddress'));
    } catch (error) {
      // A store outage must not take the whole shop down: serve unlimited, loudly.
      c.get('log').error({ err: error }, 'rate limiting skipped: the key-value store failed');
    }
    if (verdict)
      c.get('responseHeaders').push(lowerCaseNames(rateLimitHeaders(verdict, windowSeconds)));
    if (verdict && !verdict.allowed) {
      throw new Problem(429, `Too many requests; try again in ${verdict.resetSeconds} s.`);
    }
    await next();
  };
}
