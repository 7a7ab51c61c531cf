import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryKeyValue } from './kv/memory.js';
import { createRateLimiter, rateLimitHeaders } from './rate-limit.js';
import { testKeyValue } from './testing/index.js';

const { kv, cleanup } = testKeyValue();
afterAll(() => cleanup());

describe('createRateLimiter', () => {
  it('allows the limit, then refuses with a retry time, also under concurrent hits', async () => {
    const limiter = createRateLimiter({ kv, prefix: 'rl:test', limit: 5, windowSeconds: 60 });
    const results = await Promise.all(Array.from({ length: 8 }, () => limiter.hit('1.2.3.4')));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.find((r) => !r.allowed)!;
    expect(refused.remaining).toBe(0);
    expect(refused.resetSeconds).toBeGreaterThanOrEqual(1);
    expect((await limiter.hit('5.6.7.8')).allowed).toBe(true);
    expect(rateLimitHeaders(refused, 60)['Retry-After']).toBe(String(refused.resetSeconds));
  });

  it('recovers as the window slides and after a reset', async () => {
    let now = 120_000;
    const memory = createMemoryKeyValue(() => now);
    const limiter = createRateLimiter({
      kv: memory,
      prefix: 'rl',
      limit: 2,
      windowSeconds: 10,
      clock: () => now,
    });
    expect((await limiter.hit('a')).allowed).toBe(true);
    expect((await limiter.hit('a')).allowed).toBe(true);
    expect((await limiter.hit('a')).allowed).toBe(false);
    now += 10_000; // next window: the previous one still weighs fully at its start
    expect((await limiter.hit('a')).allowed).toBe(false);
    now += 20_000; // two windows later: nothing counts any more
    expect((await limiter.hit('a')).allowed).toBe(true);
    await limiter.hit('a');
    expect((await limiter.hit('a')).allowed).toBe(false);
    await limiter.reset('a');
    expect((await limiter.hit('a')).allowed).toBe(true);
  });
});
