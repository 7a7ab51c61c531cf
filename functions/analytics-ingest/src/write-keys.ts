// Which source a write key belongs to: the HMAC of the key looked up in PostgreSQL, answers
// (also "unknown") cached in process for a few seconds, so a flood of forged keys costs one
// query per distinct key and a revocation reaches every instance within the cache's TTL.
import type { Database } from '@shop/shared';
import { LRUCache } from 'lru-cache';
import { hashWriteKey } from './domain/hash-write-key.js';
import { findLiveSourceByKeyHash } from './store.js';

export interface WriteKeys {
  /** The live source of a write key, or null when the key is unknown or revoked. */
  sourceOf(writeKey: string): Promise<string | null>;
  /** Drops what this instance cached (after a revocation here). */
  forgetAll(): void;
}

export interface WriteKeyOptions {
  db: Database;
  secret: string;
  /** Milliseconds an answer is trusted (default 5,000): the revocation delay on other instances. */
  ttlMs?: number;
  max?: number;
}

/** @example const keys = createWriteKeys({ db, secret }); await keys.sourceOf('wk_…') */
export function createWriteKeys(options: WriteKeyOptions): WriteKeys {
  const cache = new LRUCache<string, { sourceId: string | null }>({
    max: options.max ?? 10_000,
    ttl: options.ttlMs ?? 5_000,
  });
  const inFlight = new Map<string, Promise<string | null>>();
  return {
    async sourceOf(writeKey) {
      // Cached by the key as sent (process memory only), so a known key costs no HMAC.
      const cached = cache.get(writeKey);
      if (cached) return cached.sourceId;
      let lookup = inFlight.get(writeKey);
      if (!lookup) {
        lookup = findLiveSourceByKeyHash(options.db, hashWriteKey(writeKey, options.secret))
          .then((row) => {
            cache.set(writeKey, { sourceId: row?.id ?? null });
            return row?.id ?? null;
          })
          .finally(() => inFlight.delete(writeKey));
        inFlight.set(writeKey, lookup);
      }
      return lookup;
    },
    forgetAll() {
      cache.clear();
    },
  };
}
