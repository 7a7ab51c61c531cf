// Login throttling per (account, client address) pair, on the key-value store (Redis in
// production, shared by every replica). The policy is domain/login-backoff.ts.
import { createHash } from 'node:crypto';
import type { KeyValue } from '@shop/shared';
import { decideLoginAttempt, type LoginBackoff } from './domain/login-backoff.js';

/** Whether an attempt may go on, else how long its pair must wait. */
export type LoginAttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts login attempts of (account, address) pairs; see {@link createLoginThrottle}. */
export interface LoginThrottle {
  /** Claims one attempt for the pair: allowed (counted), or the seconds to wait. */
  attempt(email: string, ip: string): Promise<LoginAttemptVerdict>;
  /** Forgets the pair's failures (after a successful login). */
  succeed(email: string, ip: string): Promise<void>;
}

/**
 * A throttle whose counters live under `prefix` in `kv`; keys are digests of the pair, so the
 * store holds neither email addresses nor IP addresses. Claiming is one atomic update: of
 * concurrent attempts past the free ones, one goes through and the rest wait.
 * @example const throttle = createLoginThrottle({ kv, prefix: 'rl:auth:loginPerAccountAndIp', backoff, clock: Date.now });
 */
export function createLoginThrottle(options: {
  kv: KeyValue;
  prefix: string;
  backoff: LoginBackoff;
  clock: () => number;
}): LoginThrottle {
  const { kv, prefix, backoff, clock } = options;
  const keyOf = (email: string, ip: string) =>
    `${prefix}:${createHash('sha256').update(`${email}\n${ip}`).digest('base64url')}`;
  return {
    async attempt(email, ip) {
      const now = clock();
      let verdict: LoginAttemptVerdict = { allowed: true };
      // `step` may run again when another replica changed the pair meanwhile: the verdict is
      // the last run's.
      await kv.update(keyOf(email, ip), (stored) => {
        const previous =
          stored.failures === undefined
            ? undefined
            : { failures: Number(stored.failures), lastAttemptAt: Number(stored.lastAttemptAt) };
        const decision = decideLoginAttempt(previous, now, backoff);
        if (!decision.allowed) {
          verdict = { allowed: false, retryAfterSeconds: decision.retryAfterSeconds };
          return null;
        }
        verdict = { allowed: true };
        return {
          set: {
            failures: String(decision.next.failures),
            lastAttemptAt: String(decision.next.lastAttemptAt),
          },
          ttlSeconds: backoff.forgetAfterSeconds,
        };
      });
      return verdict;
    },
    async succeed(email, ip) {
      await kv.del(keyOf(email, ip));
    },
  };
}
