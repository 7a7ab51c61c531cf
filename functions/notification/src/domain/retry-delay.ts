/** How a failed send is retried. */
export interface RetryPolicy {
  /** Sends in all, the first included; after the last failure the message is `failed`. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The wait before the next try after `attempts` failed ones: exponential (base · 2^(n−1),
 * capped) with "equal jitter" — half of it fixed, half random — so retries spread out and
 * still grow.
 * @example retryDelayMs(3, { maxAttempts: 6, baseDelayMs: 30_000, maxDelayMs: 3_600_000 }) // 60 000–120 000
 */
export function retryDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.max(0, attempts - 1),
  );
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
