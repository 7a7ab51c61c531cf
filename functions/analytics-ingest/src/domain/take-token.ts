// A token bucket per visitor key: `ratePerSecond` refill, `burst` capacity. A visitor within
// their rate always finds a token; one that sends faster runs dry and is over the rate until
// the bucket refills.

/** One bucket's state. */
export interface Bucket {
  tokens: number;
  /** Milliseconds since the epoch of the last refill. */
  at: number;
}

/**
 * Takes `count` tokens from `bucket` at `now` (mutating it); false when it had not enough
 * (then nothing is taken).
 * @example const bucket = { tokens: 1000, at: Date.now() }; takeToken(bucket, Date.now(), { ratePerSecond: 100, burst: 1000 })
 */
export function takeToken(
  bucket: Bucket,
  now: number,
  limits: { ratePerSecond: number; burst: number },
  count = 1,
): boolean {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(limits.burst, bucket.tokens + (elapsed * limits.ratePerSecond) / 1000);
  bucket.at = now;
  if (bucket.tokens < count) return false;
  bucket.tokens -= count;
  return true;
}
