import type { KeyValue } from './kv/key-value.js';

/** The verdict of one {@link RateLimiter.hit}. */
export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  /** Requests left in the current window (0 when refused). */
  remaining: number;
  /** Seconds until the window has room again (≥ 1 when refused). */
  resetSeconds: number;
}

export interface RateLimiter {
  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string): Promise<RateLimitResult>;
  /** Forgets `key` (e.g. after a successful login). */
  reset(key: string): Promise<void>;
}

/**
 * A sliding-window counter on the {@link KeyValue} store (Redis in production, shared by every
 * replica): the current fixed window's count plus the previous window's, weighted by how much
 * of it still overlaps the sliding window. Two atomic INCRs, no race between replicas.
 * @example const loginLimiter = createRateLimiter({ kv, prefix: 'rl:login:ip', limit: 10, windowSeconds: 60 });
 */
export function createRateLimiter(options: {
  kv: KeyValue;
  prefix: string;
  limit: number;
  windowSeconds: number;
  clock?: () => number;
}): RateLimiter {
  const { kv, prefix, limit, windowSeconds } = options;
  const clock = options.clock ?? Date.now;
  const windowMs = windowSeconds * 1000;
  const keyOf = (key: string, window: number) => `${prefix}:${key}:${window}`;

  return {
    async hit(key) {
      const now = clock();
      const window = Math.floor(now / windowMs);
      const elapsed = (now - window * windowMs) / windowMs;
      const [current, previousRaw] = await Promise.all([
        kv.incr(keyOf(key, window), { ttlSeconds: windowSeconds * 2 }),
        kv.get(keyOf(key, window - 1)),
      ]);
      const previous = Number(previousRaw ?? 0);
      const estimated = previous * (1 - elapsed) + current;
      const allowed = estimated <= limit;
      const remaining = Math.max(0, Math.floor(limit - estimated));
      let resetSeconds = Math.ceil(((1 - elapsed) * windowMs) / 1000);
      if (!allowed && previous > 0) {
        // When does the previous window's weight fall enough to let one more through?
        const needed = estimated - limit;
        const fractionToWait = Math.min(1 - elapsed, needed / previous);
        resetSeconds = Math.ceil((fractionToWait * windowMs) / 1000);
      }
      return { allowed, limit, remaining, resetSeconds: Math.max(1, resetSeconds) };
    },
    async reset(key) {
      const window = Math.floor(clock() / windowMs);
      await kv.del(keyOf(key, window), keyOf(key, window - 1));
    },
  };
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for a verdict, plus
 * `Retry-After` when refused.
 */
export function rateLimitHeaders(
  result: RateLimitResult,
  windowSeconds: number,
): Record<string, string> {
  return {
    'RateLimit-Policy': `${result.limit};w=${windowSeconds}`,
    'RateLimit-Limit': String(result.limit),
    'RateLimit-Remaining': String(result.remaining),
    'RateLimit-Reset': String(result.resetSeconds),
    ...(result.allowed ? {} : { 'Retry-After': String(result.resetSeconds) }),
  };
}
