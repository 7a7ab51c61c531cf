// Which visitor keys are over their rate (default 100 events/s, burst 1,000), per instance:
// PostHog's overflow design, with a token bucket per key in a bounded LRU (the least recently
// seen keys are forgotten first, which only ever gives a visitor a fresh bucket).
import { LRUCache } from 'lru-cache';
import { type Bucket, takeToken } from './domain/take-token.js';

export interface HotVisitors {
  /** Takes one token for `visitorKey`; true when the visitor is over the rate. */
  isOverRate(visitorKey: string, now: number): boolean;
}

/** @example const hot = createHotVisitors({ ratePerSecond: 100, burst: 1000 }); */
export function createHotVisitors(options: {
  ratePerSecond: number;
  burst: number;
  maxKeys?: number;
}): HotVisitors {
  const buckets = new LRUCache<string, Bucket>({ max: options.maxKeys ?? 100_000 });
  return {
    isOverRate(visitorKey, now) {
      let bucket = buckets.get(visitorKey);
      if (!bucket) {
        bucket = { tokens: options.burst, at: now };
        buckets.set(visitorKey, bucket);
      }
      return !takeToken(bucket, now, options);
    },
  };
}
