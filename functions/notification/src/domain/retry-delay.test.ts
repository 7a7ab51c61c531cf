import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-delay.js';

const policy = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 10_000 };

describe('retryDelayMs', () => {
  it('doubles the wait after each failure, up to the cap', () => {
    const top = (n: number) => retryDelayMs(n, policy, () => 1);
    expect([1, 2, 3, 4, 5].map(top)).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });

  it('keeps at least half of the wait fixed and randomises the other half', () => {
    expect(retryDelayMs(3, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(3000);
  });
});
