import { describe, expect, it } from 'vitest';
import { backoffDelaySeconds, decideLoginAttempt, type LoginBackoff } from './login-backoff.js';

const backoff: LoginBackoff = {
  freeAttempts: 3,
  baseDelaySeconds: 2,
  maxDelaySeconds: 60,
  forgetAfterSeconds: 3600,
};

describe('backoffDelaySeconds', () => {
  it('is free for the first attempts, then doubles per failure up to the cap', () => {
    const delays = Array.from({ length: 10 }, (_, failures) =>
      backoffDelaySeconds(failures, backoff),
    );
    expect(delays).toEqual([0, 0, 0, 2, 4, 8, 16, 32, 60, 60]);
    expect(backoffDelaySeconds(10_000, backoff)).toBe(60);
  });
});

describe('decideLoginAttempt', () => {
  it('counts an allowed attempt and refuses one inside the wait without counting it', () => {
    const t = 1_000_000;
    expect(decideLoginAttempt(undefined, t, backoff)).toEqual({
      allowed: true,
      next: { failures: 1, lastAttemptAt: t },
    });
    const throttled = { failures: 4, lastAttemptAt: t };
    expect(decideLoginAttempt(throttled, t + 1500, backoff)).toEqual({
      allowed: false,
      retryAfterSeconds: 3,
    });
    expect(decideLoginAttempt(throttled, t + 4000, backoff)).toEqual({
      allowed: true,
      next: { failures: 5, lastAttemptAt: t + 4000 },
    });
  });

  it('starts over once the pair was quiet for forgetAfterSeconds', () => {
    const quiet = { failures: 50, lastAttemptAt: 0 };
    expect(decideLoginAttempt(quiet, 3600_000, backoff)).toEqual({
      allowed: true,
      next: { failures: 1, lastAttemptAt: 3600_000 },
    });
  });
});
