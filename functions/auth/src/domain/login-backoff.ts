/**
 * How failed logins of one (account, client address) pair slow that pair down: the first
 * `freeAttempts` in a row are free, then each further attempt waits `baseDelaySeconds` doubled
 * per failure, up to `maxDelaySeconds`. Never a lockout: the wait is bounded, and another
 * address (the owner's) has a pair of its own.
 */
export interface LoginBackoff {
  freeAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** A pair with no attempt for this long starts over. */
  forgetAfterSeconds: number;
}

/** Attempts of a pair not (yet) followed by a success, and when the last one began. */
export interface LoginAttempts {
  failures: number;
  lastAttemptAt: number;
}

/** The wait after `failures` consecutive failures, in seconds (0 while attempts are free). */
export function backoffDelaySeconds(failures: number, backoff: LoginBackoff): number {
  if (failures < backoff.freeAttempts) return 0;
  const doublings = Math.min(failures - backoff.freeAttempts, 40);
  return Math.min(backoff.maxDelaySeconds, backoff.baseDelaySeconds * 2 ** doublings);
}

/**
 * Decides one attempt at `now` (ms): allowed, and counted as a failure until a success forgets
 * it; or refused with the seconds to wait (≥ 1), counting nothing, so hammering a throttled pair
 * does not prolong its wait.
 * @example decideLoginAttempt(undefined, Date.now(), backoff) // { allowed: true, next: { failures: 1, … } }
 */
export function decideLoginAttempt(
  previous: LoginAttempts | undefined,
  now: number,
  backoff: LoginBackoff,
): { allowed: true; next: LoginAttempts } | { allowed: false; retryAfterSeconds: number } {
  const current =
    previous && now - previous.lastAttemptAt < backoff.forgetAfterSeconds * 1000
      ? previous
      : { failures: 0, lastAttemptAt: now };
  const waitUntil = current.lastAttemptAt + backoffDelaySeconds(current.failures, backoff) * 1000;
  if (now < waitUntil) {
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((waitUntil - now) / 1000)) };
  }
  return { allowed: true, next: { failures: current.failures + 1, lastAttemptAt: now } };
}
