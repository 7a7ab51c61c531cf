// A per-instance token bucket in front of OFREP evaluation: past the budget the answer is 429
// with Retry-After, as OFREP specifies, instead of a queue that grows. In process, so the hot
// path makes no network call (the gateway rate-limits per client in front of it).

/** Takes one request from the budget, or says how long to wait. */
export interface RequestBudget {
  take(): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

/**
 * `perSecond` requests a second with bursts of as many; 0 means no limit.
 * @example const budget = createRequestBudget(5000); if (!budget.take().allowed) return 429;
 */
export function createRequestBudget(
  perSecond: number,
  now: () => number = Date.now,
): RequestBudget {
  let tokens = perSecond;
  let last = now();
  return {
    take() {
      if (perSecond <= 0) return { allowed: true };
      const t = now();
      tokens = Math.min(perSecond, tokens + ((t - last) / 1000) * perSecond);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return { allowed: true };
      }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)),
      };
    },
  };
}
